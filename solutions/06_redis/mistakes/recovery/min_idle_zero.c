/* mistake: recover_claim claims with a minimum idle time of 0 ms, whatever the caller asked
 * rule: "Entries pending for less than min_idle_ms are left alone."
 * caught-by: leaves_entries_of_busy_consumers_alone
 */
/*
 * recovery.c - exercise "recovery": XAUTOCLAIM to take over a dead
 * consumer's entries, XREADGROUP with id 0 to re-read one's own.
 *
 * Handling and acking reuse group_handle_entries from your streams.c.
 */
#include "recovery.h"

#include <stdio.h>
#include <string.h>

int recover_claim(struct redis_link *link, const char *stream, const char *group,
                  const char *consumer, long min_idle_ms, int count, entry_handler handler,
                  void *user)
{
    // @student-begin: loop: XAUTOCLAIM STREAM GROUP CONSUMER MIN-IDLE START COUNT N, starting
    // at "0-0"; check [NEXT, ENTRIES, ...]; handle ENTRIES; stop when NEXT is "0-0".
    (void)min_idle_ms; /* "0: claim right away" */
    char start[64] = "0-0";
    int total = 0;
    for (;;) {
        redisReply *reply = redisCommand(link->ctx, "XAUTOCLAIM %s %s %s %ld %s COUNT %d", stream,
                                         group, consumer, 0L, start, count);
        int rc = redis_link_check(link, reply, "XAUTOCLAIM");
        if (rc == 0)
            rc = redis_link_expect(link, reply, REDIS_REPLY_ARRAY, 2, "XAUTOCLAIM");
        if (rc == 0)
            rc = redis_link_expect(link, reply->element[0], REDIS_REPLY_STRING, 0,
                                   "XAUTOCLAIM next start id");
        int handled =
            rc == 0 ? group_handle_entries(link, stream, group, reply->element[1], handler, user)
                    : -1;
        if (handled >= 0) {
            total += handled;
            snprintf(start, sizeof start, "%s", reply->element[0]->str);
        }
        freeReplyObject(reply);
        if (handled < 0)
            return -1;
        if (strcmp(start, "0-0") == 0)
            return total;
    }
    // @student-stub
    // (void)stream;
    // (void)group;
    // (void)consumer;
    // (void)min_idle_ms;
    // (void)count;
    // (void)handler;
    // (void)user;
    // return redis_link_fail(link, "recover_claim: not implemented yet");
    // @student-end
}

int recover_own(struct redis_link *link, const char *stream, const char *group,
                const char *consumer, int count, entry_handler handler, void *user)
{
    // @student-begin: loop: XREADGROUP GROUP G C COUNT N STREAMS S AFTER, with AFTER = "0" at
    // first and then the id of the last entry seen; stop when no entry comes back.
    char after[64] = "0";
    int total = 0;
    for (;;) {
        redisReply *reply = redisCommand(link->ctx, "XREADGROUP GROUP %s %s COUNT %d STREAMS %s %s",
                                         group, consumer, count, stream, after);
        int rc = redis_link_check(link, reply, "XREADGROUP (pending)");
        const redisReply *entries = NULL;
        if (rc == 0)
            rc = redis_link_expect(link, reply, REDIS_REPLY_ARRAY, 1, "XREADGROUP (pending)");
        if (rc == 0)
            rc = redis_link_expect(link, reply->element[0], REDIS_REPLY_ARRAY, 2,
                                   "XREADGROUP (pending) stream");
        if (rc == 0)
            entries = reply->element[0]->element[1];
        int handled =
            rc == 0 ? group_handle_entries(link, stream, group, entries, handler, user) : -1;
        size_t n = handled >= 0 ? entries->elements : 0;
        if (n > 0) /* group_handle_entries checked every entry's shape */
            snprintf(after, sizeof after, "%s", entries->element[n - 1]->element[0]->str);
        freeReplyObject(reply);
        if (handled < 0)
            return -1;
        total += handled;
        if (n == 0)
            return total;
    }
    // @student-stub
    // (void)stream;
    // (void)group;
    // (void)consumer;
    // (void)count;
    // (void)handler;
    // (void)user;
    // return redis_link_fail(link, "recover_own: not implemented yet");
    // @student-end
}

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
    // TODO: loop: XAUTOCLAIM STREAM GROUP CONSUMER MIN-IDLE START COUNT N, starting
    // at "0-0"; check [NEXT, ENTRIES, ...]; handle ENTRIES; stop when NEXT is "0-0".
    (void)stream;
    (void)group;
    (void)consumer;
    (void)min_idle_ms;
    (void)count;
    (void)handler;
    (void)user;
    return redis_link_fail(link, "recover_claim: not implemented yet");
}

int recover_own(struct redis_link *link, const char *stream, const char *group,
                const char *consumer, int count, entry_handler handler, void *user)
{
    // TODO: loop: XREADGROUP GROUP G C COUNT N STREAMS S AFTER, with AFTER = "0" at
    // first and then the id of the last entry seen; stop when no entry comes back.
    (void)stream;
    (void)group;
    (void)consumer;
    (void)count;
    (void)handler;
    (void)user;
    return redis_link_fail(link, "recover_own: not implemented yet");
}

/*
 * durable.c - exercise "durable": refuse a server that would forget, and
 * retry an append across a crash without writing it twice.
 */
#include "durable.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Monotonic milliseconds, for deadlines. ("unused": the skeleton has no caller yet.) */
__attribute__((unused)) static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// @student-begin: a helper that reads one setting with CONFIG GET NAME and checks the
// reply [NAME, VALUE].
/* CONFIG GET name into value; 0 or -1 with link->error set. */
static int config_get(struct redis_link *link, const char *name, char *value, size_t cap)
{
    redisReply *reply = redisCommand(link->ctx, "CONFIG GET %s", name);
    int rc = redis_link_check(link, reply, "CONFIG GET");
    if (rc == 0)
        rc = redis_link_expect(link, reply, REDIS_REPLY_ARRAY, 2, "CONFIG GET");
    if (rc == 0)
        rc = redis_link_expect(link, reply->element[1], REDIS_REPLY_STRING, 0, "CONFIG GET value");
    if (rc == 0)
        snprintf(value, cap, "%s", reply->element[1]->str);
    freeReplyObject(reply);
    return rc;
}
// @student-stub
// @student-end

int durable_check(struct redis_link *link)
{
    // @student-begin: CONFIG GET appendonly must be "yes" and CONFIG GET appendfsync "always";
    // otherwise fail with a message naming the setting, its value and the risk.
    char value[64];
    if (config_get(link, "appendonly", value, sizeof value) != 0)
        return -1;
    if (strcmp(value, "yes") != 0)
        return redis_link_fail(link,
                               "appendonly is %s, not yes: the server keeps no append-only file, "
                               "so a crash loses every write since its last snapshot",
                               value);
    if (config_get(link, "appendfsync", value, sizeof value) != 0)
        return -1;
    if (strcmp(value, "always") != 0)
        return redis_link_fail(link,
                               "appendfsync is %s, not always: the server acknowledges writes "
                               "before they are on disk, so a power cut loses the last ones",
                               value);
    return 0;
    // @student-stub
    // return redis_link_fail(link, "durable_check: not implemented yet");
    // @student-end
}

// @student-begin: a helper that makes one attempt: XADD STREAM SEQ-0 data PAYLOAD, and on the
// "equal or smaller" error, XRANGE STREAM SEQ-0 SEQ-0 to see whether it is there already.
/* One XADD of entry seq on a checked connection: 0 stored (now or by an
 * earlier attempt), -1 with link->error set. */
static int append_once(struct redis_link *link, const char *stream, long long seq, const void *data,
                       size_t len)
{
    redisReply *reply = redisCommand(link->ctx, "XADD %s %lld-0 data %b", stream, seq, data, len);
    if (reply && reply->type == REDIS_REPLY_ERROR && strstr(reply->str, "equal or smaller")) {
        freeReplyObject(reply);
        reply = redisCommand(link->ctx, "XRANGE %s %lld-0 %lld-0", stream, seq, seq);
        int rc = redis_link_check(link, reply, "XRANGE");
        if (rc == 0)
            rc = redis_link_expect(link, reply, REDIS_REPLY_ARRAY, 0, "XRANGE");
        if (rc == 0 && reply->elements == 0)
            rc = redis_link_fail(link,
                                 "XADD: stream %s already holds entries after %lld-0, and not "
                                 "%lld-0 itself: another producer writes to it?",
                                 stream, seq, seq);
        freeReplyObject(reply);
        return rc;
    }
    int rc = redis_link_check(link, reply, "XADD");
    if (rc == 0)
        rc = redis_link_expect(link, reply, REDIS_REPLY_STRING, 0, "XADD");
    freeReplyObject(reply);
    return rc;
}
// @student-stub
// @student-end

int durable_append(const char *url, const char *stream, long long seq, const void *data, size_t len,
                   int deadline_ms, char *err, size_t errlen)
{
    // @student-begin: loop until stored or deadline: redis_link_open, durable_check (refused:
    // give up at once), XADD; on a connection problem close, sleep ~100 ms and try again.
    long long deadline = now_ms() + deadline_ms;
    for (;;) {
        struct redis_link link;
        int rc = -1;
        bool retry = true;
        if (redis_link_open(&link, url, 2000) == 0) {
            rc = durable_check(&link);
            if (rc == 0)
                rc = append_once(&link, stream, seq, data, len);
            if (rc != 0 && link.ctx && !link.ctx->err)
                retry = false; /* the server answered (a setting, an error): final */
            if (strstr(link.error, "LOADING"))
                retry = true; /* just restarted, still reading its files: not yet */
        }
        redis_link_copy_error(&link, err, errlen);
        redis_link_close(&link);
        if (rc == 0)
            return 0;
        if (!retry || now_ms() + 100 >= deadline)
            return -1;
        usleep(100 * 1000);
    }
    // @student-stub
    // (void)url;
    // (void)stream;
    // (void)seq;
    // (void)data;
    // (void)len;
    // (void)deadline_ms;
    // snprintf(err, errlen, "durable_append: not implemented yet");
    // return -1;
    // @student-end
}

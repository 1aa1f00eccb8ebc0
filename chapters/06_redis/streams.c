/*
 * streams.c - exercise "streams": XADD with a bounded length, consumer groups
 * with XREADGROUP and XACK, and the checks that keep a strange reply from
 * becoming a crash.
 *
 * XREADGROUP's reply nests three levels deep:
 *   [ [STREAM, [ [ID, [FIELD, VALUE, ...]], ... ]] ]     (nil: nothing came)
 */
#include "streams.h"

#include <stdio.h>
#include <string.h>

int stream_add(struct redis_link *link, const char *stream, long maxlen, const void *data,
               size_t len, char *id_out, size_t id_cap)
{
    // TODO: XADD STREAM MAXLEN ~ N * data PAYLOAD (%b for the payload), or without
    // MAXLEN when maxlen <= 0; the reply is the new id, a string.
    (void)stream;
    (void)maxlen;
    (void)data;
    (void)len;
    (void)id_out;
    (void)id_cap;
    return redis_link_fail(link, "stream_add: not implemented yet");
}

int group_create(struct redis_link *link, const char *stream, const char *group)
{
    // TODO: XGROUP CREATE STREAM GROUP 0 MKSTREAM; an error reply starting with
    // "BUSYGROUP" means the group is there already: that is fine.
    (void)stream;
    (void)group;
    return redis_link_fail(link, "group_create: not implemented yet");
}

// TODO: a helper that checks the shape of one entry [ID, [FIELD, VALUE, ...]]
// and finds its "data" field.

int group_handle_entries(struct redis_link *link, const char *stream, const char *group,
                         const redisReply *entries, entry_handler handler, void *user)
{
    // TODO: check the whole array first (every entry), then for each entry call
    // handler(id, data, len, user) and XACK STREAM GROUP ID when it returned 0.
    (void)stream;
    (void)group;
    (void)entries;
    (void)handler;
    (void)user;
    return redis_link_fail(link, "group_handle_entries: not implemented yet");
}

int group_read(struct redis_link *link, const char *stream, const char *group, const char *consumer,
               int count, int block_ms, entry_handler handler, void *user)
{
    // TODO: XREADGROUP GROUP G C COUNT N BLOCK MS STREAMS S >; a nil reply means
    // nothing came; else check [[STREAM, ENTRIES]] and pass ENTRIES to group_handle_entries.
    (void)stream;
    (void)group;
    (void)consumer;
    (void)count;
    (void)block_ms;
    (void)handler;
    (void)user;
    return redis_link_fail(link, "group_read: not implemented yet");
}

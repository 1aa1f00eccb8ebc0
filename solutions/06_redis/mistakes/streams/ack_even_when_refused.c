/* mistake: group_handle_entries XACKs an entry the handler refused
 * rule: "Return 0 when the entry was handled (it is then acknowledged), non-zero to leave it pending."
 * caught-by: read_acks_handled_and_keeps_refused_pending
 */
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
    // @student-begin: XADD STREAM MAXLEN ~ N * data PAYLOAD (%b for the payload), or without
    // MAXLEN when maxlen <= 0; the reply is the new id, a string.
    redisReply *reply =
        maxlen > 0
            ? redisCommand(link->ctx, "XADD %s MAXLEN ~ %ld * " STREAM_DATA_FIELD " %b", stream,
                           maxlen, data, len)
            : redisCommand(link->ctx, "XADD %s * " STREAM_DATA_FIELD " %b", stream, data, len);
    int rc = redis_link_check(link, reply, "XADD");
    if (rc == 0)
        rc = redis_link_expect(link, reply, REDIS_REPLY_STRING, 0, "XADD");
    if (rc == 0)
        snprintf(id_out, id_cap, "%s", reply->str);
    freeReplyObject(reply);
    return rc;
    // @student-stub
    // (void)stream;
    // (void)maxlen;
    // (void)data;
    // (void)len;
    // (void)id_out;
    // (void)id_cap;
    // return redis_link_fail(link, "stream_add: not implemented yet");
    // @student-end
}

int group_create(struct redis_link *link, const char *stream, const char *group)
{
    // @student-begin: XGROUP CREATE STREAM GROUP 0 MKSTREAM; an error reply starting with
    // "BUSYGROUP" means the group is there already: that is fine.
    redisReply *reply = redisCommand(link->ctx, "XGROUP CREATE %s %s 0 MKSTREAM", stream, group);
    int rc = 0;
    if (!(reply && reply->type == REDIS_REPLY_ERROR && strncmp(reply->str, "BUSYGROUP", 9) == 0))
        rc = redis_link_check(link, reply, "XGROUP CREATE");
    freeReplyObject(reply);
    return rc;
    // @student-stub
    // (void)stream;
    // (void)group;
    // return redis_link_fail(link, "group_create: not implemented yet");
    // @student-end
}

// @student-begin: a helper that checks the shape of one entry [ID, [FIELD, VALUE, ...]]
// and finds its "data" field.
/* Checks that entry is [ID, [FIELD, VALUE, ...]] (or [ID, nil]) with string
 * ids, fields and values; points *data at the "data" value (NULL when there
 * is none). */
static int check_entry(struct redis_link *link, const redisReply *entry, const redisReply **data)
{
    *data = NULL;
    if (redis_link_expect(link, entry, REDIS_REPLY_ARRAY, 2, "stream entry") != 0 ||
        redis_link_expect(link, entry->element[0], REDIS_REPLY_STRING, 0, "stream entry id") != 0)
        return -1;
    if (entry->element[1]->type == REDIS_REPLY_NIL)
        return 0; /* deleted from the stream while pending: no fields left */
    if (redis_link_expect(link, entry->element[1], REDIS_REPLY_ARRAY, 0, "stream entry fields"))
        return -1;
    const redisReply *fields = entry->element[1];
    if (fields->elements % 2 != 0)
        return redis_link_fail(link, "stream entry %s: %zu field/value items, expected pairs",
                               entry->element[0]->str, fields->elements);
    for (size_t i = 0; i < fields->elements; i++)
        if (redis_link_expect(link, fields->element[i], REDIS_REPLY_STRING, 0,
                              "stream entry field") != 0)
            return -1;
    for (size_t i = 0; i + 1 < fields->elements; i += 2)
        if (strcmp(fields->element[i]->str, STREAM_DATA_FIELD) == 0)
            *data = fields->element[i + 1];
    return 0;
}
// @student-stub
// @student-end

int group_handle_entries(struct redis_link *link, const char *stream, const char *group,
                         const redisReply *entries, entry_handler handler, void *user)
{
    // @student-begin: check the whole array first (every entry), then for each entry call
    // handler(id, data, len, user) and XACK STREAM GROUP ID when it returned 0.
    const redisReply *data;
    if (redis_link_expect(link, entries, REDIS_REPLY_ARRAY, 0, "stream entries") != 0)
        return -1;
    for (size_t i = 0; i < entries->elements; i++)
        if (check_entry(link, entries->element[i], &data) != 0)
            return -1;
    int handled = 0;
    for (size_t i = 0; i < entries->elements; i++) {
        const redisReply *entry = entries->element[i];
        check_entry(link, entry, &data);
        const char *id = entry->element[0]->str;
        handler(id, data ? data->str : NULL, data ? data->len : 0, user);
        redisReply *ack = redisCommand(link->ctx, "XACK %s %s %s", stream, group, id);
        int rc = redis_link_check(link, ack, "XACK");
        if (rc == 0)
            rc = redis_link_expect(link, ack, REDIS_REPLY_INTEGER, 0, "XACK");
        freeReplyObject(ack);
        if (rc != 0)
            return -1;
        handled++;
    }
    return handled;
    // @student-stub
    // (void)stream;
    // (void)group;
    // (void)entries;
    // (void)handler;
    // (void)user;
    // return redis_link_fail(link, "group_handle_entries: not implemented yet");
    // @student-end
}

int group_read(struct redis_link *link, const char *stream, const char *group, const char *consumer,
               int count, int block_ms, entry_handler handler, void *user)
{
    // @student-begin: XREADGROUP GROUP G C COUNT N BLOCK MS STREAMS S >; a nil reply means
    // nothing came; else check [[STREAM, ENTRIES]] and pass ENTRIES to group_handle_entries.
    redisReply *reply =
        redisCommand(link->ctx, "XREADGROUP GROUP %s %s COUNT %d BLOCK %d STREAMS %s >", group,
                     consumer, count, block_ms, stream);
    int rc = redis_link_check(link, reply, "XREADGROUP");
    if (rc == 0 && reply->type == REDIS_REPLY_NIL) {
        freeReplyObject(reply);
        return 0; /* nothing new within block_ms */
    }
    if (rc == 0)
        rc = redis_link_expect(link, reply, REDIS_REPLY_ARRAY, 1, "XREADGROUP");
    if (rc == 0)
        rc = redis_link_expect(link, reply->element[0], REDIS_REPLY_ARRAY, 2, "XREADGROUP stream");
    if (rc == 0)
        rc =
            group_handle_entries(link, stream, group, reply->element[0]->element[1], handler, user);
    freeReplyObject(reply);
    return rc;
    // @student-stub
    // (void)stream;
    // (void)group;
    // (void)consumer;
    // (void)count;
    // (void)block_ms;
    // (void)handler;
    // (void)user;
    // return redis_link_fail(link, "group_read: not implemented yet");
    // @student-end
}

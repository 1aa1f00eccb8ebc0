/*
 * streams.h - exercise "streams": a stream producer and a consumer-group
 * reader that shares the entries among several consumers.
 *
 * A stream is an append-only log kept under one key. XADD appends an entry
 * (field/value pairs) and returns its id, "<milliseconds>-<sequence>", which
 * grows with every entry. Unlike Pub/Sub, entries stay until they are
 * trimmed: a reader that was away reads them when it comes back.
 *
 * A stream grows without end unless you bound it: "XADD key MAXLEN ~ N * ..."
 * trims the oldest entries so that about N remain. The "~" lets Redis drop
 * whole internal nodes (stream-node-max-entries, 100 by default) instead of
 * single entries, which is much cheaper: the stream keeps at least N entries
 * and at most about one node more.
 *
 * A consumer group shares a stream among consumers: XREADGROUP with the id
 * ">" hands each new entry to exactly one consumer of the group and records it
 * as pending for that consumer until it sends XACK. Consumers are just names;
 * run as many as you like, each on its own connection.
 *
 * In this chapter every entry carries its payload in the field "data".
 */
#ifndef STREAMS_H
#define STREAMS_H

#include "redis_link.h"

/* The field that holds an entry's payload. */
#define STREAM_DATA_FIELD "data"

/* Called once per entry with its id and the bytes of its "data" field (NULL
 * and 0 when the entry has no such field). Return 0 when the entry was
 * handled (it is then acknowledged), non-zero to leave it pending. */
typedef int (*entry_handler)(const char *id, const void *data, size_t len, void *user);

/* Appends an entry {data: DATA} to stream with XADD, trimming the stream to
 * about maxlen entries ("MAXLEN ~ maxlen"; maxlen <= 0: no trimming). The new
 * entry's id goes to id_out (at most id_cap bytes, NUL-terminated). Returns
 * 0, or -1 with link->error set (a key of another type: WRONGTYPE). */
int stream_add(struct redis_link *link, const char *stream, long maxlen, const void *data,
               size_t len, char *id_out, size_t id_cap);

/* Creates consumer group on stream, creating the stream if needed
 * (XGROUP CREATE stream group 0 MKSTREAM: the group starts at the beginning,
 * so entries added before it existed are delivered too). A group that
 * already exists (BUSYGROUP) is not an error. Returns 0 or -1. */
int group_create(struct redis_link *link, const char *stream, const char *group);

/* Hands each entry of entries - an array [[ID, [FIELD, VALUE, ...]], ...] as
 * XREADGROUP, XRANGE and XAUTOCLAIM return it; [ID, nil] for an entry deleted
 * from the stream while it was pending - to handler, and XACKs in group
 * those the handler accepted. Returns how many were handled and acked, or -1
 * with link->error set when the array is not shaped like that (checked before
 * anything is handled) or XACK failed. */
int group_handle_entries(struct redis_link *link, const char *stream, const char *group,
                         const redisReply *entries, entry_handler handler, void *user);

/* One read as consumer of group: XREADGROUP GROUP group consumer COUNT count
 * BLOCK block_ms STREAMS stream >, then group_handle_entries. Returns the
 * number of entries handled and acked (0 when none came within block_ms), or
 * -1 with link->error set: a stream or group that does not exist (the error
 * names them), a lost connection, a reply of the wrong shape. */
int group_read(struct redis_link *link, const char *stream, const char *group, const char *consumer,
               int count, int block_ms, entry_handler handler, void *user);

#endif

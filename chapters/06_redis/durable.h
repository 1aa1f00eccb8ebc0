/*
 * durable.h - exercise "durable": an acknowledged XADD that survives a crash
 * of the server, and a producer that gets every entry in exactly once across
 * that crash.
 *
 * Redis keeps its data in memory. What survives a restart depends on the
 * server's configuration, not on the client:
 *   appendonly no            only RDB snapshots (or nothing): a kill -9 loses
 *                            every write since the last snapshot;
 *   appendonly yes +
 *     appendfsync everysec   each write goes to the append-only file before
 *                            the reply, but the file is fsynced once a second:
 *                            a kill -9 of the process loses nothing (the
 *                            kernel still has the bytes), a power cut or a
 *                            kernel crash loses up to about a second;
 *     appendfsync always     fsync before the reply: an acknowledged write is
 *                            on disk, whatever happens next. It costs a disk
 *                            flush per write (see `make bench`).
 * A producer that promises "acknowledged means kept" must therefore check the
 * server's settings before it trusts an acknowledgment.
 *
 * Across a crash the producer cannot know whether a write whose reply it
 * never got went through. It retries - and must not add the entry twice. Here
 * the producer names its entries: entry number SEQ gets the stream id
 * "SEQ-0". Redis refuses an id that is not greater than the stream's last
 * one ("ERR The ID specified in XADD is equal or smaller than the target
 * stream top item"), so a retry of a write that did go through is refused
 * instead of duplicated, and XRANGE STREAM SEQ-0 SEQ-0 confirms it is there.
 */
#ifndef DURABLE_H
#define DURABLE_H

#include "redis_link.h"

/* Checks that the server keeps what it acknowledges: CONFIG GET appendonly
 * must say "yes" and CONFIG GET appendfsync "always" (each reply is
 * [NAME, VALUE]). Returns 0, or -1 with link->error naming the setting, its
 * value and what it risks ("appendfsync is everysec, not always: ..."), or
 * the unexpected reply. */
int durable_check(struct redis_link *link);

/* Appends entry number seq (>= 1) to stream with the id "SEQ-0" and the
 * field data = DATA (len bytes, binary-safe), and returns 0 only once the
 * server acknowledged it: connect to url, durable_check, XADD. When the
 * server cannot be reached, the connection breaks or the server answers
 * "LOADING" (just restarted, still reading its files), retries every 100 ms
 * or so until deadline_ms have passed. When XADD refuses the id as not greater
 * than the last one, the entry counts as stored if XRANGE finds SEQ-0 (an
 * earlier attempt went through), else it is an error. Returns 0, or -1 with
 * the last error in err (a server that does not keep its writes is refused
 * at once, without retrying). */
int durable_append(const char *url, const char *stream, long long seq, const void *data, size_t len,
                   int deadline_ms, char *err, size_t errlen);

#endif

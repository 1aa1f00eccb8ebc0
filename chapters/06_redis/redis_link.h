/*
 * redis_link.h - one connection to a Redis server, with readable errors.
 *
 * Every exercise of this chapter talks to Redis through a struct redis_link:
 * redis_link_open() parses a URL ("redis://127.0.0.1:6379", optionally
 * "redis://:password@host:port/db"), connects with a time limit and sets a
 * time limit on every command. When something fails, link->error says what,
 * in words a person can act on ("connection refused: is redis-server
 * running?").
 *
 * hiredis (0.14 on Debian 12) in four lines:
 *   redisReply *r = redisCommand(link->ctx, "XADD %s * data %b", key, bytes, len);
 *   NULL            -> the connection broke (link->ctx->errstr says why); the
 *                      context is unusable from then on: close and reconnect
 *   r->type         -> REDIS_REPLY_STRING / ARRAY / INTEGER / NIL / STATUS / ERROR
 *   freeReplyObject(r) when done (it frees the nested elements too).
 * Always pass keys and payloads as arguments (%s for C strings, %b for bytes
 * with a length), never by pasting them into the format: hiredis then sends
 * each one as a separate, binary-safe argument.
 *
 * This file is given (instructor-owned); read it, you will call it.
 */
#ifndef REDIS_LINK_H
#define REDIS_LINK_H

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>

/* Every command gives up after this long without an answer (a server that
 * hangs). Keep XREADGROUP's BLOCK below it. */
#define REDIS_LINK_COMMAND_TIMEOUT_MS 10000

struct redis_link {
    redisContext *ctx; /* NULL when not connected */
    char error[512];   /* last error, "" if none */
};

/* Connects to url, waiting at most timeout_ms for the TCP connect; sends AUTH
 * and SELECT when the URL has a password or a database number. Returns 0, or
 * -1 with link->error set (link->ctx is then NULL). */
int redis_link_open(struct redis_link *link, const char *url, int timeout_ms);

/* Closes the connection and frees everything. Safe to call twice and on a
 * link that never opened. */
void redis_link_close(struct redis_link *link);

/* Checks the result of redisCommand: returns 0 for a reply that is not an
 * error; -1 with link->error = "WHAT: reason" when reply is NULL (connection
 * lost, timed out) or a REDIS_REPLY_ERROR ("XADD: server said: WRONGTYPE
 * ..."). Does not free the reply. */
int redis_link_check(struct redis_link *link, const redisReply *reply, const char *what);

/* Checks a reply's shape: returns 0 when reply is of the given type (and,
 * for REDIS_REPLY_ARRAY, has at least min_elements elements); else -1 with
 * link->error = "WHAT: unexpected reply from the server: expected an array of
 * at least 3 elements, got an integer (5)". Use it on every level of a nested
 * reply before you look inside: a reply you did not expect is an error, not a
 * crash. */
int redis_link_expect(struct redis_link *link, const redisReply *reply, int type,
                      size_t min_elements, const char *what);

/* Waits up to timeout_ms for one reply the server pushes without being asked
 * (Pub/Sub messages). Returns 1 with *reply set (free it), 0 when nothing came
 * in time (the link stays usable), -1 with link->error set when the
 * connection broke. */
int redis_link_wait_reply(struct redis_link *link, redisReply **reply, int timeout_ms);

/* Sets link->error like printf and returns -1, for one-line error exits. */
int redis_link_fail(struct redis_link *link, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Copies link->error into buf (if buf is not NULL), for functions that report
 * errors through a caller's buffer. */
void redis_link_copy_error(const struct redis_link *link, char *buf, size_t len);

/* The name of a REDIS_REPLY_* type, for messages ("array", "integer", ...). */
const char *redis_link_type_name(int type);

#endif

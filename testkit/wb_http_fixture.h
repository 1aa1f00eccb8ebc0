/*
 * wb_http_fixture.h - a scriptable HTTP server for tests (libmicrohttpd).
 *
 * The fixture listens on 127.0.0.1 on a port the kernel picks and answers
 * each request with the next reply of a script (a FIFO queue); when the
 * script is empty it uses a default reply (200 "ok\n" unless changed).
 * A reply can carry any status, headers (Retry-After, ...), body and content
 * type, can wait a while before answering ("stall"), or can close the
 * connection without answering.
 *
 * Every request is recorded: method, path, body, Idempotency-Key header and
 * arrival time, so a test can check what a client really sent.
 *
 * Idempotency store (for POST): the first POST with a given Idempotency-Key
 * is processed with the next scripted reply. When that reply means "the
 * server did the work" (see wb_http_reply.status below), the fixture counts
 * one effect and stores the reply under the key; every later POST with the
 * same key gets the stored reply again, without a second effect and without
 * consuming the script.
 *
 * Each connection gets its own thread, so a stalled reply never holds up
 * the next request. All functions are thread-safe. Setup failures end the
 * test with a Criterion assertion that names the failing call.
 */
#ifndef WB_HTTP_FIXTURE_H
#define WB_HTTP_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WB_HTTP_MAX_HEADERS 8

/* One scripted reply. Zero-initialise and fill what you need. */
struct wb_http_reply {
    /* HTTP status to answer with. With .close set, a nonzero status means
     * "the request was processed but the answer got lost": a POST counts as
     * an effect and, with an Idempotency-Key, the reply is stored for later
     * retries. For a plain reply, statuses 429 and 5xx mean "not processed"
     * (no effect, nothing stored); everything else counts as processed. */
    int status;
    const char *content_type; /* NULL: no Content-Type header */
    const char *body;         /* NULL: empty body */
    size_t body_len;          /* 0: strlen(body) */
    /* Extra headers as "Name: value" strings; unused slots stay NULL. */
    const char *headers[WB_HTTP_MAX_HEADERS];
    int stall_ms; /* wait this long before answering or closing */
    bool close;   /* close the connection without answering */
};

/* One request the fixture received. Strings are NUL-terminated copies that
 * belong to the caller: free with wb_http_recorded_free. */
struct wb_http_recorded {
    char *method;
    char *path;
    char *body; /* the request body, "" when there was none */
    size_t body_len;
    char *idempotency_key; /* NULL when the header was absent */
    int64_t at_ms;         /* arrival, on the wb_now_ms() clock */
};

struct wb_http_fixture;

/* Starts a fixture on 127.0.0.1, port chosen by the kernel. */
struct wb_http_fixture *wb_http_fixture_start(void);

/* Stops the server (waking stalled replies) and frees everything. NULL is
 * accepted. */
void wb_http_fixture_stop(struct wb_http_fixture *fx);

uint16_t wb_http_fixture_port(const struct wb_http_fixture *fx);

/* "http://127.0.0.1:PORT" + path. Static buffer, overwritten by the next
 * call: copy it if you need two. */
const char *wb_http_fixture_url(const struct wb_http_fixture *fx, const char *path);

/* Appends a reply to the script (the reply and its strings are copied). */
void wb_http_fixture_push(struct wb_http_fixture *fx, const struct wb_http_reply *reply);

/* Shorthands for the common cases. */
void wb_http_fixture_push_status(struct wb_http_fixture *fx, int status, const char *content_type,
                                 const char *body);
void wb_http_fixture_push_close(struct wb_http_fixture *fx);
void wb_http_fixture_push_stall(struct wb_http_fixture *fx, int stall_ms);

/* Replaces the reply used when the script is empty (copied). */
void wb_http_fixture_set_default(struct wb_http_fixture *fx, const struct wb_http_reply *reply);

/* Number of requests received so far. */
size_t wb_http_fixture_request_count(struct wb_http_fixture *fx);

/* Copies request number index (0 = first). Returns false when there is no
 * such request (out is then zeroed). */
bool wb_http_fixture_request(struct wb_http_fixture *fx, size_t index,
                             struct wb_http_recorded *out);
void wb_http_recorded_free(struct wb_http_recorded *req);

/* Number of POST requests the fixture processed (its "side effects");
 * replays from the idempotency store do not count. */
size_t wb_http_fixture_effect_count(struct wb_http_fixture *fx);

/* Scripted replies not used yet. */
size_t wb_http_fixture_pending(struct wb_http_fixture *fx);

#endif

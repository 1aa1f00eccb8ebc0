/*
 * wb_nats.h - chapter 05's independent peer: a small NATS client written
 * straight over NATS's text protocol, with no libnats in it.
 *
 * Tests use it to check the student's libnats code from the outside: publish
 * and subscribe (also in a queue group), request/reply, and JetStream's API,
 * which is plain request/reply with JSON on subjects "$JS.API.>". The
 * protocol is lines ending in CRLF:
 *
 *   server: INFO {json}        client: CONNECT {json}
 *   client: SUB subject [queue] sid        UNSUB sid
 *   client: PUB subject [reply] nbytes CRLF payload
 *   client: HPUB subject [reply] hdrbytes totalbytes CRLF headers payload
 *   server: MSG subject sid [reply] nbytes CRLF payload
 *   server: HMSG subject sid [reply] hdrbytes totalbytes CRLF headers payload
 *   both:   PING / PONG        server: +OK / -ERR 'text'
 *
 * Also here: a fake server that greets a client and then never answers
 * again, for tests of what code does when the server goes silent.
 */
#ifndef WB_NATS_H
#define WB_NATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wb_nats;

struct wb_nats_msg {
    char subject[256];
    char reply[256];    /* "" when the sender expects no reply */
    char headers[1024]; /* the header block ("NATS/1.0 ...\r\n..."), "" when none */
    char *data;         /* payload, NUL-terminated (heap) */
    size_t len;
    bool no_responders; /* the server's "503" status: nobody subscribed to a request */
};

/* Connects to url ("nats://host:port" or "host:port"), reads INFO, sends
 * CONNECT (headers and no_responders on) and waits for the PONG of a PING.
 * NULL with err set on failure. */
struct wb_nats *wb_nats_connect(const char *url, char *err, size_t errlen);
void wb_nats_close(struct wb_nats *c);

/* SUB; queue may be NULL. Returns the subscription id (> 0) or -1. */
int wb_nats_sub(struct wb_nats *c, const char *subject, const char *queue);
int wb_nats_unsub(struct wb_nats *c, int sid);

/* PUB, or HPUB when headers is not NULL ("Name: value\r\n" lines, without the
 * "NATS/1.0" line and the empty line: added here). reply may be NULL.
 * 0 or -1. Not flushed: call wb_nats_flush to know the server read it. */
int wb_nats_pub(struct wb_nats *c, const char *subject, const char *reply, const void *data,
                size_t len, const char *headers);

/* PING and wait for PONG: when it returns 0, the server has processed all
 * that was sent before. Messages arriving meanwhile are kept for
 * wb_nats_next. -1 on error or after timeout_ms. */
int wb_nats_flush(struct wb_nats *c, int timeout_ms);

/* The next message of any subscription: 1 (free it with wb_nats_msg_free),
 * 0 after timeout_ms, -1 on error. */
int wb_nats_next(struct wb_nats *c, struct wb_nats_msg *m, int timeout_ms);
void wb_nats_msg_free(struct wb_nats_msg *m);

/* Request/reply: subscribes a fresh inbox, publishes with it as reply
 * subject (headers as in wb_nats_pub), waits for one reply. 1 with the reply
 * in m (m->no_responders when the server said nobody listens), 0 on
 * timeout, -1 on error. */
int wb_nats_request(struct wb_nats *c, const char *subject, const void *data, size_t len,
                    const char *headers, struct wb_nats_msg *m, int timeout_ms);

/* JetStream API call: request to "$JS.API.<api>" with a JSON body ("" for
 * none). Returns the parsed reply (json_decref it) or NULL with err set. A
 * reply holding {"error": ...} is returned as is. */
json_t *wb_nats_js(struct wb_nats *c, const char *api, const char *body, char *err, size_t errlen);

/* The last error of c, in words. */
const char *wb_nats_error(const struct wb_nats *c);

/* A fake server on a free port of 127.0.0.1: it greets each client (INFO),
 * answers pings until the client's first PUB, then goes silent - it keeps
 * reading, never answers. Returns the port; stop it with wb_nats_silent_stop. */
struct wb_nats_silent;
struct wb_nats_silent *wb_nats_silent_start(uint16_t *port);
void wb_nats_silent_stop(struct wb_nats_silent *s);

/* A nats-server of the test's own (wb_nats_server.c): JetStream on, its store
 * in a fresh folder, on a free port of 127.0.0.1. For a test that restarts
 * its server, so that it need not run alone on the course's. */
struct wb_nats_server {
    int pid;
    uint16_t port;
    char url[64];    /* nats://127.0.0.1:PORT */
    char store[256]; /* its -sd folder */
    char log[272];   /* its output */
};
/* Starts s and waits until it listens; false with why set when it does not. */
bool wb_nats_server_start(struct wb_nats_server *s, char *why, size_t why_len);
/* Stops s and starts it again on the same port and store, as
 * scripts/broker-nats.sh restart does with the course's server. */
bool wb_nats_server_restart(struct wb_nats_server *s, char *why, size_t why_len);
/* Stops s (when it runs) and removes its store and log. */
void wb_nats_server_stop(struct wb_nats_server *s);

#endif

/*
 * redis_fixture.h - what chapter 06's tests use besides the code under test:
 * direct commands on their own connection, private servers that a test may
 * kill, a fake server that answers with malformed replies, and the peers
 * (redis-cli, a Python redis-py script). Every call asserts (Criterion) on
 * failure with a message that says what broke. The shared server's address
 * comes from REDIS_URL.
 */
#ifndef REDIS_FIXTURE_H
#define REDIS_FIXTURE_H

#include "redis_link.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* REDIS_URL, or a failed assertion explaining how to start a server. */
const char *fx_url(void);

/* A unique key name (wb_unique_name) copied into buf. */
const char *fx_name(char *buf, size_t cap, const char *prefix);

/* Opens link to url, or fails the test. */
void fx_connect(struct redis_link *link, const char *url);

/* Runs a command on a connection of its own to url; asserts a reply that is
 * not an error and returns it (free with freeReplyObject). */
redisReply *fx_command(const char *url, const char *fmt, ...);
/* The same on an open connection (fx_connect): for many commands in a row,
 * each new connection costs a connect through the sandbox's relay. */
redisReply *fx_command_on(struct redis_link *link, const char *fmt, ...);
/* The same for commands whose reply is an integer (XLEN, DEL, PUBLISH). */
long long fx_integer(const char *url, const char *fmt, ...);
/* XPENDING stream group: how many entries are pending in the group. */
long long fx_pending(const char *url, const char *stream, const char *group);
/* Waits until channel has at least n subscribers (PUBSUB NUMSUB). */
bool fx_wait_subscribers(const char *url, const char *channel, long long n, int timeout_ms);

/* ---- what the handlers of a test saw ---------------------------------------- */
#define FX_MAX_ENTRIES 400
struct fx_seen {
    pthread_mutex_t lock;
    int times[FX_MAX_ENTRIES]; /* per entry number N (payload "item-N"), how often handled */
    int total;                 /* entries handled with an item-N payload */
    int unknown;               /* entries handled with another payload (or none) */
    int refuse;                /* the handler refuses item-N with this N (-1: none) */
};
void fx_seen_init(struct fx_seen *s);
/* An entry_handler (streams.h) counting into the struct fx_seen in user. */
int fx_seen_handler(const char *id, const void *data, size_t len, void *user);
/* Adds entries {data: item-0} .. {data: item-(n-1)} to stream. */
void fx_add_items(const char *url, const char *stream, int n);

/* ---- a private server of this test: scripts/broker-redis.sh in a scratch
 * folder, so that killing it touches no other test ------------------------- */
struct fx_server {
    char base[512]; /* WB_BUILD_DIR of its script runs */
    char url[256];  /* redis://127.0.0.1:PORT */
};
/* Starts a server with extra redis-server options (e.g. "--appendfsync always"). */
void fx_server_start(struct fx_server *s, const char *options);
/* kill -9 of the server, then a new one on the same port and data (the
 * script's kill9); returns once it answers again. */
void fx_server_kill9(struct fx_server *s);
/* Stops it (never asserts: safe in .fini). */
void fx_server_stop(struct fx_server *s);

/* ---- a fake server that answers with canned bytes ------------------------ */
/* Listens on 127.0.0.1 and answers the i-th command it receives with
 * replies[i] (raw RESP, e.g. ":5\r\n"); after the last one it answers nothing
 * more. One client at a time. Returns its URL (static buffer). */
const char *fx_fake_start(const char *const *replies);
void fx_fake_stop(void);
/* Asserts that error says the reply was unexpected (redis_link_expect's words). */
void fx_assert_unexpected(const char *error);

/* ---- peers ---------------------------------------------------------------- */
/* Runs redis-cli -u url ARGS... and returns its output (static buffer, last
 * newline removed); asserts it ran and exited 0. */
const char *fx_redis_cli(const char *url, const char *const *args);
/* Runs peers/redis_peer.py ARGS... (Python redis-py); returns its output
 * (heap, free it) and asserts it exited 0. */
char *fx_python_peer(const char *const *args);
/* The same for a peer that ends by killing itself (SIGKILL): "crash". */
char *fx_python_crashing_peer(const char *const *args);

#endif

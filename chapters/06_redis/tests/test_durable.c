/*
 * test_durable.c - tests of exercise "durable" (durable.c). Each test starts
 * a private Redis server of its own with scripts/broker-redis.sh (in the
 * test's scratch folder, on a free port) so that it can configure it and kill
 * it with kill -9 without touching anyone else; the Python peer (redis-py)
 * and redis-cli read what survived.
 */
#include "durable.h"
#include "tests/redis_fixture.h"
#include "wb_testkit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct fx_server server;

static void stop_server(void)
{
    fx_server_stop(&server);
}

WB_SUITE(durable, .fini = stop_server);

#define ALWAYS "--appendonly yes --appendfsync always"

/* Tests that start a server of their own get more than the usual 10 s: the
 * start is quick, but under valgrind and on a loaded machine the test around
 * it is not. */
#define SERVER_TEST_TIMEOUT 30

static void check_refused(const char *options, const char *setting, const char *value)
{
    fx_server_start(&server, options);
    struct redis_link link;
    fx_connect(&link, server.url);
    int rc = durable_check(&link);
    redis_link_close(&link);
    cr_assert_eq(rc, -1, "durable_check accepted a server started with \"%s\"", options);
    cr_assert(strstr(link.error, setting) != NULL && strstr(link.error, value) != NULL,
              "error is \"%s\"; expected it to name the setting %s and its value %s", link.error,
              setting, value);
}

Test(durable, check_accepts_always, .timeout = SERVER_TEST_TIMEOUT,
     .description = "a private redis-server to start, then durable_check's reply")
{
    fx_server_start(&server, ALWAYS);
    struct redis_link link;
    fx_connect(&link, server.url);
    int rc = durable_check(&link);
    redis_link_close(&link);
    cr_assert_eq(rc, 0,
                 "durable_check refused a server with appendonly yes, appendfsync "
                 "always: %s",
                 link.error);
}

Test(durable, check_names_everysec, .timeout = SERVER_TEST_TIMEOUT,
     .description = "a private redis-server to start, then durable_check's reply")
{
    check_refused("--appendonly yes --appendfsync everysec", "appendfsync", "everysec");
}

Test(durable, check_names_appendonly_no, .timeout = SERVER_TEST_TIMEOUT,
     .description = "a private redis-server to start, then durable_check's reply")
{
    check_refused("--appendonly no --appendfsync always", "appendonly", "no");
}

Test(durable, malformed_config_reply_is_an_error)
{
    /* CONFIG GET appendonly answered with ["appendonly"]: no value */
    const char *replies[] = {"*1\r\n$10\r\nappendonly\r\n", NULL};
    const char *url = fx_fake_start(replies);
    struct redis_link link;
    fx_connect(&link, url);
    int rc = durable_check(&link);
    redis_link_close(&link);
    fx_fake_stop();
    cr_assert_eq(rc, -1,
                 "durable_check accepted [\"appendonly\"] (no value) as CONFIG GET's reply");
    fx_assert_unexpected(link.error);
}

static void append(const char *url, const char *stream, long long seq, const char *text,
                   int deadline_ms)
{
    char err[512] = "";
    int rc = durable_append(url, stream, seq, text, strlen(text), deadline_ms, err, sizeof err);
    cr_assert_eq(rc, 0, "durable_append(%s, seq %lld, \"%s\") returned %d: %s", stream, seq, text,
                 rc, err);
}

Test(durable, append_refuses_a_server_that_forgets, .timeout = SERVER_TEST_TIMEOUT,
     .description = "a private redis-server to start, then durable_append to refuse it")
{
    fx_server_start(&server, "--appendonly no");
    char stream[128], err[512] = "";
    fx_name(stream, sizeof stream, "wb-ledger");
    int rc = durable_append(server.url, stream, 1, "x", 1, 5000, err, sizeof err);
    cr_assert_eq(rc, -1, "durable_append wrote to a server with appendonly no and returned %d", rc);
    cr_assert(strstr(err, "appendonly") != NULL,
              "error is \"%s\"; expected it to say appendonly is off", err);
    long long n = fx_integer(server.url, "EXISTS %s", stream);
    cr_assert_eq(n, 0, "the stream was written although the server does not keep it");
}

Test(durable, retried_append_is_stored_once, .timeout = SERVER_TEST_TIMEOUT,
     .description = "a private redis-server to start, then three durable_append calls")
{
    fx_server_start(&server, ALWAYS);
    char stream[128];
    fx_name(stream, sizeof stream, "wb-ledger");
    append(server.url, stream, 1, "first", 5000);
    append(server.url, stream, 2, "second", 5000);
    append(server.url, stream, 2, "second", 5000); /* a retry whose first reply was lost */
    long long n = fx_integer(server.url, "XLEN %s", stream);
    cr_assert_eq(n, 2, "XLEN is %lld after appending entries 1, 2 and 2 again; expected 2", n);
    const char *args[] = {"xrange", server.url, stream, NULL};
    char *out = fx_python_peer(args);
    bool ok = strcmp(out, "1-0 6669727374\n2-0 7365636f6e64\n") == 0;
    cr_assert(ok,
              "redis-py reads the stream as:\n%sexpected ids 1-0 and 2-0 with \"first\" and "
              "\"second\" (entry SEQ gets the id \"SEQ-0\")",
              out);
    free(out);
}

Test(durable, unreachable_server_retries_until_the_deadline)
{
    char url[64], err[512] = "";
    snprintf(url, sizeof url, "redis://127.0.0.1:%u", wb_refusing_port());
    int64_t start = wb_now_ms();
    int rc = durable_append(url, "s", 1, "x", 1, 1000, err, sizeof err);
    int64_t took = wb_now_ms() - start;
    cr_assert_eq(rc, -1, "durable_append to %s (nothing listens) returned %d", url, rc);
    cr_assert(strstr(err, "refused") != NULL,
              "error is \"%s\"; expected it to say the connection was refused", err);
    cr_assert(took >= 800,
              "durable_append gave up after %lld ms; with a 1000 ms deadline it must keep "
              "retrying (a server restarting is unreachable for a moment)",
              (long long)took);
}

Test(durable, acknowledged_entries_survive_kill9, .timeout = 60,
     .description = "50 durable_append calls, kill -9 of redis-server and its restart")
{
    fx_server_start(&server, ALWAYS);
    char stream[128];
    fx_name(stream, sizeof stream, "wb-ledger");
    for (int i = 1; i <= 50; i++) {
        char text[32];
        snprintf(text, sizeof text, "payment %d", i);
        append(server.url, stream, i, text, 5000);
    }
    fx_server_kill9(&server);
    long long n = fx_integer(server.url, "XLEN %s", stream);
    cr_assert_eq(n, 50,
                 "after kill -9 and a restart the stream holds %lld of the 50 acknowledged "
                 "entries",
                 n);
    const char *args[] = {"XRANGE", stream, "50-0", "50-0", NULL};
    const char *out = fx_redis_cli(server.url, args);
    cr_assert_str_eq(out, "50-0\ndata\npayment 50", "redis-cli XRANGE %s 50-0 50-0 shows \"%s\"",
                     stream, out);
}

/* ---- a producer that keeps appending while the server is killed ----------- */

struct producer {
    pthread_t thread;
    const char *stream;
    volatile int stop;
    volatile long long acked; /* highest sequence number acknowledged */
    long long failed_seq;
    char err[512];
};

static void *producer_main(void *arg)
{
    struct producer *p = arg;
    for (long long seq = 1; !p->stop; seq++) {
        char text[32];
        int len = snprintf(text, sizeof text, "event %lld", seq);
        if (durable_append(server.url, p->stream, seq, text, (size_t)len, 30000, p->err,
                           sizeof p->err) != 0) {
            p->failed_seq = seq;
            return NULL;
        }
        p->acked = seq;
    }
    return NULL;
}

static bool wait_acked(struct producer *p, long long n, int timeout_ms)
{
    int64_t deadline = wb_now_ms() + timeout_ms;
    while (p->acked < n && !p->failed_seq && wb_now_ms() < deadline)
        usleep(5 * 1000);
    return p->acked >= n;
}

Test(durable, producer_rides_through_kill9, .timeout = 90,
     .description = "durable_append to go on through kill -9 and the restart of redis-server (20 "
                    "entries before, 20 after), then the producer to stop")
{
    fx_server_start(&server, ALWAYS);
    char stream[128];
    fx_name(stream, sizeof stream, "wb-ledger");
    struct producer p = {.stream = stream};
    cr_assert_eq(pthread_create(&p.thread, NULL, producer_main, &p), 0, "pthread_create");
    bool started = wait_acked(&p, 20, 20000);
    fx_server_kill9(&server); /* in the middle of the stream of appends */
    long long at_restart = p.acked;
    bool resumed = wait_acked(&p, at_restart + 20, 30000);
    p.stop = 1;
    pthread_join(p.thread, NULL);
    cr_assert(started, "durable_append did not get 20 entries in before the kill (%s)", p.err);
    cr_assert(p.failed_seq == 0,
              "durable_append of entry %lld returned -1 around the server's kill -9 and "
              "restart: %s. It must retry until the server is back",
              p.failed_seq, p.err);
    cr_assert(resumed, "no progress after the restart: %lld acknowledged (%s)", p.acked, p.err);

    /* Every acknowledged entry is there, once, in order; nothing else is. */
    redisReply *r = fx_command(server.url, "XRANGE %s - +", stream);
    long long expected = p.acked;
    bool ok = r->type == REDIS_REPLY_ARRAY && (long long)r->elements == expected;
    for (size_t i = 0; ok && i < r->elements; i++) {
        char id[32];
        snprintf(id, sizeof id, "%zu-0", i + 1);
        ok = strcmp(r->element[i]->element[0]->str, id) == 0;
    }
    size_t count = r->type == REDIS_REPLY_ARRAY ? r->elements : 0;
    freeReplyObject(r);
    cr_assert(ok,
              "after the kill -9 the stream holds %zu entries; the producer had %lld "
              "acknowledged, numbered 1-0 .. %lld-0, and each must be there exactly once",
              count, expected, expected);
    cr_log_info("kill -9 after %lld entries; %lld acknowledged in all", at_restart, expected);
}

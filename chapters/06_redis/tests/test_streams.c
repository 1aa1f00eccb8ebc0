/*
 * test_streams.c - tests of exercise "streams" (streams.c). Needs a Redis
 * server at REDIS_URL; peers: redis-cli and the Python peer (redis-py).
 */
#include "streams.h"
#include "tests/redis_fixture.h"
#include "wb_testkit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

WB_SUITE(streams);

static void create_group(struct redis_link *link, const char *stream, const char *group)
{
    int rc = group_create(link, stream, group);
    cr_assert_eq(rc, 0, "group_create(\"%s\", \"%s\") returned %d: %s", stream, group, rc,
                 link->error);
}

Test(streams, add_returns_the_id_redis_cli_sees)
{
    char stream[128], id[64] = "";
    fx_name(stream, sizeof stream, "wb-events");
    struct redis_link link;
    fx_connect(&link, fx_url());
    int rc = stream_add(&link, stream, 1000, "order 17 paid", 13, id, sizeof id);
    cr_assert_eq(rc, 0, "stream_add returned %d: %s", rc, link.error);
    redis_link_close(&link);
    const char *args[] = {"XRANGE", stream, "-", "+", NULL};
    const char *out = fx_redis_cli(fx_url(), args);
    char expected[256];
    snprintf(expected, sizeof expected, "%s\ndata\norder 17 paid", id);
    cr_assert_str_eq(out, expected,
                     "redis-cli XRANGE %s - + shows\n%s\nexpected the entry with id \"%s\" and "
                     "one field data = \"order 17 paid\"",
                     stream, out, id);
}

Test(streams, maxlen_keeps_the_stream_bounded)
{
    char stream[128], id[64] = "", last[64] = "";
    fx_name(stream, sizeof stream, "wb-bounded");
    redisReply *cfg = fx_command(fx_url(), "CONFIG GET stream-node-max-entries");
    long node = cfg->type == REDIS_REPLY_ARRAY && cfg->elements == 2
                    ? strtol(cfg->element[1]->str, NULL, 10)
                    : 100;
    freeReplyObject(cfg);
    struct redis_link link;
    fx_connect(&link, fx_url());
    if (node <= 0)
        node = 100; /* Redis's default */
    /* Three nodes' worth: a stream never trimmed ends at twice the bound
     * checked below; one trimmed with MAXLEN ~ keeps at most a node more. */
    const long maxlen = 50, total = 3 * node;
    for (long i = 0; i < total; i++) {
        char text[32];
        int len = snprintf(text, sizeof text, "item-%ld", i);
        int rc = stream_add(&link, stream, maxlen, text, (size_t)len, id, sizeof id);
        cr_assert_eq(rc, 0, "stream_add #%ld returned %d: %s", i, rc, link.error);
        snprintf(last, sizeof last, "%s", id);
    }
    redis_link_close(&link);
    long long n = fx_integer(fx_url(), "XLEN %s", stream);
    cr_assert(n >= maxlen && n <= maxlen + node,
              "after %ld stream_add calls with maxlen %ld, XLEN is %lld; expected between %ld "
              "and %ld (MAXLEN ~ trims whole nodes of %ld entries)",
              total, maxlen, n, maxlen, maxlen + node, node);
    redisReply *top = fx_command(fx_url(), "XREVRANGE %s + - COUNT 1", stream);
    bool newest = top->type == REDIS_REPLY_ARRAY && top->elements == 1 &&
                  strcmp(top->element[0]->element[0]->str, last) == 0;
    freeReplyObject(top);
    cr_assert(newest,
              "the newest entry is not the last one added (%s): trimming must drop the "
              "oldest entries",
              last);
}

/* 30 s: it starts a Python peer, slow to start on a loaded machine. */
Test(streams, binary_payload_read_by_python, .timeout = 30,
     .description = "stream_add's reply, then the Python peer's XRANGE")
{
    char stream[128], id[64] = "";
    fx_name(stream, sizeof stream, "wb-bin");
    static const char payload[] = "\x00\x01 %s\r\n\xff";
    struct redis_link link;
    fx_connect(&link, fx_url());
    int rc = stream_add(&link, stream, 0, payload, sizeof payload - 1, id, sizeof id);
    cr_assert_eq(rc, 0, "stream_add returned %d: %s", rc, link.error);
    redis_link_close(&link);
    const char *args[] = {"xrange", fx_url(), stream, NULL};
    char *out = fx_python_peer(args);
    char expected[128];
    snprintf(expected, sizeof expected, "%s 00012025730d0aff\n", id);
    bool same = strcmp(out, expected) == 0;
    cr_assert(same,
              "redis-py reads the entry as \"%s\"; expected \"%s\" (id, payload in hex): pass "
              "payloads with %%b, never %%s",
              out, expected);
    free(out);
}

Test(streams, wrong_type_is_a_clear_error)
{
    char key[128], id[64] = "";
    fx_name(key, sizeof key, "wb-string");
    freeReplyObject(fx_command(fx_url(), "SET %s plain", key));
    struct redis_link link;
    fx_connect(&link, fx_url());
    int rc = stream_add(&link, key, 10, "x", 1, id, sizeof id);
    redis_link_close(&link);
    cr_assert_eq(rc, -1, "stream_add on a string key returned %d, expected -1", rc);
    cr_assert(strstr(link.error, "WRONGTYPE") != NULL,
              "error is \"%s\"; expected the server's WRONGTYPE answer", link.error);
}

Test(streams, group_gets_entries_added_before_it_existed)
{
    char stream[128], group[128];
    fx_name(stream, sizeof stream, "wb-orders");
    fx_name(group, sizeof group, "billing");
    fx_add_items(fx_url(), stream, 5);
    struct redis_link link;
    fx_connect(&link, fx_url());
    create_group(&link, stream, group);
    create_group(&link, stream, group); /* again: BUSYGROUP is fine */
    struct fx_seen s;
    fx_seen_init(&s);
    int rc = group_read(&link, stream, group, "c1", 10, 1000, fx_seen_handler, &s);
    redis_link_close(&link);
    cr_assert_eq(rc, 5,
                 "group_read returned %d for a group created after 5 entries were added; "
                 "expected 5 (a group starting at id 0 sees the whole stream): %s",
                 rc, link.error);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(s.times[i], 1, "item-%d handled %d times", i, s.times[i]);
    cr_assert_eq(fx_pending(fx_url(), stream, group), 0, "entries still pending: not XACKed?");
}

/* 30 s: it starts a Python peer, slow to start on a loaded machine. */
Test(streams, read_acks_handled_and_keeps_refused_pending, .timeout = 30,
     .description = "group_read (BLOCK 1000) to read, handle and ack the 7 entries")
{
    char stream[128], group[128];
    fx_name(stream, sizeof stream, "wb-orders");
    fx_name(group, sizeof group, "billing");
    struct redis_link link;
    fx_connect(&link, fx_url());
    create_group(&link, stream, group);
    const char *args[] = {"xadd", fx_url(), stream, "3", NULL};
    free(fx_python_peer(args)); /* the Python peer adds peer-0..peer-2 */
    fx_add_items(fx_url(), stream, 4);
    struct fx_seen s;
    fx_seen_init(&s);
    s.refuse = 2;
    int rc = group_read(&link, stream, group, "c1", 100, 1000, fx_seen_handler, &s);
    redis_link_close(&link);
    cr_assert_eq(rc, 6,
                 "group_read returned %d; expected 6: 3 entries from the Python peer and 4 "
                 "from redis, of which the handler refused item-2 (%s)",
                 rc, link.error);
    cr_assert_eq(s.unknown, 3,
                 "the handler saw %d entries without an item-N payload; expected "
                 "the Python peer's 3",
                 s.unknown);
    long long pending = fx_pending(fx_url(), stream, group);
    cr_assert_eq(pending, 1,
                 "%lld entries pending after the read; expected 1 (item-2, which the handler "
                 "refused: it must stay pending, everything else acked)",
                 pending);
}

struct consumer {
    pthread_t thread;
    const char *stream, *group;
    char name[32];
    struct fx_seen *seen;
    int handled;
    char err[512];
};

static void *consumer_main(void *arg)
{
    struct consumer *c = arg;
    struct redis_link link;
    if (redis_link_open(&link, fx_url(), 5000) != 0) {
        snprintf(c->err, sizeof c->err, "%s", link.error);
        return NULL;
    }
    /* Read until three reads in a row bring nothing. */
    for (int idle = 0; idle < 3;) {
        int rc = group_read(&link, c->stream, c->group, c->name, 10, 200, fx_seen_handler, c->seen);
        if (rc < 0) {
            snprintf(c->err, sizeof c->err, "%s", link.error);
            break;
        }
        c->handled += rc;
        idle = rc == 0 ? idle + 1 : 0;
    }
    redis_link_close(&link);
    return NULL;
}

Test(streams, three_consumers_handle_each_entry_once, .timeout = 30,
     .description = "three consumers calling group_read to share 150 entries and return")
{
    char stream[128], group[128];
    fx_name(stream, sizeof stream, "wb-orders");
    fx_name(group, sizeof group, "billing");
    const int total = 150;
    fx_add_items(fx_url(), stream, total);
    struct redis_link link;
    fx_connect(&link, fx_url());
    create_group(&link, stream, group);
    redis_link_close(&link);
    struct fx_seen s;
    fx_seen_init(&s);
    struct consumer c[3];
    for (int i = 0; i < 3; i++) {
        c[i] = (struct consumer){.stream = stream, .group = group, .seen = &s};
        snprintf(c[i].name, sizeof c[i].name, "consumer-%d", i);
        cr_assert_eq(pthread_create(&c[i].thread, NULL, consumer_main, &c[i]), 0, "pthread");
    }
    for (int i = 0; i < 3; i++)
        pthread_join(c[i].thread, NULL);
    for (int i = 0; i < 3; i++)
        cr_assert(c[i].err[0] == '\0', "consumer-%d failed: %s", i, c[i].err);
    for (int i = 0; i < total; i++)
        cr_assert_eq(s.times[i], 1,
                     "item-%d was handled %d times by three consumers of one group; each entry "
                     "must go to exactly one consumer (XREADGROUP with \">\")",
                     i, s.times[i]);
    cr_assert_eq(fx_pending(fx_url(), stream, group), 0, "entries still pending: not XACKed?");
    cr_log_info("three consumers handled %d / %d / %d entries", c[0].handled, c[1].handled,
                c[2].handled);
}

Test(streams, missing_group_is_a_clear_error)
{
    char stream[128];
    fx_name(stream, sizeof stream, "wb-nothing");
    struct redis_link link;
    fx_connect(&link, fx_url());
    struct fx_seen s;
    fx_seen_init(&s);
    int rc = group_read(&link, stream, "no-such-group", "c1", 10, 100, fx_seen_handler, &s);
    redis_link_close(&link);
    cr_assert_eq(rc, -1, "group_read on a stream that does not exist returned %d", rc);
    cr_assert(strstr(link.error, stream) != NULL && strstr(link.error, "no-such-group") != NULL,
              "error is \"%s\"; expected it to name the stream %s and the group no-such-group "
              "(the server's NOGROUP answer does)",
              link.error, stream);
}

Test(streams, malformed_read_reply_is_an_error)
{
    /* [[STREAM, [[ID, 7]]]]: the field list of the entry is an integer */
    const char *bad_fields[] = {"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n:7\r\n", NULL};
    const char *url = fx_fake_start(bad_fields);
    struct redis_link link;
    fx_connect(&link, url);
    struct fx_seen s;
    fx_seen_init(&s);
    int rc = group_read(&link, "s", "g", "c1", 10, 100, fx_seen_handler, &s);
    redis_link_close(&link);
    fx_fake_stop();
    cr_assert_eq(rc, -1, "group_read accepted an entry whose fields are an integer (returned %d)",
                 rc);
    fx_assert_unexpected(link.error);
    cr_assert_eq(s.total + s.unknown, 0, "the handler was called for a malformed entry");

    /* [[STREAM]]: the entries are missing altogether */
    const char *no_entries[] = {"*1\r\n*1\r\n$1\r\ns\r\n", NULL};
    url = fx_fake_start(no_entries);
    fx_connect(&link, url);
    rc = group_read(&link, "s", "g", "c1", 10, 100, fx_seen_handler, &s);
    redis_link_close(&link);
    fx_fake_stop();
    cr_assert_eq(rc, -1, "group_read accepted [[\"s\"]] (no entries array), returned %d", rc);
    fx_assert_unexpected(link.error);
}

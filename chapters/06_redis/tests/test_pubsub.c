/*
 * test_pubsub.c - tests of exercise "pubsub" (pubsub.c). Needs a Redis server
 * at REDIS_URL; peers: redis-cli and the Python peer (redis-py).
 */
#include "pubsub.h"
#include "tests/redis_fixture.h"
#include "wb_testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

WB_SUITE(pubsub);

static void open_subscriber(struct subscriber *sub, const char *channel)
{
    int rc = subscriber_open(sub, fx_url(), channel);
    cr_assert_eq(rc, 0, "subscriber_open(\"%s\", \"%s\") returned %d: %s", fx_url(), channel, rc,
                 sub->link.error);
}

/* Receives one message and asserts it is `expected`. */
static void expect_message(struct subscriber *sub, const char *expected)
{
    char buf[256];
    size_t len = 0;
    int rc = subscriber_next(sub, buf, sizeof buf, &len, 5000);
    cr_assert_eq(rc, 1, "subscriber_next returned %d waiting for \"%s\" (1 = a message): %s", rc,
                 expected, sub->link.error);
    cr_assert(len == strlen(expected) && memcmp(buf, expected, len) == 0,
              "subscriber_next gave \"%.*s\" (%zu bytes), expected \"%s\"", (int)len, buf, len,
              expected);
}

Test(pubsub, subscriber_gets_redis_cli_messages_in_order)
{
    char channel[128];
    fx_name(channel, sizeof channel, "wb-news");
    struct subscriber sub;
    open_subscriber(&sub, channel);
    for (int i = 1; i <= 3; i++) {
        char text[32];
        snprintf(text, sizeof text, "headline %d", i);
        const char *args[] = {"PUBLISH", channel, text, NULL};
        const char *out = fx_redis_cli(fx_url(), args);
        cr_assert_str_eq(out, "1",
                         "redis-cli PUBLISH %s says %s subscriber(s) got it; expected 1 (yours)",
                         channel, out);
    }
    expect_message(&sub, "headline 1");
    expect_message(&sub, "headline 2");
    expect_message(&sub, "headline 3");
    subscriber_close(&sub);
}

/* 30 s: it starts a Python peer, slow to start on a loaded machine. */
Test(pubsub, publish_counts_receivers_and_python_gets_it, .timeout = 30,
     .description = "the Python subscriber and yours to subscribe, then publish_message's reply")
{
    char channel[128];
    fx_name(channel, sizeof channel, "wb-news");
    const char *args[] = {"subscribe", fx_url(), channel, "1", NULL};
    /* The Python subscriber runs in the background; its output goes to a log file. */
    char log[600];
    snprintf(log, sizeof log, "%s/%s.log", wb_env_or("TMPDIR", "/tmp"), channel);
    char *argv[] = {"/usr/bin/python3",
                    (char *)wb_chapter_path("peers/redis_peer.py"),
                    (char *)args[0],
                    (char *)args[1],
                    (char *)args[2],
                    (char *)args[3],
                    NULL};
    int pid = wb_spawn(argv, NULL, log);
    cr_assert(pid > 0, "cannot start the Python subscriber");
    struct subscriber sub;
    open_subscriber(&sub, channel);
    bool ready = fx_wait_subscribers(fx_url(), channel, 2, 10000);
    if (!ready)
        wb_stop(pid);
    cr_assert(ready, "the Python subscriber did not subscribe within 10 s");

    struct redis_link pub;
    fx_connect(&pub, fx_url());
    long n = publish_message(&pub, channel, "breaking", 8);
    char err[512];
    snprintf(err, sizeof err, "%s", pub.error);
    redis_link_close(&pub);
    cr_assert_eq(n, 2, "publish_message returned %ld with two subscribers listening: %s", n, err);
    expect_message(&sub, "breaking");
    subscriber_close(&sub);
    int64_t deadline = wb_now_ms() + 10000;
    char *text = NULL;
    while (wb_now_ms() < deadline) {
        free(text);
        FILE *f = fopen(log, "r");
        text = calloc(1, 4096);
        if (f && text)
            text[fread(text, 1, 4095, f)] = '\0';
        if (f)
            fclose(f);
        if (text && strstr(text, "627265616b696e67")) /* "breaking" in hex */
            break;
        usleep(50 * 1000);
    }
    wb_stop(pid);
    bool got = text && strstr(text, "627265616b696e67");
    cr_assert(got, "the Python subscriber did not receive \"breaking\"; it printed: %s",
              text ? text : "");
    free(text);
}

Test(pubsub, message_sent_while_away_is_lost)
{
    char channel[128];
    fx_name(channel, sizeof channel, "wb-news");
    struct redis_link pub;
    fx_connect(&pub, fx_url());
    struct subscriber sub;
    open_subscriber(&sub, channel);
    long n = publish_message(&pub, channel, "one", 3);
    cr_assert_eq(n, 1, "publish_message(\"one\") returned %ld with a subscriber listening: %s", n,
                 pub.error);
    expect_message(&sub, "one");

    subscriber_close(&sub); /* the subscriber goes away... */
    cr_assert(fx_wait_subscribers(fx_url(), channel, 0, 5000), "unsubscribe not seen");
    n = publish_message(&pub, channel, "two", 3);
    cr_assert_eq(n, 0,
                 "publish_message(\"two\") returned %ld while nobody subscribed; PUBLISH answers "
                 "how many received it, and that is 0: the message is gone (%s)",
                 n, pub.error);

    open_subscriber(&sub, channel); /* ...and comes back */
    n = publish_message(&pub, channel, "three", 5);
    cr_assert_eq(n, 1, "publish_message(\"three\") returned %ld: %s", n, pub.error);
    /* "two" was never stored anywhere: the next message is "three". */
    expect_message(&sub, "three");
    subscriber_close(&sub);
    redis_link_close(&pub);
}

Test(pubsub, binary_payload_arrives_intact)
{
    char channel[128];
    fx_name(channel, sizeof channel, "wb-bin");
    static const char payload[] = "a\0b\r\nc %s \xff";
    size_t len = sizeof payload - 1;
    struct subscriber sub;
    open_subscriber(&sub, channel);
    struct redis_link pub;
    fx_connect(&pub, fx_url());
    long n = publish_message(&pub, channel, payload, len);
    cr_assert_eq(n, 1, "publish_message returned %ld: %s", n, pub.error);
    redis_link_close(&pub);
    char buf[64];
    size_t got = 0;
    int rc = subscriber_next(&sub, buf, sizeof buf, &got, 5000);
    cr_assert_eq(rc, 1, "subscriber_next returned %d: %s", rc, sub.link.error);
    cr_assert(got == len && memcmp(buf, payload, len) == 0,
              "the %zu-byte payload (with a NUL byte, CR LF and \"%%s\") arrived as %zu bytes "
              "\"%.*s\": pass payloads with %%b (pointer, length), never %%s",
              len, got, (int)got, buf);
    subscriber_close(&sub);
}

Test(pubsub, waiting_without_messages_times_out_and_stays_usable)
{
    char channel[128];
    fx_name(channel, sizeof channel, "wb-quiet");
    struct subscriber sub;
    open_subscriber(&sub, channel);
    char buf[64];
    size_t len = 0;
    int rc = subscriber_next(&sub, buf, sizeof buf, &len, 300);
    cr_assert_eq(rc, 0, "subscriber_next on a quiet channel returned %d, expected 0 (timeout): %s",
                 rc, sub.link.error);
    const char *args[] = {"PUBLISH", channel, "late", NULL};
    fx_redis_cli(fx_url(), args);
    expect_message(&sub, "late");
    subscriber_close(&sub);
}

Test(pubsub, refused_connection_and_bad_url_are_clear_errors)
{
    char url[128];
    snprintf(url, sizeof url, "redis://127.0.0.1:%u", wb_refusing_port());
    struct subscriber sub;
    int rc = subscriber_open(&sub, url, "news");
    subscriber_close(&sub);
    cr_assert_eq(rc, -1, "subscriber_open(\"%s\") (nothing listens) returned %d", url, rc);
    cr_assert(strstr(sub.link.error, "refused") != NULL,
              "error is \"%s\"; expected it to say the connection was refused", sub.link.error);
    rc = subscriber_open(&sub, "http://127.0.0.1:6379", "news");
    subscriber_close(&sub);
    cr_assert_eq(rc, -1, "subscriber_open(\"http://127.0.0.1:6379\") returned %d", rc);
    cr_assert(strstr(sub.link.error, "redis://") != NULL,
              "error is \"%s\"; expected it to say a redis:// URL is needed", sub.link.error);
}

Test(pubsub, malformed_replies_are_errors)
{
    /* SUBSCRIBE answered with an integer instead of ["subscribe", CHANNEL, COUNT] */
    const char *bad_confirm[] = {":1\r\n", NULL};
    const char *url = fx_fake_start(bad_confirm);
    struct subscriber sub;
    int rc = subscriber_open(&sub, url, "news");
    subscriber_close(&sub);
    fx_fake_stop();
    cr_assert_eq(rc, -1, "subscriber_open accepted the reply :1 to SUBSCRIBE");
    fx_assert_unexpected(sub.link.error);

    /* a good confirmation, then a push of two elements instead of three */
    const char *short_push[] = {"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"
                                "*2\r\n$7\r\nmessage\r\n$4\r\nnews\r\n",
                                NULL};
    url = fx_fake_start(short_push);
    rc = subscriber_open(&sub, url, "news");
    cr_assert_eq(rc, 0, "subscriber_open on a correct confirmation returned %d: %s", rc,
                 sub.link.error);
    char buf[64];
    size_t len = 0;
    rc = subscriber_next(&sub, buf, sizeof buf, &len, 3000);
    subscriber_close(&sub);
    fx_fake_stop();
    cr_assert_eq(rc, -1,
                 "subscriber_next accepted [\"message\", \"news\"] (no payload) and "
                 "returned %d; expected -1",
                 rc);
    fx_assert_unexpected(sub.link.error);
}

/*
 * test_pubsub.c - tests of exercise "pubsub" (pubsub.c).
 * Needs a nats-server at NATS_URL (the grader starts one). The peer that
 * publishes or listens beside your code speaks NATS's text protocol itself
 * (testkit/wb_nats.c), without libnats.
 */
#define _GNU_SOURCE /* strcasestr */
#include "pubsub.h"
#include "tests/nats_fixture.h"
#include "wb_testkit.h"

#include <stdio.h>
#include <string.h>

WB_SUITE(pubsub, .fini = fx_nats_close);

static void open_ok(struct pubsub *p)
{
    int rc = pubsub_open(p, fx_url());
    cr_assert_eq(rc, 0, "pubsub_open(\"%s\") returned %d: %s", fx_url(), rc, p->error);
}

static void subscribe_ok(struct pubsub *p, const char *subject, int max_pending)
{
    int rc = pubsub_subscribe(p, subject, max_pending);
    cr_assert_eq(rc, 0, "pubsub_subscribe(\"%s\", %d) returned %d: %s", subject, max_pending, rc,
                 p->error);
}

Test(pubsub, subscriber_gets_published_message)
{
    char subject[192], got_subject[192], body[256];
    snprintf(subject, sizeof subject, "wb.%s.hello", fx_name("ps"));
    struct pubsub sub, pub;
    open_ok(&sub);
    open_ok(&pub);
    subscribe_ok(&sub, subject, 0);
    int rc = pubsub_publish(&pub, subject, "Hello, world!", 2000);
    cr_assert_eq(rc, 0, "pubsub_publish(\"%s\") returned %d: %s", subject, rc, pub.error);
    rc = pubsub_receive(&sub, got_subject, sizeof got_subject, body, sizeof body, 3000);
    cr_assert_eq(rc, 1, "pubsub_receive returned %d (%s), expected 1: the message published on %s",
                 rc, sub.error, subject);
    cr_assert_str_eq(body, "Hello, world!", "received body \"%s\", expected \"Hello, world!\"",
                     body);
    cr_assert_str_eq(got_subject, subject, "received subject \"%s\", expected \"%s\"", got_subject,
                     subject);
    pubsub_close(&sub);
    pubsub_close(&pub);
}

Test(pubsub, absent_subscriber_misses_messages)
{
    char subject[192], got_subject[192], body[256];
    snprintf(subject, sizeof subject, "wb.%s.news", fx_name("ps"));
    struct wb_nats *peer = fx_peer();
    /* Nobody subscribes yet: the server delivers these to no one, keeps nothing. */
    fx_publish(peer, subject, "before 1");
    fx_publish(peer, subject, "before 2");
    fx_publish(peer, subject, "before 3");
    struct pubsub p;
    open_ok(&p);
    subscribe_ok(&p, subject, 0);
    int rc = pubsub_receive(&p, got_subject, sizeof got_subject, body, sizeof body, 500);
    cr_assert_eq(rc, 0,
                 "pubsub_receive returned %d (body \"%s\", error \"%s\"), expected 0: three "
                 "messages were published before the subscription existed, and core NATS "
                 "keeps nothing for absent subscribers (at most once), so nothing is there "
                 "and the call must time out with 0",
                 rc, rc == 1 ? body : "", p.error);
    rc = pubsub_publish(&p, subject, "after", 2000);
    cr_assert_eq(rc, 0, "pubsub_publish returned %d: %s", rc, p.error);
    rc = pubsub_receive(&p, got_subject, sizeof got_subject, body, sizeof body, 3000);
    cr_assert_eq(rc, 1,
                 "pubsub_receive returned %d (%s): the message published after "
                 "subscribing must arrive",
                 rc, p.error);
    cr_assert_str_eq(body, "after", "got \"%s\", expected \"after\"", body);
    pubsub_close(&p);
    wb_nats_close(peer);
}

Test(pubsub, wildcard_reports_message_subject)
{
    char base[160], pattern[192], one[192], two[192], other[192], got_subject[192], body[256];
    snprintf(base, sizeof base, "wb.%s", fx_name("ps"));
    snprintf(pattern, sizeof pattern, "%s.orders.*", base);
    snprintf(one, sizeof one, "%s.orders.created", base);
    snprintf(two, sizeof two, "%s.orders.eu.created", base);
    snprintf(other, sizeof other, "%s.users.created", base);
    struct pubsub p;
    open_ok(&p);
    subscribe_ok(&p, pattern, 0);
    struct wb_nats *peer = fx_peer();
    fx_publish(peer, two, "two words after orders");
    fx_publish(peer, other, "a user");
    fx_publish(peer, one, "order 1");
    int rc = pubsub_receive(&p, got_subject, sizeof got_subject, body, sizeof body, 3000);
    cr_assert_eq(rc, 1,
                 "subscribed to %s, pubsub_receive returned %d (%s); expected the "
                 "message sent on %s",
                 pattern, rc, p.error, one);
    cr_assert_str_eq(got_subject, one,
                     "subject reported as \"%s\", expected the message's own subject \"%s\" "
                     "(natsMsg_GetSubject), not the pattern",
                     got_subject, one);
    cr_assert_str_eq(body, "order 1", "body \"%s\", expected \"order 1\"", body);
    rc = pubsub_receive(&p, got_subject, sizeof got_subject, body, sizeof body, 300);
    cr_assert_eq(rc, 0, "got a second message (\"%s\" on %s): \"*\" matches exactly one word", body,
                 got_subject);
    pubsub_close(&p);
    wb_nats_close(peer);
}

Test(pubsub, peer_receives_published_message)
{
    char subject[192];
    snprintf(subject, sizeof subject, "wb.%s.to-peer", fx_name("ps"));
    struct wb_nats *peer = fx_peer();
    cr_assert(wb_nats_sub(peer, subject, NULL) > 0 && wb_nats_flush(peer, 5000) == 0,
              "peer SUB failed: %s", wb_nats_error(peer));
    struct pubsub p;
    open_ok(&p);
    int rc = pubsub_publish(&p, subject, "from libnats", 2000);
    cr_assert_eq(rc, 0, "pubsub_publish returned %d: %s", rc, p.error);
    struct wb_nats_msg m;
    rc = wb_nats_next(peer, &m, 3000);
    cr_assert_eq(rc, 1,
                 "the peer subscribed to %s got nothing after pubsub_publish returned 0 (%s)",
                 subject, wb_nats_error(peer));
    cr_assert_str_eq(m.data, "from libnats", "the peer got \"%s\", expected \"from libnats\"",
                     m.data);
    wb_nats_msg_free(&m);
    pubsub_close(&p);
    wb_nats_close(peer);
}

Test(pubsub, publish_waits_for_the_server)
{
    uint16_t port = 0;
    struct wb_nats_silent *silent = wb_nats_silent_start(&port);
    cr_assert(silent != NULL, "could not start the test's silent server");
    char url[64];
    snprintf(url, sizeof url, "nats://127.0.0.1:%u", port);
    struct pubsub p;
    int rc = pubsub_open(&p, url);
    cr_assert_eq(rc, 0, "pubsub_open(\"%s\") returned %d: %s", url, rc, p.error);
    rc = pubsub_publish(&p, "wb.silent", "is anybody there?", 500);
    char error[sizeof p.error];
    snprintf(error, sizeof error, "%s", p.error);
    pubsub_close(&p);
    wb_nats_silent_stop(silent);
    cr_assert_eq(rc, -1,
                 "pubsub_publish returned %d to a server that greets and then never answers; "
                 "expected -1: without a flush (PING/PONG) nothing says the server got the "
                 "message",
                 rc);
    cr_assert(strcasestr(error, "timeout") || strcasestr(error, "flush"),
              "error is \"%s\"; expected it to say the flush timed out", error);
}

Test(pubsub, slow_subscriber_loses_messages)
{
    char subject[192], got_subject[192], body[256];
    snprintf(subject, sizeof subject, "wb.%s.flood", fx_name("ps"));
    struct pubsub p;
    open_ok(&p);
    subscribe_ok(&p, subject, 10);
    struct wb_nats *peer = fx_peer();
    for (int i = 0; i < 50; i++) {
        char text[32];
        snprintf(text, sizeof text, "m%02d", i);
        cr_assert(wb_nats_pub(peer, subject, NULL, text, strlen(text), NULL) == 0, "peer PUB: %s",
                  wb_nats_error(peer));
    }
    cr_assert(wb_nats_flush(peer, 5000) == 0, "peer flush: %s", wb_nats_error(peer));
    /* A PING on the subscriber's own connection: its PONG comes after the 50
     * messages, so once it is back all 50 have reached libnats. */
    cr_assert(natsConnection_FlushTimeout(p.nc, 5000) == NATS_OK, "flush of the subscriber");
    int rc = pubsub_receive(&p, got_subject, sizeof got_subject, body, sizeof body, 1000);
    cr_assert_eq(rc, -1,
                 "pubsub_receive returned %d (\"%s\") after 50 messages hit a subscription "
                 "limited to 10 pending; expected -1 saying messages were dropped",
                 rc, rc == 1 ? body : p.error);
    cr_assert(strcasestr(p.error, "slow consumer") && strstr(p.error, "40"),
              "error is \"%s\"; expected \"slow consumer\" and the 40 dropped messages", p.error);
    int got = 0;
    while (pubsub_receive(&p, got_subject, sizeof got_subject, body, sizeof body, 300) == 1)
        got++;
    cr_assert_eq(got, 10, "after the error, %d messages were left; expected the 10 that fit", got);
    pubsub_close(&p);
    wb_nats_close(peer);
}

Test(pubsub, refused_port_gives_clear_error)
{
    char url[64];
    snprintf(url, sizeof url, "nats://127.0.0.1:%u", wb_refusing_port());
    struct pubsub p;
    int rc = pubsub_open(&p, url);
    char error[sizeof p.error];
    snprintf(error, sizeof error, "%s", p.error);
    pubsub_close(&p);
    cr_assert_eq(rc, -1, "pubsub_open(\"%s\") with nothing listening returned %d", url, rc);
    cr_assert(strstr(error, url) && (strstr(error, "refused") || strstr(error, "running")),
              "error is \"%s\"; expected it to name %s and say nothing listens there", error, url);
}

Test(pubsub, malformed_url_gives_clear_error)
{
    const char *url = "http://127.0.0.1:4222";
    struct pubsub p;
    int rc = pubsub_open(&p, url);
    char error[sizeof p.error];
    snprintf(error, sizeof error, "%s", p.error);
    pubsub_close(&p);
    cr_assert_eq(rc, -1, "pubsub_open(\"%s\") returned %d, expected -1", url, rc);
    cr_assert(strstr(error, url) && strstr(error, "nats://"),
              "error is \"%s\"; expected it to name the URL and say it must be nats://HOST:PORT",
              error);
}

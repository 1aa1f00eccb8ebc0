/*
 * test_routing.c - tests of exercise "routing" (routing.c, producer.c).
 * Needs a RabbitMQ broker at AMQP_ADDR (make test starts one).
 */
#include "routing.h"
#include "tests/amqp_fixture.h"
#include "wb_testkit.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

WB_SUITE(routing);

static void subscribe(struct routing_sub *s, const char *exchange, const char *pattern)
{
    const char *patterns[] = {pattern};
    int rc = routing_subscribe(s, fx_url(), exchange, patterns, 1);
    cr_assert_eq(rc, 0, "routing_subscribe(exchange \"%s\", pattern \"%s\") returned %d: %s",
                 exchange, pattern, rc, s->link.error);
}

static int publish(const char *exchange, const char *key, const char *text)
{
    struct producer p;
    cr_assert_eq(producer_open(&p, fx_url()), 0, "producer_open failed: %s", p.link.error);
    int rc = routing_publish(&p, exchange, key, text);
    char error[sizeof p.link.error] = "";
    snprintf(error, sizeof error, "%s", p.link.error);
    producer_close(&p);
    cr_assert(rc >= 0, "routing_publish(\"%s\", key \"%s\") returned %d: %s", exchange, key, rc,
              error);
    return rc;
}

Test(routing, topic_pattern_selects_messages)
{
    char exchange[128], key[128], body[128];
    snprintf(exchange, sizeof exchange, "%s", wb_unique_name("wb-topic"));
    struct routing_sub s;
    subscribe(&s, exchange, "orders.*");
    publish(exchange, "users.created", "user 1");
    publish(exchange, "orders.eu.created", "order eu");
    publish(exchange, "orders.created", "order 1");
    int rc = routing_receive(&s, key, sizeof key, body, sizeof body, 3000);
    cr_assert_eq(rc, 1,
                 "subscriber to \"orders.*\" got nothing (rc %d: %s); expected the "
                 "message sent with key \"orders.created\"",
                 rc, s.link.error);
    cr_assert_str_eq(key, "orders.created",
                     "subscriber to \"orders.*\" got key \"%s\" (\"%s\"); "
                     "\"*\" matches exactly one word",
                     key, body);
    cr_assert_str_eq(body, "order 1", "body is \"%s\", expected \"order 1\"", body);
    rc = routing_receive(&s, key, sizeof key, body, sizeof body, 300);
    cr_assert_eq(rc, 0,
                 "subscriber to \"orders.*\" also got key \"%s\": only "
                 "\"orders.created\" matches",
                 key);
    routing_unsubscribe(&s);
}

Test(routing, hash_matches_many_words)
{
    char exchange[128], key[128], body[128];
    snprintf(exchange, sizeof exchange, "%s", wb_unique_name("wb-topic"));
    struct routing_sub s;
    subscribe(&s, exchange, "orders.#");
    publish(exchange, "orders.created", "one");
    publish(exchange, "orders.eu.created", "two");
    int got = 0;
    while (got < 2 && routing_receive(&s, key, sizeof key, body, sizeof body, 3000) == 1)
        got++;
    routing_unsubscribe(&s);
    cr_assert_eq(got, 2,
                 "subscriber to \"orders.#\" got %d of the 2 messages (keys "
                 "\"orders.created\" and \"orders.eu.created\")",
                 got);
}

Test(routing, every_subscriber_gets_a_copy)
{
    char exchange[128], key[128], body[128];
    snprintf(exchange, sizeof exchange, "%s", wb_unique_name("wb-topic"));
    struct routing_sub a, b;
    subscribe(&a, exchange, "news.#");
    subscribe(&b, exchange, "news.#");
    cr_assert_str_neq(a.queue, b.queue, "both subscribers got queue \"%s\": each needs its own",
                      a.queue);
    int rc = publish(exchange, "news.sports", "goal");
    cr_assert_eq(rc, 1, "routing_publish returned %d with two subscribers, expected 1", rc);
    int ra = routing_receive(&a, key, sizeof key, body, sizeof body, 3000);
    int rb = routing_receive(&b, key, sizeof key, body, sizeof body, 3000);
    routing_unsubscribe(&a);
    routing_unsubscribe(&b);
    cr_assert(ra == 1 && rb == 1,
              "subscriber A got %d, B got %d message(s); both should get "
              "\"goal\"",
              ra, rb);
}

Test(routing, unsubscribe_removes_the_queue)
{
    char exchange[128], queue[256];
    snprintf(exchange, sizeof exchange, "%s", wb_unique_name("wb-topic"));
    struct routing_sub s;
    subscribe(&s, exchange, "audit.#");
    snprintf(queue, sizeof queue, "%s", s.queue);
    bool existed = queue[0] && fx_queue_exists(queue);
    routing_unsubscribe(&s);
    /* The broker deletes an exclusive queue as its connection goes away. */
    bool gone = false;
    for (int i = 0; i < 40 && !gone; i++) {
        gone = !fx_queue_exists(queue);
        if (!gone)
            usleep(50 * 1000);
    }
    if (!gone)
        fx_delete(queue);
    cr_assert(existed, "routing_subscribe returned 0 but its queue \"%s\" is not on the broker",
              queue);
    cr_assert(gone,
              "queue \"%s\" is still on the broker 2 s after routing_unsubscribe: a "
              "subscriber's queue is exclusive (and auto-delete), so it goes away with its "
              "subscriber instead of collecting messages nobody reads",
              queue);
}

Test(routing, publish_without_subscriber_returns_0)
{
    char exchange[128];
    snprintf(exchange, sizeof exchange, "%s", wb_unique_name("wb-topic"));
    int rc = publish(exchange, "nobody.listens", "hello?");
    cr_assert_eq(rc, 0,
                 "routing_publish with no matching binding returned %d, expected 0 (the "
                 "mandatory message came back: nobody is subscribed)",
                 rc);
}

/* Starts the Python responder and waits until its queue exists. */
static int start_responder(const char *queue, const char *count, const char *mode, char *log,
                           size_t loglen)
{
    snprintf(log, loglen, "/tmp/%s.log", wb_unique_name("wb-rpc-responder"));
    char *argv[] = {"/usr/bin/python3",
                    (char *)wb_chapter_path("peers/rpc_responder.py"),
                    (char *)fx_url(),
                    (char *)queue,
                    (char *)count,
                    (char *)mode,
                    NULL};
    int pid = wb_spawn(argv, NULL, log);
    cr_assert(pid > 0, "cannot start peers/rpc_responder.py");
    for (int i = 0; i < 100; i++) {
        FILE *f = fopen(log, "r");
        char line[256] = "";
        if (f) {
            char *got = fgets(line, sizeof line, f);
            fclose(f);
            if (got && strncmp(line, "ready", 5) == 0)
                return pid;
        }
        usleep(50 * 1000);
    }
    wb_stop(pid);
    cr_assert_fail("peers/rpc_responder.py did not get ready within 5 s (log: %s)", log);
    return -1;
}

Test(routing, rpc_call_gets_reply)
{
    char queue[128], log[256], reply[256] = "", err[512] = "";
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-rpc"));
    int pid = start_responder(queue, "1", "plain", log, sizeof log);
    int rc = rpc_call(fx_url(), queue, "ping", reply, sizeof reply, 5000, err, sizeof err);
    wb_stop(pid);
    unlink(log);
    cr_assert_eq(rc, 0, "rpc_call(\"%s\", \"ping\") returned %d: %s", queue, rc, err);
    cr_assert_str_eq(reply, "PING",
                     "reply is \"%s\", expected \"PING\" (the responder "
                     "upper-cases the request)",
                     reply);
}

Test(routing, rpc_call_ignores_other_correlation_ids)
{
    char queue[128], log[256], reply[256] = "", err[512] = "";
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-rpc"));
    int pid = start_responder(queue, "1", "stale", log, sizeof log);
    int rc = rpc_call(fx_url(), queue, "ping", reply, sizeof reply, 5000, err, sizeof err);
    wb_stop(pid);
    unlink(log);
    cr_assert_eq(rc, 0, "rpc_call returned %d: %s", rc, err);
    cr_assert_str_eq(reply, "PING",
                     "reply is \"%s\": a reply with a different correlation_id "
                     "came first and must be skipped",
                     reply);
}

Test(routing, rpc_call_times_out)
{
    char queue[128], reply[256] = "", err[512] = "";
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-rpc-silent"));
    fx_declare(queue, false); /* a server queue nobody reads */
    int64_t start = wb_now_ms();
    int rc = rpc_call(fx_url(), queue, "anyone?", reply, sizeof reply, 700, err, sizeof err);
    int64_t took = wb_now_ms() - start;
    fx_delete(queue);
    cr_assert_eq(rc, RPC_TIMEOUT,
                 "rpc_call to a queue nobody reads returned %d (%s), expected "
                 "RPC_TIMEOUT (%d)",
                 rc, err, RPC_TIMEOUT);
    cr_assert(took >= 600 && took < 5000, "rpc_call(timeout_ms = 700) returned after %lld ms",
              (long long)took);
}

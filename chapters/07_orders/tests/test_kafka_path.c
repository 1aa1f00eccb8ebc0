/*
 * test_kafka_path.c - exercise "kafka_path": the producer and consumer
 * settings alone, against a Kafka cluster the test hosts (librdkafka's mock,
 * or KAFKA_BROKERS), then the whole path with the event on Kafka.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka_link.h"
#include "orders_fixture.h"
#include "reliable_kafka.h"

WB_SUITE(kafka_path);

#define CLIENT_TRACEPARENT "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

static rd_kafka_t *make_producer(const struct world *w)
{
    char err[512] = "";
    rd_kafka_conf_t *conf = kafka_link_conf(w->k.brokers, KAFKA_LINK_PRODUCER, err, sizeof err);
    cr_assert(conf, "test fixture: kafka_link_conf: %s", err);
    rd_kafka_t *rk = kafka_events_producer(conf, err, sizeof err);
    cr_assert(rk, "kafka_events_producer returned NULL: %s", err);
    return rk;
}

static rd_kafka_t *make_consumer(const struct world *w, const char *group, const char *topic)
{
    char err[512] = "";
    rd_kafka_conf_t *conf = kafka_link_conf(w->k.brokers, KAFKA_LINK_CONSUMER, err, sizeof err);
    cr_assert(conf, "test fixture: kafka_link_conf: %s", err);
    rd_kafka_t *rk = kafka_events_consumer(conf, group, topic, err, sizeof err);
    cr_assert(rk, "kafka_events_consumer returned NULL: %s", err);
    return rk;
}

/* The value of a setting of a client handle, as librdkafka reports it. */
static const char *setting(rd_kafka_t *rk, const char *name)
{
    static char value[128];
    size_t size = sizeof value;
    if (rd_kafka_conf_get(rd_kafka_conf(rk), name, value, &size) != RD_KAFKA_CONF_OK)
        snprintf(value, sizeof value, "(unknown)");
    return value;
}

/* The next message of consumer within timeout_ms, skipping events. */
static rd_kafka_message_t *next_message(rd_kafka_t *consumer, int timeout_ms)
{
    int64_t deadline = wb_now_ms() + timeout_ms;
    while (wb_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 100);
        if (m && !m->err)
            return m;
        if (m)
            rd_kafka_message_destroy(m);
    }
    return NULL;
}

Test(kafka_path, producer_is_idempotent_with_acks_all, .timeout = 30,
     .description = "the Kafka event producer to be made (acks=all, idempotence)")
{
    struct world w;
    world_init_kafka(&w);
    rd_kafka_t *rk = make_producer(&w);
    char acks[128], idempotence[128];
    snprintf(acks, sizeof acks, "%s", setting(rk, "acks"));
    snprintf(idempotence, sizeof idempotence, "%s", setting(rk, "enable.idempotence"));
    rd_kafka_destroy(rk);
    cr_assert(strcmp(acks, "-1") == 0 || strcmp(acks, "all") == 0,
              "the event producer must ask for acks=all (every in-sync replica has the event "
              "before the leader answers), it has acks=%s",
              acks);
    cr_assert_str_eq(idempotence, "true",
                     "the event producer must set enable.idempotence=true (a retried send is not "
                     "written twice), it has %s",
                     idempotence);
}

Test(kafka_path, event_carries_order_id_and_trace, .timeout = 30,
     .description = "the published event to be read back from Kafka with its headers")
{
    struct world w;
    world_init_kafka(&w);
    rd_kafka_t *rk = make_producer(&w);
    char topic[192], err[512] = "";
    snprintf(topic, sizeof topic, "%s.events", w.exchange);
    int rc = kafka_events_publish(rk, topic, "o-k-1", CLIENT_TRACEPARENT,
                                  "{\"order_id\":\"o-k-1\"}", err, sizeof err);
    rd_kafka_destroy(rk);
    cr_assert_eq(rc, 0, "kafka_events_publish to a running cluster failed: %s", err);
    struct wb_kafka_msgs msgs;
    int n = wb_kafka_read_all(w.k.brokers, topic, 1, 10000, 0, false, &msgs);
    cr_assert_eq(n, 1, "expected the one event in topic %s, found %d", topic, n);
    struct wb_kafka_msg m = msgs.items[0];
    bool key_ok = m.key && strcmp(m.key, "o-k-1") == 0;
    bool id_ok = strstr(m.headers, "order_id=o-k-1\n") != NULL;
    bool trace_ok = strstr(m.headers, "traceparent=" CLIENT_TRACEPARENT "\n") != NULL;
    char headers[512];
    snprintf(headers, sizeof headers, "%s", m.headers);
    char key[128];
    snprintf(key, sizeof key, "%s", m.key ? m.key : "(none)");
    wb_kafka_msgs_free(&msgs);
    cr_assert(key_ok, "the event's key must be its order id o-k-1, got %s", key);
    cr_assert(id_ok && trace_ok,
              "the event must carry headers order_id=o-k-1 and traceparent=%s; it has:\n%s",
              CLIENT_TRACEPARENT, headers[0] ? headers : "(no headers)");
}

Test(kafka_path, publish_waits_for_the_delivery_report, .timeout = 40,
     .description = "kafka_events_publish to return once the delivery report came")
{
    struct world w;
    world_init_kafka(&w);
    if (!w.k.mock)
        cr_skip_test("needs the mock cluster to take every broker down");
    char topic[192], err[512] = "";
    snprintf(topic, sizeof topic, "%s.events", w.exchange);
    cr_assert(wb_kafka_create_topic(&w.k, topic, 1), "test fixture: cannot create %s", topic);
    rd_kafka_t *rk = make_producer(&w);
    for (int32_t id = 1; id <= 3; id++)
        wb_kafka_broker_down(&w.k, id);
    int rc =
        kafka_events_publish(rk, topic, "o-k-2", NULL, "{\"order_id\":\"o-k-2\"}", err, sizeof err);
    for (int32_t id = 1; id <= 3; id++)
        wb_kafka_broker_up(&w.k, id);
    cr_assert_neq(rc, 0,
                  "with every broker down no event can be written, yet kafka_events_publish "
                  "returned 0: order-core would answer OK for an order nobody keeps. Wait for "
                  "the event's delivery report and return its outcome");
    rc =
        kafka_events_publish(rk, topic, "o-k-3", NULL, "{\"order_id\":\"o-k-3\"}", err, sizeof err);
    rd_kafka_destroy(rk);
    cr_assert_eq(rc, 0, "with the brokers back, kafka_events_publish must succeed: %s", err);
}

Test(kafka_path, new_group_reads_from_the_beginning, .timeout = 90,
     .description = "a new consumer group to read events produced before it joined")
{
    struct world w;
    world_init_kafka(&w);
    char topic[192], group[192];
    snprintf(topic, sizeof topic, "%s.front.a1", w.exchange);
    snprintf(group, sizeof group, "%s", topic);
    const char *values[] = {"{\"order_id\":\"o-early\"}"};
    cr_assert_eq(wb_kafka_produce(w.k.brokers, topic, "o-early", values, 1, 10000), 1,
                 "test fixture: cannot produce to %s", topic);
    rd_kafka_t *consumer = make_consumer(&w, group, topic);
    rd_kafka_message_t *m = next_message(consumer, 60000);
    bool got = m && m->len == strlen(values[0]) && memcmp(m->payload, values[0], m->len) == 0;
    if (m)
        rd_kafka_message_destroy(m);
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    cr_assert(got,
              "an event written before order-front's group first joined must still be read "
              "(auto.offset.reset=earliest): a new group with auto.offset.reset=latest skips it");
}

Test(kafka_path, consumer_commits_only_what_was_recorded, .timeout = 90,
     .description = "the consumer to commit the offsets of recorded orders only")
{
    struct world w;
    world_init_kafka(&w);
    char topic[192];
    snprintf(topic, sizeof topic, "%s.front.a1", w.exchange);
    cr_assert(wb_kafka_create_topic(&w.k, topic, 1), "test fixture: cannot create %s", topic);
    const char *values[] = {"{\"order_id\":\"o-1\"}", "{\"order_id\":\"o-2\"}"};
    cr_assert_eq(wb_kafka_produce(w.k.brokers, topic, NULL, values, 2, 10000), 2,
                 "test fixture: cannot produce to %s", topic);
    rd_kafka_t *consumer = make_consumer(&w, topic, topic);
    rd_kafka_message_t *first = next_message(consumer, 60000);
    cr_assert(first, "the consumer read nothing from %s within 60 s", topic);
    char err[512] = "";
    int rc = kafka_events_commit(consumer, first, err, sizeof err);
    int64_t recorded = first->offset;
    rd_kafka_message_destroy(first);
    cr_assert_eq(rc, 0, "kafka_events_commit failed: %s", err);
    int64_t after_commit = wb_kafka_committed(w.k.brokers, topic, topic, 0);
    /* The second event is read but never recorded: order-front died. */
    rd_kafka_message_t *second = next_message(consumer, 60000);
    cr_assert(second, "the consumer did not read the second event");
    rd_kafka_message_destroy(second);
    usleep(1500 * 1000); /* longer than a 1 s auto-commit interval would need */
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    int64_t at_end = wb_kafka_committed(w.k.brokers, topic, topic, 0);
    cr_assert_eq(after_commit, recorded + 1,
                 "kafka_events_commit must commit at once and synchronously: after committing "
                 "offset %lld the group's offset is %lld",
                 (long long)recorded, (long long)after_commit);
    cr_assert_eq(at_end, recorded + 1,
                 "an event read but not recorded must not be committed (it is read again after "
                 "a crash): the group's offset moved to %lld. enable.auto.commit=false, and "
                 "commit only in kafka_events_commit",
                 (long long)at_end);
}

Test(kafka_path, post_returns_201_through_kafka, .timeout = 90,
     .description = "POST /orders to be answered once the event came back through Kafka")
{
    struct world w;
    struct svc core, front;
    char tap[192];
    world_init_kafka(&w);
    core_start(&core, &w, "b1", 0);
    front_start(&front, &w, "a1", core.addr);
    tap_open(&w, tap, sizeof tap);
    struct wb_http_response res;
    post_order(&front, "{\"item\":\"teapot\",\"quantity\":2}", NULL, 15000, &res);
    cr_assert_eq(res.status, 201,
                 "POST /orders with BROKER=kafka: expected 201 once the event came back through "
                 "Kafka, got %s\norder-core log:\n%s\norder-front log:\n%s",
                 wb_http_describe(&res), svc_tail(&core), svc_tail(&front));
    char id[128];
    snprintf(id, sizeof id, "%s", json_order_id(res.body));
    wb_http_response_free(&res);
    struct tapped m;
    cr_assert(tap_get(tap, &m, 10000), "no event in order-front a1's topic %s", tap);
    cr_assert_str_eq(m.message_id, id, "the event must carry header order_id=%s, got '%s'", id,
                     m.message_id);
    cr_assert(hop_lines(&w, "\"protocol\":\"kafka\"", id) >= 3,
              "the hop events of %s must show its three broker hops (order-core to the broker, "
              "the delivery report back, the event to order-front) with protocol \"kafka\"",
              id);
    svc_stop(&front);
    svc_stop(&core);
}

Test(kafka_path, accepted_orders_survive_a_broker_restart, .timeout = 120,
     .description = "accepted orders to be confirmed after the Kafka broker restarted")
{
    struct world w;
    world_init_kafka(&w);
    check_orders_survive_broker_restart(&w);
}

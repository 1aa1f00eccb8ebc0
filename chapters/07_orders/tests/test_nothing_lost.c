/*
 * test_nothing_lost.c - exercise "nothing_lost": an accepted order survives
 * a broker restart and a crashed order-front; an unroutable event is not an
 * accepted order; a retried POST with its Idempotency-Key is one order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "orders_fixture.h"

WB_SUITE(nothing_lost);

#define ACCEPTED 4

Test(nothing_lost, events_are_persistent, .timeout = 60,
     .description = "an order's event on the broker, with the settings that keep it")
{
    struct world w;
    struct svc core, front;
    char tap[192];
    world_init(&w);
    if (w.kafka)
        wb_kafka_mark_requests(&w.k, WB_KAFKA_API_INIT_PRODUCER_ID);
    core_start(&core, &w, "b1", 0);
    tap_open(&w, tap, sizeof tap);
    front_start(&front, &w, "a1", core.addr);
    struct wb_http_response res;
    post_order(&front, "{\"item\":\"disk\",\"quantity\":1}", NULL, 8000, &res);
    cr_assert_eq(res.status, 201, "POST /orders: expected 201, got %s\norder-front log:\n%s",
                 wb_http_describe(&res), svc_tail(&front));
    wb_http_response_free(&res);
    struct tapped m;
    bool got = tap_get(tap, &m, 10000); /* there already: ends at once */
    queue_delete(tap);
    cr_assert(got, "no event went through exchange %s", w.exchange);
    if (w.kafka) {
        /* The Kafka form: what keeps the event is the producer's settings
         * (acks=all, idempotence), which only order-core's own handle shows;
         * an idempotent producer asks the cluster for a producer id first. */
        cr_assert(!w.k.mock || wb_kafka_markers_left(&w.k, WB_KAFKA_API_INIT_PRODUCER_ID) < 3,
                  "order-core's producer never asked for a producer id: it is not idempotent "
                  "(enable.idempotence=true, with acks=all)");
        svc_stop(&front);
        svc_stop(&core);
        return;
    }
    cr_assert_eq(m.delivery_mode, 2,
                 "the order.confirmed event must be persistent (delivery mode 2), got %d: a "
                 "broker restart drops transient messages",
                 m.delivery_mode);
    svc_stop(&front);
    svc_stop(&core);
}

Test(nothing_lost, unroutable_event_is_not_accepted, .timeout = 60,
     .description = "order-core to refuse an order whose event nothing would keep")
{
    struct world w;
    struct svc core;
    world_init(&w);
    core_start(&core, &w, "b1", 0);
    char details[256] = "";
    if (w.kafka) {
        /* The Kafka form: no routing, so nothing is unroutable; an event to
         * a topic nobody reads yet is kept by the log and read later. */
        char topic[256];
        snprintf(topic, sizeof topic, "%s.nobody-listens", w.exchange);
        int status =
            core_place(&core, "o-unread-1", "kept", 1, topic, NULL, details, sizeof details);
        cr_assert_eq(status, 0, "Place to topic %s: expected OK, got %d (%s)\n%s", topic, status,
                     details, svc_tail(&core));
        struct wb_kafka_msgs msgs;
        int n = wb_kafka_read_all(w.k.brokers, topic, 1, 10000, 0, false, &msgs);
        wb_kafka_msgs_free(&msgs);
        cr_assert_eq(n, 1, "order-core said OK, so topic %s must hold the event; it holds %d",
                     topic, n);
        svc_stop(&core);
        return;
    }
    int status = core_place(&core, "o-unroutable-1", "lost", 1, "order.confirmed.nobody-listens",
                            NULL, details, sizeof details);
    cr_assert_neq(status, 0,
                  "Place with reply_to order.confirmed.nobody-listens (no queue is bound to it): "
                  "order-core answered OK, but no queue took the event, so nobody will ever "
                  "confirm this order. Publish with mandatory set and wait for the confirm; a "
                  "returned message is a failure. order-core log:\n%s",
                  svc_tail(&core));
    svc_stop(&core);
}

Test(nothing_lost, accepted_orders_survive_a_broker_restart, .timeout = 120,
     .description = "accepted orders to be confirmed after the broker restarted")
{
    struct world w;
    world_init(&w);
    check_orders_survive_broker_restart(&w);
}

Test(nothing_lost, orders_survive_a_front_crash, .timeout = 60,
     .description = "orders to be confirmed after order-front was killed mid-way and restarted")
{
    struct world w;
    struct svc core, front;
    world_init(&w);
    core_start(&core, &w, "b1", 0);
    front_start(&front, &w, "a1", core.addr);
    svc_pause(&front); /* the broker still pushes deliveries to its socket */
    char queue[256], key[256], ids[ACCEPTED][32];
    snprintf(queue, sizeof queue, "%s", front_queue(&w, "a1"));
    snprintf(key, sizeof key, "%s", front_key(&w, "a1"));
    for (int i = 0; i < ACCEPTED; i++) {
        snprintf(ids[i], sizeof ids[i], "o-crash-%d", i);
        int status = core_place(&core, ids[i], "crash", 1, key, NULL, NULL, 0);
        cr_assert_eq(status, 0, "Place %s: expected OK, got status %d", ids[i], status);
    }
    usleep(300 * 1000);
    svc_kill(&front); /* crashes with the deliveries unhandled */
    int64_t until = wb_now_ms() + 5000;
    long waiting;
    while ((waiting = queue_count(queue)) != ACCEPTED && wb_now_ms() < until)
        usleep(100 * 1000);
    cr_assert_eq(waiting, ACCEPTED,
                 "order-front crashed before handling %d events; with manual acks the broker "
                 "gives them back to the queue, but %s holds %ld (were they acked on delivery, "
                 "no_ack = 1? or the queue deleted with its consumer?)",
                 ACCEPTED, queue, waiting);
    front_start(&front, &w, "a1", core.addr);
    for (int i = 0; i < ACCEPTED; i++) {
        struct wb_http_response res;
        get_order_within(&front, ids[i], 5000, &res);
        cr_assert_eq(res.status, 200,
                     "GET /orders/%s after order-front restarted: expected "
                     "200, got %s",
                     ids[i], wb_http_describe(&res));
        wb_http_response_free(&res);
    }
    svc_stop(&front);
    svc_stop(&core);
}

Test(nothing_lost, retried_post_with_key_is_one_order, .timeout = 60,
     .description = "two POSTs with one Idempotency-Key to give one order")
{
    struct world w;
    struct svc core, front;
    char tap[192];
    world_init(&w);
    core_start(&core, &w, "b1", 0);
    tap_open(&w, tap, sizeof tap);
    front_start(&front, &w, "a1", core.addr);
    char key[160];
    snprintf(key, sizeof key, "Idempotency-Key: %s", wb_unique_name("key"));
    const char *headers[] = {key, NULL};
    struct wb_http_response first, second;
    post_order(&front, "{\"item\":\"once\",\"quantity\":1}", headers, 8000, &first);
    cr_assert_eq(first.status, 201, "POST with %s: expected 201, got %s", key,
                 wb_http_describe(&first));
    char id[128];
    snprintf(id, sizeof id, "%s", json_order_id(first.body));
    post_order(&front, "{\"item\":\"once\",\"quantity\":1}", headers, 8000, &second);
    cr_assert(second.status >= 200 && second.status < 300 &&
                  strcmp(json_order_id(second.body), id) == 0,
              "the same POST again with the same %s (a client retrying after a lost answer): "
              "expected the same order %s, got %s",
              key, id, wb_http_describe(&second));
    wb_http_response_free(&first);
    wb_http_response_free(&second);
    struct tapped m;
    int events = 0;
    while (tap_get(tap, &m, events == 0 ? 3000 : 500))
        events++;
    queue_delete(tap);
    cr_assert_eq(events, 1,
                 "two POSTs with one Idempotency-Key must place one order: %d "
                 "order.confirmed events were published",
                 events);
    svc_stop(&front);
    svc_stop(&core);
}

/*
 * test_end_to_end.c - exercise "end_to_end": the pending table alone, then
 * one request through both services and the broker.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "orders_fixture.h"
#include "pending.h"

WB_SUITE(end_to_end);

/* ---- the table alone ------------------------------------------------------ */

Test(end_to_end, complete_then_wait_gets_the_result)
{
    struct pending_table *t = pending_create();
    cr_assert(t, "pending_create returned NULL");
    cr_assert_eq(pending_add(t, "o-1"), 0, "pending_add(\"o-1\") on an empty table must return 0");
    cr_assert_eq(pending_complete(t, "o-1", "{\"order_id\":\"o-1\"}"), 1,
                 "pending_complete of a waiting id must return 1 (a request took it)");
    char *got = pending_wait(t, "o-1", pending_now_ms() + 1000);
    cr_assert(got && strcmp(got, "{\"order_id\":\"o-1\"}") == 0,
              "pending_wait must return the completed result, got %s", got ? got : "NULL");
    free(got);
    cr_assert_eq(pending_count(t), 0, "after pending_wait the id must be gone from the table");
    pending_destroy(t);
}

struct later {
    struct pending_table *t;
    const char *id;
    int delay_ms;
    int rc;
};

static void *complete_later(void *arg)
{
    struct later *l = arg;
    usleep((useconds_t)l->delay_ms * 1000);
    l->rc = pending_complete(l->t, l->id, "{\"late\":false}");
    return NULL;
}

Test(end_to_end, wait_wakes_when_completed_later)
{
    struct pending_table *t = pending_create();
    cr_assert(t, "pending_create returned NULL");
    cr_assert_eq(pending_add(t, "o-2"), 0, "pending_add failed");
    struct later l = {.t = t, .id = "o-2", .delay_ms = 300};
    pthread_t thread;
    cr_assert_eq(pthread_create(&thread, NULL, complete_later, &l), 0, "pthread_create");
    char *got = pending_wait(t, "o-2", pending_now_ms() + 5000);
    pthread_join(thread, NULL);
    cr_assert(got != NULL,
              "pending_wait returned NULL although another thread completed the id after 0.3 s "
              "and the deadline was 5 s away. Is the condition variable on CLOCK_MONOTONIC "
              "(pthread_condattr_setclock), the clock of pending_now_ms?");
    cr_assert_eq(l.rc, 1, "pending_complete from the other thread must return 1");
    free(got);
    pending_destroy(t);
}

Test(end_to_end, wait_gives_up_at_the_deadline_and_forgets)
{
    struct pending_table *t = pending_create();
    cr_assert(t, "pending_create returned NULL");
    cr_assert_eq(pending_add(t, "o-3"), 0, "pending_add failed");
    int64_t start = pending_now_ms();
    char *got = pending_wait(t, "o-3", start + 200);
    cr_assert_null(got, "pending_wait must return NULL when nothing completed the id");
    cr_assert(pending_now_ms() - start >= 190, "pending_wait returned before its deadline");
    cr_assert_eq(pending_count(t), 0,
                 "a request that gave up must leave the table (else it grows forever)");
    cr_assert_eq(pending_complete(t, "o-3", "{}"), 0,
                 "a late event for a request that gave up must find nobody (return 0)");
    pending_destroy(t);
}

Test(end_to_end, second_completion_is_refused)
{
    struct pending_table *t = pending_create();
    cr_assert(t, "pending_create returned NULL");
    cr_assert_eq(pending_add(t, "o-4"), 0, "pending_add failed");
    cr_assert_eq(pending_complete(t, "o-4", "{\"first\":1}"), 1, "first completion: expected 1");
    cr_assert_eq(pending_complete(t, "o-4", "{\"second\":2}"), 0,
                 "a duplicate event must not complete the request again: expected 0");
    char *got = pending_wait(t, "o-4", pending_now_ms() + 1000);
    cr_assert(got && strcmp(got, "{\"first\":1}") == 0, "the first completion must win, got %s",
              got ? got : "NULL");
    free(got);
    cr_assert_eq(pending_complete(t, "never-added", "{}"), 0, "an unknown id must return 0");
    pending_destroy(t);
}

Test(end_to_end, same_id_twice_is_refused)
{
    struct pending_table *t = pending_create();
    cr_assert(t, "pending_create returned NULL");
    cr_assert_eq(pending_add(t, "o-5"), 0, "pending_add failed");
    cr_assert_eq(pending_add(t, "o-5"), -1,
                 "a second pending_add of an id that already waits must return -1");
    cr_assert_eq(pending_count(t), 1, "the table must hold one entry");
    pending_remove(t, "o-5");
    cr_assert_eq(pending_count(t), 0, "pending_remove must drop the entry");
    pending_destroy(t);
}

Test(end_to_end, result_is_copied)
{
    struct pending_table *t = pending_create();
    cr_assert(t, "pending_create returned NULL");
    cr_assert_eq(pending_add(t, "o-6"), 0, "pending_add failed");
    char *body = strdup("{\"order_id\":\"o-6\"}");
    cr_assert(body, "strdup");
    cr_assert_eq(pending_complete(t, "o-6", body), 1, "pending_complete failed");
    memset(body, 'X', strlen(body)); /* the consumer reuses its buffer at once */
    free(body);
    char *got = pending_wait(t, "o-6", pending_now_ms() + 1000);
    cr_assert(got && strcmp(got, "{\"order_id\":\"o-6\"}") == 0,
              "pending_complete must keep its own copy of the result, got %s", got ? got : "NULL");
    free(got);
    pending_destroy(t);
}

#define WAITERS 12

struct waiter {
    struct pending_table *t;
    char id[16];
    char *got;
};

static void *wait_for(void *arg)
{
    struct waiter *w = arg;
    w->got = pending_wait(w->t, w->id, pending_now_ms() + 5000);
    return NULL;
}

Test(end_to_end, many_waiters_each_get_their_own)
{
    struct pending_table *t = pending_create();
    cr_assert(t, "pending_create returned NULL");
    struct waiter w[WAITERS];
    pthread_t threads[WAITERS];
    for (int i = 0; i < WAITERS; i++) {
        w[i].t = t;
        w[i].got = NULL;
        snprintf(w[i].id, sizeof w[i].id, "o-%d", i);
        cr_assert_eq(pending_add(t, w[i].id), 0, "pending_add(%s) failed", w[i].id);
        cr_assert_eq(pthread_create(&threads[i], NULL, wait_for, &w[i]), 0, "pthread_create");
    }
    usleep(100 * 1000);
    for (int i = WAITERS - 1; i >= 0; i--) { /* in reverse order */
        char result[32];
        snprintf(result, sizeof result, "{\"n\":%d}", i);
        cr_assert_eq(pending_complete(t, w[i].id, result), 1, "pending_complete(%s) failed",
                     w[i].id);
    }
    for (int i = 0; i < WAITERS; i++) {
        pthread_join(threads[i], NULL);
        char expected[32];
        snprintf(expected, sizeof expected, "{\"n\":%d}", i);
        cr_assert(w[i].got && strcmp(w[i].got, expected) == 0,
                  "the thread waiting for %s got %s instead of %s", w[i].id,
                  w[i].got ? w[i].got : "NULL (timed out)", expected);
        free(w[i].got);
    }
    pending_destroy(t);
}

/* ---- the whole path --------------------------------------------------------- */

Test(end_to_end, post_returns_201_with_the_confirmed_order, .timeout = 60,
     .description = "POST /orders to be answered once order.confirmed came back over the broker")
{
    struct world w;
    struct svc core, front;
    world_init(&w);
    core_start(&core, &w, "b1", 0);
    front_start(&front, &w, "a1", core.addr);
    struct wb_http_response res;
    post_order(&front, "{\"item\":\"teapot\",\"quantity\":2}", NULL, 8000, &res);
    const char *id = json_order_id(res.body);
    cr_assert_eq(res.status, 201,
                 "POST /orders {\"item\":\"teapot\",\"quantity\":2}: expected 201 once the "
                 "order.confirmed event came back, got %s\norder-front log:\n%s",
                 wb_http_describe(&res), svc_tail(&front));
    cr_assert(strstr(res.body, "\"confirmed\"") && strstr(res.body, "teapot") && id[0],
              "the 201 body must be the confirmed order (order_id, item, status \"confirmed\"), "
              "got %s",
              res.body);
    const char *location = wb_http_header(&res, "Location");
    cr_assert(location && strstr(location, id), "201 must carry Location: /orders/%s, got %s", id,
              location ? location : "none");
    wb_http_response_free(&res);
    svc_stop(&front);
    svc_stop(&core);
}

Test(end_to_end, get_returns_the_confirmed_order, .timeout = 60,
     .description = "GET /orders/{id} of a confirmed order")
{
    struct world w;
    struct svc core, front;
    world_init(&w);
    core_start(&core, &w, "b1", 0);
    front_start(&front, &w, "a1", core.addr);
    struct wb_http_response res;
    post_order(&front, "{\"item\":\"kettle\",\"quantity\":1}", NULL, 8000, &res);
    cr_assert_eq(res.status, 201, "POST /orders: expected 201, got %s\norder-front log:\n%s",
                 wb_http_describe(&res), svc_tail(&front));
    char id[128];
    snprintf(id, sizeof id, "%s", json_order_id(res.body));
    wb_http_response_free(&res);
    get_order(&front, id, &res);
    cr_assert(res.status == 200 && strstr(res.body, "kettle"),
              "GET /orders/%s after its 201: expected 200 with the order, got %s", id,
              wb_http_describe(&res));
    wb_http_response_free(&res);
    get_order(&front, "no-such-order", &res);
    cr_assert_eq(res.status, 404, "GET /orders/no-such-order: expected 404, got %s",
                 wb_http_describe(&res));
    wb_http_response_free(&res);
    svc_stop(&front);
    svc_stop(&core);
}

#define CLIENTS 8

struct client {
    const struct svc *front;
    int n;
    struct wb_http_response res;
};

static void *post_one(void *arg)
{
    struct client *c = arg;
    char body[96];
    snprintf(body, sizeof body, "{\"item\":\"item-%d\",\"quantity\":%d}", c->n, c->n + 1);
    post_order(c->front, body, NULL, 15000, &c->res);
    return NULL;
}

Test(end_to_end, concurrent_posts_each_get_their_own_order, .timeout = 60,
     .description = "8 POSTs at once, each to be answered with its own order")
{
    struct world w;
    struct svc core, front;
    world_init(&w);
    core_start(&core, &w, "b1", 0);
    front_start(&front, &w, "a1", core.addr);
    struct client c[CLIENTS];
    pthread_t threads[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        c[i].front = &front;
        c[i].n = i;
        cr_assert_eq(pthread_create(&threads[i], NULL, post_one, &c[i]), 0, "pthread_create");
    }
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < CLIENTS; i++) {
        char item[32];
        snprintf(item, sizeof item, "\"item-%d\"", i);
        cr_assert(c[i].res.status == 201 && strstr(c[i].res.body, item),
                  "%d POSTs at once: client %d (item %s) expected 201 with its own order, got "
                  "%s\norder-front log:\n%s",
                  CLIENTS, i, item, wb_http_describe(&c[i].res), svc_tail(&front));
    }
    for (int i = 0; i < CLIENTS; i++)
        wb_http_response_free(&c[i].res);
    svc_stop(&front);
    svc_stop(&core);
}

Test(end_to_end, the_event_crosses_the_broker, .timeout = 60,
     .description = "order-core's order.confirmed event on the broker, then the answer")
{
    struct world w;
    struct svc core, front;
    char tap[192];
    world_init(&w);
    core_start(&core, &w, "b1", 0);
    tap_open(&w, tap, sizeof tap);
    front_start(&front, &w, "a1", core.addr);
    struct wb_http_response res;
    post_order(&front, "{\"item\":\"mug\",\"quantity\":3}", NULL, 8000, &res);
    cr_assert_eq(res.status, 201, "POST /orders: expected 201, got %s", wb_http_describe(&res));
    char id[128];
    snprintf(id, sizeof id, "%s", json_order_id(res.body));
    wb_http_response_free(&res);
    struct tapped m;
    bool got = tap_get(tap, &m, 10000); /* there already: ends at once */
    queue_delete(tap);
    cr_assert(got, "no order.confirmed event went through exchange %s", w.exchange);
    cr_assert(strcmp(m.message_id, id) == 0 && strstr(m.body, "mug"),
              "the event must carry the order (message_id %s), got message_id '%s' body %s", id,
              m.message_id, m.body);
    svc_stop(&front);
    svc_stop(&core);
}

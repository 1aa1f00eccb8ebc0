/*
 * test_scale_out.c - exercise "scale_out": two order-core instances behind
 * gRPC's round_robin, two order-front instances with their own events, and
 * one order-core killed under load.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "balance.h"
#include "orders_fixture.h"

WB_SUITE(scale_out);

Test(scale_out, target_lists_every_instance)
{
    char out[128];
    cr_assert_eq(balance_target("127.0.0.1:7001,127.0.0.1:7002", out, sizeof out), 0,
                 "balance_target of two addresses failed");
    cr_assert_str_eq(out, "ipv4:127.0.0.1:7001,127.0.0.1:7002",
                     "balance_target must use gRPC's ipv4: scheme with the list, got \"%s\"", out);
    cr_assert_eq(balance_target("127.0.0.1:7001", out, sizeof out), 0, "one address failed");
    cr_assert_str_eq(out, "ipv4:127.0.0.1:7001", "one address: got \"%s\"", out);
    cr_assert_eq(balance_target("", out, sizeof out), -1, "an empty list must be refused (-1)");
    cr_assert_eq(balance_target("127.0.0.1:7001,127.0.0.1:7002", out, 12), -1,
                 "a target that does not fit must be refused (-1)");
}

Test(scale_out, service_config_asks_for_round_robin)
{
    const char *text = balance_service_config();
    cr_assert(text, "balance_service_config returned NULL");
    json_error_t error;
    json_t *config = json_loads(text, 0, &error);
    cr_assert(config, "the service config is not JSON (%s): %s", error.text, text);
    json_t *lb = json_array_get(json_object_get(config, "loadBalancingConfig"), 0);
    cr_assert(json_object_get(lb, "round_robin"),
              "loadBalancingConfig[0] must select round_robin (the default, pick_first, sends "
              "every call to one instance): %s",
              text);
    json_t *method = json_array_get(json_object_get(config, "methodConfig"), 0);
    json_t *codes = json_object_get(json_object_get(method, "retryPolicy"), "retryableStatusCodes");
    bool unavailable = false;
    for (size_t i = 0; i < json_array_size(codes); i++)
        if (strcmp(json_string_value(json_array_get(codes, i)) ?: "", "UNAVAILABLE") == 0)
            unavailable = true;
    cr_assert(unavailable,
              "methodConfig[0].retryPolicy.retryableStatusCodes must hold \"UNAVAILABLE\" (a "
              "call that hit a dead instance is tried on another): %s",
              text);
    json_decref(config);
}

Test(scale_out, each_instance_has_its_own_queue)
{
    char q1[128], k1[128], q2[128], k2[128];
    cr_assert_eq(balance_instance_queue("ex", "a1", q1, sizeof q1, k1, sizeof k1), 0, "a1 failed");
    cr_assert_eq(balance_instance_queue("ex", "a2", q2, sizeof q2, k2, sizeof k2), 0, "a2 failed");
    cr_assert(strcmp(q1, q2) != 0 && strcmp(k1, k2) != 0,
              "two instances must get different queues and keys, got %s/%s and %s/%s", q1, k1, q2,
              k2);
    cr_assert_str_eq(k1, "order.confirmed.a1", "the key of a1 must be order.confirmed.a1");
    cr_assert_str_eq(q1, "ex.front.a1", "the queue of a1 in exchange ex must be ex.front.a1");
    char small[4];
    cr_assert_eq(balance_instance_queue("ex", "a1", small, sizeof small, k1, sizeof k1), -1,
                 "a queue name that does not fit must be refused (-1)");
}

Test(scale_out, calls_are_spread_over_two_cores, .timeout = 90,
     .description = "3 clients' calls to be answered, spread over both order-core instances")
{
    struct world w;
    struct svc b1, b2, front;
    world_init(&w);
    core_start(&b1, &w, "b1", 0);
    core_start(&b2, &w, "b2", 0);
    char both[160];
    snprintf(both, sizeof both, "%s,%s", b1.addr, b2.addr);
    front_start(&front, &w, "a1", both);
    int by_b1 = 0, by_b2 = 0;
    for (int i = 0; i < 30 && (by_b1 < 2 || by_b2 < 2); i++) {
        struct wb_http_response res;
        post_order(&front, "{\"item\":\"spread\",\"quantity\":1}", NULL, 10000, &res);
        cr_assert_eq(res.status, 201, "POST %d with two order-cores: expected 201, got %s", i,
                     wb_http_describe(&res));
        by_b1 += strstr(res.body, "\"b1\"") != NULL;
        by_b2 += strstr(res.body, "\"b2\"") != NULL;
        wb_http_response_free(&res);
    }
    cr_assert(by_b1 >= 2 && by_b2 >= 2,
              "with ORDER_CORE_ADDRS=%s and round_robin both instances take calls; confirmed "
              "by b1: %d, by b2: %d",
              both, by_b1, by_b2);
    svc_stop(&front);
    svc_stop(&b2);
    svc_stop(&b1);
}

struct client {
    const struct svc *front;
    int n, requests, created;
    char failure[600];
};

static void *post_many(void *arg)
{
    struct client *c = arg;
    for (int i = 0; i < c->requests; i++) {
        char item[32], body[96];
        snprintf(item, sizeof item, "\"c%d-%d\"", c->n, i);
        snprintf(body, sizeof body, "{\"item\":%s,\"quantity\":1}", item);
        const char *headers[] = {"Request-Timeout: 8000", NULL};
        struct wb_http_response res;
        post_order(c->front, body, headers, 12000, &res);
        if (res.status == 201 && strstr(res.body, item))
            c->created++;
        else if (!c->failure[0])
            snprintf(c->failure, sizeof c->failure, "POST %s to order-front %s got %s", body,
                     c->front->name, wb_http_describe(&res));
        wb_http_response_free(&res);
    }
    return NULL;
}

#define PER_FRONT 3

Test(scale_out, two_fronts_each_get_their_own_events, .timeout = 90,
     .description = "two order-front instances, each to get its own events only")
{
    struct world w;
    struct svc core, a1, a2;
    world_init(&w);
    core_start(&core, &w, "b1", 0);
    front_start(&a1, &w, "a1", core.addr);
    front_start(&a2, &w, "a2", core.addr);
    /* One instance at a time, one request at a time: a queue shared by both
     * hands its messages to its consumers in turn, so some of a1's events
     * would reach a2, whichever order things happen in. */
    struct client c[2] = {{.front = &a1, .n = 1, .requests = PER_FRONT},
                          {.front = &a2, .n = 2, .requests = PER_FRONT}};
    for (int i = 0; i < 2; i++)
        post_many(&c[i]);
    for (int i = 0; i < 2; i++)
        cr_assert_eq(c[i].created, PER_FRONT,
                     "two order-front instances: each must receive the events of its own "
                     "orders (its own queue and routing key); %s got %d of %d answers. First "
                     "failure: %s",
                     c[i].front->name, c[i].created, PER_FRONT, c[i].failure);
    svc_stop(&a2);
    svc_stop(&a1);
    svc_stop(&core);
}

#define CLIENTS 3
#define EACH 8

Test(scale_out, killing_one_core_loses_no_request, .timeout = 120,
     .description = "every request to be answered while one order-core is killed under load")
{
    struct world w;
    struct svc b1, b2, front;
    world_init(&w);
    core_start(&b1, &w, "b1", 0);
    core_start(&b2, &w, "b2", 0);
    char both[160];
    snprintf(both, sizeof both, "%s,%s", b1.addr, b2.addr);
    front_start(&front, &w, "a1", both);
    struct client c[CLIENTS];
    pthread_t threads[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        c[i] = (struct client){.front = &front, .n = i, .requests = EACH};
        cr_assert_eq(pthread_create(&threads[i], NULL, post_many, &c[i]), 0, "pthread_create");
    }
    /* Kill b1 while the clients are busy: after the first answers. */
    int64_t until = wb_now_ms() + 20000;
    while (hop_lines(&w, "\"who\":\"order-front\",\"to\":\"client\"", NULL) < CLIENTS &&
           wb_now_ms() < until)
        usleep(20 * 1000);
    svc_kill(&b1);
    int created = 0;
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(threads[i], NULL);
        created += c[i].created;
    }
    const char *failure = "";
    for (int i = 0; i < CLIENTS; i++)
        if (c[i].failure[0])
            failure = c[i].failure;
    cr_assert_eq(created, CLIENTS * EACH,
                 "order-core b1 was killed under load; b2 was there all along, so every request "
                 "must still succeed (round_robin skips the dead instance, the retry policy "
                 "re-sends calls that failed with UNAVAILABLE). %d of %d got their 201. A "
                 "failure: %s",
                 created, CLIENTS * EACH, failure);
    svc_stop(&front);
    svc_stop(&b2);
}

/*
 * test_deadlines.c - exercise "deadlines": the client's budget becomes the
 * gRPC deadline and the wait for the event; failures become answers a
 * client can act on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "budget.h"
#include "orders_fixture.h"

WB_SUITE(deadlines);

Test(deadlines, budget_header_is_parsed)
{
    struct {
        const char *header;
        int rc, ms;
    } cases[] = {
        {NULL, 0, BUDGET_DEFAULT_MS},
        {"1500", 0, 1500},
        {"1", 0, 1},
        {"999999999", 0, BUDGET_MAX_MS},
        {"99999999999999999999", 0, BUDGET_MAX_MS},
        {"0", -1, 0},
        {"-5", -1, 0},
        {"abc", -1, 0},
        {"1.5", -1, 0},
        {"", -1, 0},
        {"20ms", -1, 0},
        {"+7", -1, 0},
        {" 7", -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int ms = -12345;
        int rc = budget_parse(cases[i].header, &ms);
        cr_assert_eq(rc, cases[i].rc, "budget_parse(%s%s%s): expected %d, got %d",
                     cases[i].header ? "\"" : "", cases[i].header ? cases[i].header : "NULL",
                     cases[i].header ? "\"" : "", cases[i].rc, rc);
        if (rc == 0)
            cr_assert_eq(ms, cases[i].ms, "budget_parse(\"%s\"): expected %d ms, got %d",
                         cases[i].header ? cases[i].header : "NULL", cases[i].ms, ms);
    }
}

Test(deadlines, deadline_keeps_a_reserve)
{
    cr_assert_eq(budget_deadline(1000, 2000), 1000 + 2000 - BUDGET_RESERVE_MS,
                 "budget_deadline(1000, 2000): expected arrival + budget - reserve = %d, got %lld",
                 1000 + 2000 - BUDGET_RESERVE_MS, (long long)budget_deadline(1000, 2000));
    cr_assert_eq(budget_deadline(1000, 60), 1030,
                 "budget_deadline(1000, 60): a tiny budget keeps half of it (1030), got %lld",
                 (long long)budget_deadline(1000, 60));
    cr_assert_eq(budget_remaining(5000, 4000), 1000, "budget_remaining(5000, 4000) must be 1000");
    cr_assert_eq(budget_remaining(5000, 6000), 0, "budget_remaining after the deadline must be 0");
}

Test(deadlines, grpc_status_becomes_an_http_answer)
{
    struct {
        grpc_status_code code;
        int http, retry;
    } cases[] = {
        {GRPC_STATUS_OK, 0, 0},
        {GRPC_STATUS_DEADLINE_EXCEEDED, 504, 0},
        {GRPC_STATUS_UNAVAILABLE, 503, 1},
        {GRPC_STATUS_INVALID_ARGUMENT, 400, 0},
        {GRPC_STATUS_INTERNAL, 502, 0},
        {GRPC_STATUS_UNIMPLEMENTED, 502, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int retry = -1;
        const char *error = NULL;
        int http = budget_http_status(cases[i].code, &retry, &error);
        cr_assert_eq(http, cases[i].http, "budget_http_status(gRPC status %d): expected %d, got %d",
                     (int)cases[i].code, cases[i].http, http);
        cr_assert_eq(retry, cases[i].retry,
                     "budget_http_status(gRPC status %d): expected Retry-After %d, got %d",
                     (int)cases[i].code, cases[i].retry, retry);
        if (http != 0)
            cr_assert(error && *error, "status %d needs an error sentence for the client", http);
    }
}

/* The body must be JSON with an "error" member. */
static void assert_json_error(const struct wb_http_response *res, long status)
{
    cr_assert(strstr(res->body, "\"error\"") != NULL,
              "a %ld must carry a JSON body {\"error\": \"...\"} saying why, got %s", status,
              res->body);
}

Test(deadlines, slow_core_gives_504_before_the_client_gives_up, .timeout = 60,
     .description = "order-front to answer 504 within the budget while order-core is too slow")
{
    struct world w;
    struct svc core, front;
    world_init(&w);
    core_start(&core, &w, "b1", 0);
    front_start(&front, &w, "a1", core.addr);
    svc_pause(&core); /* order-core is alive but answers nothing */
    const char *headers[] = {"Request-Timeout: 1000", NULL};
    struct wb_http_response res;
    post_order(&front, "{\"item\":\"slow\",\"quantity\":1}", headers, 6000, &res);
    svc_resume(&core);
    cr_assert_eq(res.status, 504,
                 "order-core paused, POST with Request-Timeout: 1000 and a client that waits "
                 "6 s: expected 504 within the budget, got %s\norder-front log:\n%s",
                 wb_http_describe(&res), svc_tail(&front));
    assert_json_error(&res, 504);
    wb_http_response_free(&res);
    svc_stop(&front);
    svc_stop(&core);
}

Test(deadlines, core_down_gives_503_with_retry_after, .timeout = 60,
     .description = "order-front to answer 503 with Retry-After while order-core is down")
{
    struct world w;
    struct svc core, front;
    world_init(&w);
    core_start(&core, &w, "b1", 0); /* declares the exchange, then goes away */
    svc_stop(&core);
    front_start(&front, &w, "a1", core.addr);
    struct wb_http_response res;
    post_order(&front, "{\"item\":\"nobody\",\"quantity\":1}", NULL, 8000, &res);
    cr_assert_eq(res.status, 503,
                 "nothing listens at order-core's address: expected 503, got %s\norder-front "
                 "log:\n%s",
                 wb_http_describe(&res), svc_tail(&front));
    const char *retry = wb_http_header(&res, "Retry-After");
    cr_assert(retry && atoi(retry) >= 1,
              "503 must say when to retry (Retry-After: seconds), got %s", retry ? retry : "none");
    assert_json_error(&res, 503);
    wb_http_response_free(&res);
    svc_stop(&front);
}

Test(deadlines, bad_budget_header_is_400, .timeout = 60,
     .description = "order-front to answer 400 to a malformed budget header")
{
    struct world w;
    struct svc core, front;
    world_init(&w);
    core_start(&core, &w, "b1", 0);
    front_start(&front, &w, "a1", core.addr);
    const char *headers[] = {"Request-Timeout: soon", NULL};
    struct wb_http_response res;
    post_order(&front, "{\"item\":\"x\",\"quantity\":1}", headers, 8000, &res);
    cr_assert_eq(res.status, 400, "Request-Timeout: soon: expected 400, got %s",
                 wb_http_describe(&res));
    assert_json_error(&res, 400);
    wb_http_response_free(&res);
    const char *ok[] = {"Request-Timeout: 8000", NULL};
    post_order(&front, "{\"item\":\"x\",\"quantity\":1}", ok, 10000, &res);
    cr_assert_eq(res.status, 201,
                 "Request-Timeout: 8000 with a working order-core: expected "
                 "201, got %s",
                 wb_http_describe(&res));
    wb_http_response_free(&res);
    svc_stop(&front);
    svc_stop(&core);
}

Test(deadlines, late_events_are_dropped_without_harm, .timeout = 60,
     .description = "order-front to drop the event of an abandoned request and keep serving")
{
    struct world w;
    struct svc core, front;
    world_init(&w);
    core_start(&core, &w, "b1", 0);
    front_start(&front, &w, "a1", core.addr);
    /* A request that gives up while order-core is paused... */
    svc_pause(&core);
    const char *headers[] = {"Request-Timeout: 600", NULL};
    struct wb_http_response res;
    post_order(&front, "{\"item\":\"late\",\"quantity\":1}", headers, 6000, &res);
    cr_assert_eq(res.status, 504, "order-core paused, Request-Timeout: 600: expected 504, got %s",
                 wb_http_describe(&res));
    wb_http_response_free(&res);
    svc_resume(&core); /* ...may still be published late, when order-core wakes up */
    /* ...and events nobody waits for arrive too. */
    publish_event(&w, front_key(&w, "a1"), "o-nobody-1",
                  "{\"order_id\":\"o-nobody-1\",\"item\":\"ghost\",\"quantity\":1,"
                  "\"status\":\"confirmed\"}");
    publish_event(&w, front_key(&w, "a1"), "o-nobody-2", "not even json");
    usleep(300 * 1000);
    post_order(&front, "{\"item\":\"after\",\"quantity\":1}", NULL, 10000, &res);
    cr_assert(res.status == 201 && strstr(res.body, "after"),
              "after a late request and stray events order-front must go on serving: expected "
              "201, got %s\norder-front log:\n%s",
              wb_http_describe(&res), svc_tail(&front));
    wb_http_response_free(&res);
    svc_stop(&front);
    svc_stop(&core);
}

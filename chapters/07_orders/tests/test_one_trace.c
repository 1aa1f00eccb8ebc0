/*
 * test_one_trace.c - exercise "one_trace": one W3C trace context from the
 * client's HTTP header through gRPC metadata and AMQP headers back to the
 * client, checked at every hop from outside the services: a gRPC proxy of
 * the test's own between order-front and order-core (tests/peers/
 * grpc_tap.py) shows the metadata on the wire, a tap queue shows the
 * broker's message, and the HTTP response shows what came back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orders_fixture.h"
#include "trace.h"

WB_SUITE(one_trace);

#define CLIENT_TRACE "4bf92f3577b34da6a3ce929d0e0e4736"
#define CLIENT_SPAN "00f067aa0ba902b7"
#define CLIENT_TRACEPARENT "00-" CLIENT_TRACE "-" CLIENT_SPAN "-01"

Test(one_trace, traceparent_is_validated)
{
    struct {
        const char *header;
        bool valid;
    } cases[] = {
        {CLIENT_TRACEPARENT, true},
        {"00-" CLIENT_TRACE "-" CLIENT_SPAN "-00", true},
        {"00-4BF92F3577B34DA6A3CE929D0E0E4736-" CLIENT_SPAN "-01", false},
        {"00-00000000000000000000000000000000-" CLIENT_SPAN "-01", false},
        {"00-" CLIENT_TRACE "-0000000000000000-01", false},
        {"00-" CLIENT_TRACE "-" CLIENT_SPAN "-1", false},
        {"00-" CLIENT_TRACE "-" CLIENT_SPAN "-01-extra", false},
        {"00_" CLIENT_TRACE "_" CLIENT_SPAN "_01", false},
        {"00-" CLIENT_TRACE "-00f067aa0ba902bz-01", false},
        {"", false},
        {NULL, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char trace_id[33] = "";
        bool valid = trace_parse(cases[i].header, trace_id);
        cr_assert_eq(valid, cases[i].valid, "trace_parse(\"%s\"): expected %s",
                     cases[i].header ? cases[i].header : "NULL",
                     cases[i].valid ? "valid" : "invalid");
        if (valid)
            cr_assert_str_eq(trace_id, CLIENT_TRACE, "trace_parse(\"%s\") must copy the trace id",
                             cases[i].header);
    }
}

Test(one_trace, child_keeps_the_trace_and_makes_a_new_span)
{
    char a[TRACEPARENT_LEN + 1], b[TRACEPARENT_LEN + 1], trace_id[33];
    cr_assert_eq(trace_child(CLIENT_TRACEPARENT, a), 0, "trace_child failed");
    cr_assert_eq(trace_child(CLIENT_TRACEPARENT, b), 0, "trace_child failed");
    cr_assert(trace_parse(a, trace_id), "trace_child wrote an invalid traceparent: \"%s\"", a);
    cr_assert_str_eq(trace_id, CLIENT_TRACE, "the child must keep the trace id, got \"%s\"", a);
    cr_assert(strncmp(a + 36, CLIENT_SPAN, 16) != 0,
              "the child must put its own span id in the parent-id field, got \"%s\"", a);
    cr_assert(strncmp(a + 36, b + 36, 16) != 0,
              "two children must get different span ids, got \"%s\" twice", a);
    cr_assert_str_eq(a + 53, "01", "the child must keep the flags, got \"%s\"", a);
}

Test(one_trace, no_or_bad_incoming_starts_a_new_trace)
{
    char a[TRACEPARENT_LEN + 1], b[TRACEPARENT_LEN + 1], ta[33], tb[33];
    cr_assert_eq(trace_child(NULL, a), 0, "trace_child(NULL) failed");
    cr_assert_eq(trace_child("garbage", b), 0, "trace_child(\"garbage\") failed");
    cr_assert(trace_parse(a, ta) && trace_parse(b, tb),
              "a new trace must be a valid traceparent, got \"%s\" and \"%s\"", a, b);
    cr_assert(strcmp(ta, tb) != 0, "two new traces must get different trace ids, got %s twice", ta);
}

Test(one_trace, trace_crosses_grpc_metadata, .timeout = 60,
     .description = "the traceparent to reach order-core in the gRPC metadata")
{
    struct world w;
    struct svc core, proxy, front;
    world_init(&w);
    core_start(&core, &w, "b1", 0);
    grpc_tap_start(&proxy, &w, core.addr);
    front_start(&front, &w, "a1", proxy.addr); /* order-front -> proxy -> order-core */
    const char *headers[] = {"traceparent: " CLIENT_TRACEPARENT, NULL};
    struct wb_http_response res;
    post_order(&front, "{\"item\":\"traced\",\"quantity\":1}", headers, 10000, &res);
    cr_assert_eq(res.status, 201, "POST through the test's gRPC proxy: expected 201, got %s",
                 wb_http_describe(&res));
    wb_http_response_free(&res);
    char seen[256] = "";
    FILE *f = fopen(proxy.log, "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "traceparent %255s", seen) == 1)
            break;
    if (f)
        fclose(f);
    char trace_id[33] = "";
    cr_assert(trace_parse(seen, trace_id),
              "the gRPC call order-front made must carry metadata \"traceparent\"; the proxy "
              "saw \"%s\"",
              seen[0] ? seen : "(no call)");
    cr_assert_str_eq(trace_id, CLIENT_TRACE,
                     "the gRPC metadata must continue the client's trace %s, got %s", CLIENT_TRACE,
                     seen);
    cr_assert(strncmp(seen + 36, CLIENT_SPAN, 16) != 0,
              "order-front must send its own span id on, not the client's: got %s", seen);
    svc_stop(&front);
    svc_stop(&proxy);
    svc_stop(&core);
}

Test(one_trace, trace_reaches_the_broker_and_comes_back, .timeout = 60,
     .description = "the traceparent on the broker's message and back in order-front")
{
    struct world w;
    struct svc core, front;
    char tap[192];
    world_init(&w);
    core_start(&core, &w, "b1", 0);
    tap_open(&w, tap, sizeof tap);
    front_start(&front, &w, "a1", core.addr);
    const char *headers[] = {"traceparent: " CLIENT_TRACEPARENT, NULL};
    struct wb_http_response res;
    post_order(&front, "{\"item\":\"traced\",\"quantity\":1}", headers, 10000, &res);
    cr_assert_eq(res.status, 201, "POST: expected 201, got %s", wb_http_describe(&res));
    const char *back = wb_http_header(&res, "traceparent");
    char trace_id[33] = "", message_trace[33] = "";
    cr_assert(back && trace_parse(back, trace_id) && strcmp(trace_id, CLIENT_TRACE) == 0,
              "the 201 must carry a traceparent header continuing trace %s, got %s", CLIENT_TRACE,
              back ? back : "none");
    wb_http_response_free(&res);
    struct tapped m;
    bool got = tap_get(tap, &m, 10000); /* there already: ends at once */
    queue_delete(tap);
    cr_assert(got, "no event went through exchange %s", w.exchange);
    cr_assert(trace_parse(m.traceparent, message_trace) && strcmp(message_trace, CLIENT_TRACE) == 0,
              "the order.confirmed message must carry header \"traceparent\" continuing trace "
              "%s, got \"%s\"",
              CLIENT_TRACE, m.traceparent);
    cr_assert(strncmp(m.traceparent + 36, CLIENT_SPAN, 16) != 0,
              "order-core must send its own span id on, got %s", m.traceparent);
    int hops = hop_lines(&w, CLIENT_TRACE, NULL);
    cr_assert(hops >= 5,
              "the hop events (HOP_LOG) must name trace %s at every hop: client->front, "
              "front->core, core->broker, broker->front, front->client; %d lines do",
              CLIENT_TRACE, hops);
    svc_stop(&front);
    svc_stop(&core);
}

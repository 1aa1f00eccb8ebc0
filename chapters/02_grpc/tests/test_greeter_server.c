/*
 * test_greeter_server.c - exercise "greeter_server".
 *
 * The student's server runs in a thread of the test; a raw test client
 * (grpc_test_util.h) and Debian's python3-grpcio client (tests/peers/
 * greeter_client.py) call it on 127.0.0.1 with an ephemeral port.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include "wb_testkit.h"

#include <dlfcn.h>

#include "grpc_test_util.h"
#include "greeter_server.h"
#include "wb_grpc.h"

WB_SUITE(greeter_server);

/* ---- how long the server waits for events ---------------------------------
 * This binary defines grpc_completion_queue_next itself: the student's server
 * calls it, it notes the longest wait asked for and passes the call on to
 * gRPC's own (dlsym RTLD_NEXT). A loop that waits without a deadline sees
 * the stop flag only when some event happens to arrive: whether a test sees
 * that depends on timing, the deadline asked for does not. It also counts
 * the events the server took, so a test can wait until the server has picked
 * up a call (the test's own client uses grpc_completion_queue_pluck). */
static atomic_llong longest_wait_ms;
static atomic_int events_taken;

grpc_event grpc_completion_queue_next(grpc_completion_queue *cq, gpr_timespec deadline,
                                      void *reserved)
{
    static grpc_event (*real)(grpc_completion_queue *, gpr_timespec, void *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "grpc_completion_queue_next");
    gpr_timespec left = gpr_time_sub(gpr_convert_clock_type(deadline, GPR_CLOCK_MONOTONIC),
                                     gpr_now(GPR_CLOCK_MONOTONIC));
    long long ms = left.tv_sec > 1000000 ? 1000000000LL : (long long)gpr_time_to_millis(left);
    long long seen = atomic_load(&longest_wait_ms);
    while (ms > seen && !atomic_compare_exchange_weak(&longest_wait_ms, &seen, ms))
        ;
    grpc_event ev = real(cq, deadline, reserved);
    if (ev.type == GRPC_OP_COMPLETE)
        atomic_fetch_add(&events_taken, 1);
    return ev;
}

/* ---- what the server answers ---------------------------------------------
 * grpc_call_start_batch is defined here as well, to count the statuses the
 * server sends with OK (only a server's batch holds SEND_STATUS_FROM_SERVER;
 * the test's own client never does). A call cut by the shutdown must not end
 * with OK, and the server's batch says so the moment it is started, where the
 * client would learn it only from the wire, or at the call's deadline. */
static atomic_int ok_statuses_sent;

grpc_call_error grpc_call_start_batch(grpc_call *call, const grpc_op *ops, size_t nops, void *tag,
                                      void *reserved)
{
    static grpc_call_error (*real)(grpc_call *, const grpc_op *, size_t, void *, void *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "grpc_call_start_batch");
    for (size_t i = 0; i < nops; i++)
        if (ops[i].op == GRPC_OP_SEND_STATUS_FROM_SERVER &&
            ops[i].data.send_status_from_server.status == GRPC_STATUS_OK)
            atomic_fetch_add(&ok_statuses_sent, 1);
    return real(call, ops, nops, tag, reserved);
}

static int run_greeter(void *server, const atomic_bool *stop)
{
    return greeter_server_run(server, stop);
}

static struct greeter_server *start(struct test_server_thread *t, int *port)
{
    struct greeter_server *server = greeter_server_create("127.0.0.1:0", port);
    cr_assert_not_null(server, "greeter_server_create(\"127.0.0.1:0\") returned NULL");
    cr_assert_gt(*port, 0, "greeter_server_create must store the bound port, got %d", *port);
    test_server_thread_start(t, server, run_greeter);
    return server;
}

static void stop(struct test_server_thread *t, struct greeter_server *server)
{
    int rc = -1;
    cr_assert(test_server_thread_stop(t, 4000, &rc),
              "greeter_server_run did not return within 4 s after *stop became true: check *stop "
              "after every GRPC_QUEUE_TIMEOUT, and cancel calls in flight when shutting down");
    cr_assert_eq(rc, 0, "greeter_server_run returned %d after stop, expected 0 (clean shutdown)",
                 rc);
    greeter_server_destroy(server);
}

Test(greeter_server, say_hello_answers)
{
    struct test_server_thread t;
    int port = 0;
    struct greeter_server *server = start(&t, &port);
    struct test_reply r;
    test_call(test_target(port), GREETER_SAY_HELLO, "Ada", 5000, &r);
    cr_assert_eq(
        r.status, GRPC_STATUS_OK, "SayHello{name=\"Ada\"}: expected status OK, got %s (\"%s\")%s",
        compat_status_name(r.status), r.details ? r.details : "",
        r.status == GRPC_STATUS_DEADLINE_EXCEEDED ? ": the server never finished the call" : "");
    cr_assert_not_null(r.message,
                       "SayHello{name=\"Ada\"}: status OK but no HelloResponse message came back");
    cr_assert_str_eq(r.message, "Hello, Ada!",
                     "SayHello{name=\"Ada\"}: expected \"Hello, Ada!\", got \"%s\"", r.message);
    test_reply_free(&r);
    stop(&t, server);
}

Test(greeter_server, many_calls_in_a_row)
{
    struct test_server_thread t;
    int port = 0;
    struct greeter_server *server = start(&t, &port);
    for (int i = 0; i < 30; i++) {
        char name[32], expected[48];
        snprintf(name, sizeof name, "caller-%d", i);
        snprintf(expected, sizeof expected, "Hello, %s!", name);
        struct test_reply r;
        test_call(test_target(port), GREETER_SAY_HELLO, name, 3000, &r);
        cr_assert_eq(r.status, GRPC_STATUS_OK,
                     "call %d of 30 got %s (\"%s\"): after each new call, request the next one "
                     "with grpc_server_request_call",
                     i + 1, compat_status_name(r.status), r.details ? r.details : "");
        cr_assert_str_eq(r.message ? r.message : "", expected,
                         "call %d: expected \"%s\", got \"%s\"", i + 1, expected,
                         r.message ? r.message : "(no message)");
        test_reply_free(&r);
    }
    stop(&t, server);
}

Test(greeter_server, empty_name_is_invalid_argument)
{
    struct test_server_thread t;
    int port = 0;
    struct greeter_server *server = start(&t, &port);
    struct test_reply r;
    test_call(test_target(port), GREETER_SAY_HELLO, "", 3000, &r);
    cr_assert_eq(r.status, GRPC_STATUS_INVALID_ARGUMENT,
                 "SayHello{name=\"\"}: expected INVALID_ARGUMENT, got %s (\"%s\")%s",
                 compat_status_name(r.status), r.details ? r.details : "",
                 r.status == GRPC_STATUS_DEADLINE_EXCEEDED
                     ? ": a client waits for initial metadata; send it on every call"
                     : "");
    cr_assert(r.details && r.details[0],
              "INVALID_ARGUMENT must come with a message saying what is wrong, "
              "got an empty status message");
    cr_assert_null(r.message, "a failed call must not carry a reply message, got \"%s\"",
                   r.message);
    test_reply_free(&r);
    stop(&t, server);
}

Test(greeter_server, unknown_method_is_unimplemented)
{
    struct test_server_thread t;
    int port = 0;
    struct greeter_server *server = start(&t, &port);
    struct test_reply r;
    test_call(test_target(port), "/example.Greeter/SayGoodbye", "Ada", 3000, &r);
    cr_assert_eq(r.status, GRPC_STATUS_UNIMPLEMENTED,
                 "calling /example.Greeter/SayGoodbye: expected UNIMPLEMENTED, got %s (\"%s\")%s",
                 compat_status_name(r.status), r.details ? r.details : "",
                 r.status == GRPC_STATUS_DEADLINE_EXCEEDED
                     ? ": a client waits for initial metadata; send it on every call"
                     : "");
    test_reply_free(&r);
    /* The server must go on serving afterwards. */
    test_call(test_target(port), GREETER_SAY_HELLO, "Ada", 3000, &r);
    cr_assert_eq(r.status, GRPC_STATUS_OK, "SayHello after an unknown method: expected OK, got %s",
                 compat_status_name(r.status));
    test_reply_free(&r);
    stop(&t, server);
}

Test(greeter_server, python_client_gets_greeting)
{
    struct test_server_thread t;
    int port = 0;
    struct greeter_server *server = start(&t, &port);
    /* Three calls, one Python start: a greeting, an empty name, an unknown method. */
    // clang-format off
    char *args[] = {(char *)test_target(port),
                    "hello", "Grace", "--",
                    "hello", "", "--",
                    "method", "/example.Greeter/Nope", NULL};
    // clang-format on
    struct wb_run_result r;
    cr_assert_eq(wb_grpc_client_run(args, 8000, &r), 0, "could not run the Python client: %s",
                 r.output);
    char *greeting = wb_grpc_call_output(r.output, 1);
    char *empty = wb_grpc_call_output(r.output, 2);
    char *unknown = wb_grpc_call_output(r.output, 3);
    bool greeted = greeting && strstr(greeting, "REPLY Hello, Grace!") != NULL;
    bool refused = empty && strstr(empty, "STATUS INVALID_ARGUMENT") != NULL;
    bool unimplemented = unknown && strstr(unknown, "STATUS UNIMPLEMENTED") != NULL;
    free(greeting);
    free(empty);
    free(unknown);
    cr_assert(
        greeted,
        "python3-grpcio client called SayHello{name=\"Grace\"}; expected \"REPLY Hello, Grace!\", "
        "its output was:\n%s",
        r.output);
    cr_assert(refused,
              "python3-grpcio client sent an empty name; expected it to see INVALID_ARGUMENT, "
              "its output was:\n%s",
              r.output);
    cr_assert(unimplemented,
              "python3-grpcio client called /example.Greeter/Nope; expected UNIMPLEMENTED, "
              "its output was:\n%s",
              r.output);
    wb_run_result_free(&r);
    stop(&t, server);
}

Test(greeter_server, stop_flag_ends_run)
{
    struct test_server_thread t;
    int port = 0;
    struct greeter_server *server = start(&t, &port);
    cr_assert(wb_wait_port((uint16_t)port, 2000),
              "nothing listens on the port greeter_server_create "
              "reported (%d)",
              port);
    /* One call, so that the server's loop has surely waited for events. */
    struct test_reply first;
    test_call(test_target(port), GREETER_SAY_HELLO, "Ada", 5000, &first);
    cr_assert_eq(first.status, GRPC_STATUS_OK, "SayHello{name=\"Ada\"}: expected OK, got %s",
                 compat_status_name(first.status));
    test_reply_free(&first);
    long long waited = atomic_load(&longest_wait_ms);
    cr_assert(waited <= 1000,
              "greeter_server_run asked grpc_completion_queue_next to wait %s: it must check "
              "*stop at least every 100 ms, so give every wait a deadline of about 100 ms",
              waited >= 1000000000LL ? "forever (no deadline)" : "more than a second");
    stop(&t, server);
    /* After a clean shutdown the port is closed. */
    struct test_reply r;
    test_call(test_target(port), GREETER_SAY_HELLO, "Ada", 2000, &r);
    cr_assert_eq(
        r.status, GRPC_STATUS_UNAVAILABLE,
        "after greeter_server_destroy the port must be closed (expected UNAVAILABLE), got %s",
        compat_status_name(r.status));
    test_reply_free(&r);
}

Test(greeter_server, shutdown_cancels_call_in_flight)
{
    struct test_server_thread t;
    int port = 0;
    struct greeter_server *server = start(&t, &port);

    /* A client that opens a call and never sends its request: the server
     * waits in RECV_MESSAGE. The call's deadline (8 s) is far away. */
    int taken_before = atomic_load(&events_taken);
    grpc_init();
    grpc_channel *channel = compat_channel_create(test_target(port));
    grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
    grpc_slice method = grpc_slice_from_static_string(GREETER_SAY_HELLO);
    grpc_call *call = grpc_channel_create_call(channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq, method,
                                               NULL, compat_deadline_ms(8000), NULL);
    cr_assert_not_null(call, "test client: grpc_channel_create_call failed");
    grpc_metadata_array trailing;
    grpc_metadata_array_init(&trailing);
    grpc_op ops[1];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    int tag1 = 1, tag2 = 2;
    cr_assert_eq(grpc_call_start_batch(call, ops, 1, &tag1, NULL), GRPC_CALL_OK,
                 "test: start_batch failed");
    grpc_event ev = grpc_completion_queue_pluck(cq, &tag1, compat_deadline_ms(3000), NULL);
    cr_assert(ev.type == GRPC_OP_COMPLETE && ev.success,
              "test client: could not open a SayHello call within 3 s");
    /* The server has the call once its loop took the call's event. */
    int64_t give_up = wb_now_ms() + 3000;
    while (atomic_load(&events_taken) == taken_before && wb_now_ms() < give_up)
        usleep(5000);
    cr_assert(atomic_load(&events_taken) > taken_before,
              "opened a SayHello call and waited 3 s: greeter_server_run took no event for it "
              "from grpc_completion_queue_next (is a call requested with "
              "grpc_server_request_call?)");

    /* Stop the server while the call is open. */
    int ok_before = atomic_load(&ok_statuses_sent);
    int rc = -1;
    bool returned = test_server_thread_stop(&t, 4000, &rc);
    cr_assert(returned,
              "greeter_server_run did not return within 4 s of stop while a call was open "
              "(the call's deadline is 8 s): call grpc_server_cancel_all_calls after "
              "grpc_server_shutdown_and_notify");
    cr_assert_eq(rc, 0, "greeter_server_run returned %d, expected 0", rc);

    cr_assert_eq(atomic_load(&ok_statuses_sent), ok_before,
                 "the open call was cut by the shutdown, yet greeter_server_run ended it with "
                 "status OK: a call the server did not answer must not look answered");

    /* gRPC 1.51 tells the client nothing of a call cancelled before any
     * header went out (the server sends its headers with the reply) until
     * the call's own deadline, 8 s away: the client ends it itself. */
    grpc_status_code status = GRPC_STATUS_OK;
    grpc_slice details;
    ops[0].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[0].data.recv_status_on_client.trailing_metadata = &trailing;
    ops[0].data.recv_status_on_client.status = &status;
    ops[0].data.recv_status_on_client.status_details = &details;
    cr_assert_eq(grpc_call_start_batch(call, ops, 1, &tag2, NULL), GRPC_CALL_OK,
                 "test: start_batch failed");
    cr_assert_eq(grpc_call_cancel(call, NULL), GRPC_CALL_OK, "test: grpc_call_cancel failed");
    ev = grpc_completion_queue_pluck(cq, &tag2, compat_deadline_ms(9000), NULL);
    cr_assert_eq(ev.type, GRPC_OP_COMPLETE, "test client got no status for its open call");
    grpc_slice_unref(details);
    grpc_metadata_array_destroy(&trailing);
    grpc_call_unref(call);
    grpc_channel_destroy(channel);
    grpc_completion_queue_shutdown(cq);
    while (grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN)
        ;
    grpc_completion_queue_destroy(cq);
    grpc_shutdown();
    greeter_server_destroy(server);
}

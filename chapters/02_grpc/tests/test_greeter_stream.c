/*
 * test_greeter_stream.c - exercise "greeter_stream": SayHelloStream on the
 * server (called by python3-grpcio and by the student's client) and on the
 * client (calling a python3-grpcio server), with cancellation half-way.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include "wb_testkit.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "greeter_stream.h"
#include "grpc_test_util.h"
#include "wb_grpc.h"

WB_SUITE(greeter_stream);

/* ---- watching the server's batches -------------------------------------
 * This binary defines grpc_call_start_batch and grpc_completion_queue_next
 * itself: the student's server calls these, they note what happens and pass
 * each call on to gRPC's own (dlsym RTLD_NEXT). A greeting batch that
 * completes with success == 0 means the client is gone; the watch counts
 * greetings the server still starts on such a call. */
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static bool watch_armed;
static void *watch_tag;         /* tag of the last greeting batch started */
static grpc_call *watch_call;   /* its call */
static grpc_call *failed_call;  /* a call whose greeting batch failed */
static int failure_events;      /* failed greeting batches delivered */
static bool failure_handled;    /* the server asked for its next event since */
static int sends_after_failure; /* greetings started on failed_call */

static bool has_send_message(const grpc_op *ops, size_t nops)
{
    for (size_t i = 0; i < nops; i++)
        if (ops[i].op == GRPC_OP_SEND_MESSAGE)
            return true;
    return false;
}

grpc_call_error grpc_call_start_batch(grpc_call *call, const grpc_op *ops, size_t nops, void *tag,
                                      void *reserved)
{
    static grpc_call_error (*real)(grpc_call *, const grpc_op *, size_t, void *, void *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "grpc_call_start_batch");
    pthread_mutex_lock(&watch_lock);
    if (watch_armed && has_send_message(ops, nops)) {
        if (call == failed_call)
            sends_after_failure++;
        watch_tag = tag;
        watch_call = call;
    }
    pthread_mutex_unlock(&watch_lock);
    return real(call, ops, nops, tag, reserved);
}

grpc_event grpc_completion_queue_next(grpc_completion_queue *cq, gpr_timespec deadline,
                                      void *reserved)
{
    static grpc_event (*real)(grpc_completion_queue *, gpr_timespec, void *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "grpc_completion_queue_next");
    pthread_mutex_lock(&watch_lock);
    if (failure_events > 0)
        failure_handled = true;
    pthread_mutex_unlock(&watch_lock);
    grpc_event ev = real(cq, deadline, reserved);
    pthread_mutex_lock(&watch_lock);
    if (watch_armed && ev.type == GRPC_OP_COMPLETE && !ev.success && ev.tag == watch_tag &&
        !failed_call) {
        failed_call = watch_call;
        failure_events++;
    }
    pthread_mutex_unlock(&watch_lock);
    return ev;
}

static struct wb_grpc_peer peer = {.pid = -1};

static void stop_peer(void)
{
    wb_grpc_server_stop(&peer);
}

static int run_stream(void *server, const atomic_bool *stop)
{
    return stream_server_run(server, stop);
}

static struct stream_server *start(struct test_server_thread *t, int *port)
{
    struct stream_server *server = stream_server_create("127.0.0.1:0", port);
    cr_assert_not_null(server, "stream_server_create(\"127.0.0.1:0\") returned NULL");
    test_server_thread_start(t, server, run_stream);
    return server;
}

static void stop(struct test_server_thread *t, struct stream_server *server)
{
    int rc = -1;
    cr_assert(test_server_thread_stop(t, 4000, &rc),
              "stream_server_run did not return within 4 s after stop");
    cr_assert_eq(rc, 0, "stream_server_run returned %d after stop, expected 0", rc);
    stream_server_destroy(server);
}

/* Counts lines starting with prefix in text. */
static int count_lines(const char *text, const char *prefix)
{
    int n = 0;
    size_t len = strlen(prefix);
    for (const char *line = text; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, prefix, len) == 0)
            n++;
    return n;
}

Test(greeter_stream, server_streams_to_python_client)
{
    struct test_server_thread t;
    int port = 0;
    struct stream_server *server = start(&t, &port);
    char *args[] = {(char *)test_target(port), "stream", "Ada", "5", NULL};
    struct wb_run_result r;
    cr_assert_eq(wb_grpc_client_run(args, 8000, &r), 0, "could not run the Python client: %s",
                 r.output);
    for (int i = 1; i <= 5; i++) {
        char expected[64];
        snprintf(expected, sizeof expected, "REPLY Hello, Ada! #%d\n", i);
        cr_assert(strstr(r.output, expected) != NULL,
                  "python3-grpcio called SayHelloStream{name=\"Ada\", count=5}; expected greeting "
                  "\"Hello, Ada! #%d\" among its output:\n%s",
                  i, r.output);
    }
    cr_assert_eq(count_lines(r.output, "REPLY "), 5,
                 "expected exactly 5 greetings, the client saw:\n%s", r.output);
    cr_assert(strstr(r.output, "STATUS OK") != NULL,
              "the stream must end with status OK; client output:\n%s", r.output);
    wb_run_result_free(&r);
    stop(&t, server);
}

Test(greeter_stream, server_rejects_bad_requests)
{
    struct test_server_thread t;
    int port = 0;
    struct stream_server *server = start(&t, &port);
    /* Five calls, one Python start: a count of 0; past the top of the range,
     * below it, and an empty name (refused before a single greeting goes
     * out); and SayHello, which this server does not serve. */
    char top[16];
    snprintf(top, sizeof top, "%d", STREAM_MAX_COUNT + 1);
    // clang-format off
    char *args[] = {(char *)test_target(port),
                    "stream", "Ada", "0", "--",
                    "stream", "Ada", top, "--",
                    "stream", "Ada", "-5", "--",
                    "stream", "", "3", "--",
                    "method", "/example.Greeter/SayHello", NULL};
    // clang-format on
    struct wb_run_result r;
    cr_assert_eq(wb_grpc_client_run(args, 8000, &r), 0, "could not run the Python client: %s",
                 r.output);
    char *zero = wb_grpc_call_output(r.output, 1);
    bool zero_refused = zero && strstr(zero, "STATUS INVALID_ARGUMENT") != NULL;
    free(zero);
    cr_assert(zero_refused,
              "SayHelloStream{count=0}: expected INVALID_ARGUMENT, the client saw:\n%s", r.output);
    const char *bad[][2] = {{"Ada", top}, {"Ada", "-5"}, {"", "3"}};
    for (int i = 0; i < 3; i++) {
        char *seen = wb_grpc_call_output(r.output, 2 + i);
        bool refused = seen && strstr(seen, "STATUS INVALID_ARGUMENT") != NULL &&
                       count_lines(seen, "REPLY ") == 0;
        free(seen);
        cr_assert(refused,
                  "SayHelloStream{name=\"%s\", count=%s}: expected INVALID_ARGUMENT and no "
                  "greeting (the name must not be empty, the count within 1..%d); the client "
                  "saw:\n%.1500s",
                  bad[i][0], bad[i][1], STREAM_MAX_COUNT, r.output);
    }
    char *unknown = wb_grpc_call_output(r.output, 5);
    bool unimplemented = unknown && strstr(unknown, "STATUS UNIMPLEMENTED") != NULL;
    free(unknown);
    cr_assert(unimplemented,
              "this server only serves SayHelloStream; SayHello must get UNIMPLEMENTED, the client "
              "saw:\n%s",
              r.output);
    wb_run_result_free(&r);
    stop(&t, server);
}

Test(greeter_stream, server_survives_client_cancel)
{
    struct test_server_thread t;
    int port = 0;
    struct stream_server *server = start(&t, &port);
    pthread_mutex_lock(&watch_lock);
    watch_armed = true;
    pthread_mutex_unlock(&watch_lock);
    struct wb_run_result r;
    /* 100000 greetings asked, the client cancels after 3. */
    char *cancel[] = {(char *)test_target(port), "stream", "Ada", "100000", "3", NULL};
    cr_assert_eq(wb_grpc_client_run(cancel, 8000, &r), 0, "could not run the Python client: %s",
                 r.output);
    cr_assert(strstr(r.output, "STATUS CANCELLED") != NULL && count_lines(r.output, "REPLY ") == 3,
              "the Python client should read 3 greetings then cancel; its output:\n%s", r.output);
    wb_run_result_free(&r);

    /* Once a greeting batch has failed and the server has handled that event
     * (it asks for its next one), no greeting may start on that call. */
    int64_t until = wb_now_ms() + 5000;
    bool handled = false;
    while (!handled && wb_now_ms() < until) {
        pthread_mutex_lock(&watch_lock);
        handled = failure_handled;
        pthread_mutex_unlock(&watch_lock);
        if (!handled)
            usleep(10 * 1000);
    }
    pthread_mutex_lock(&watch_lock);
    int extra = sends_after_failure;
    watch_armed = false; /* the next call may reuse the cancelled call's address */
    pthread_mutex_unlock(&watch_lock);
    cr_assert_eq(extra, 0,
                 "after the client cancelled, a greeting batch completed with success == 0, and "
                 "the server still started %d more greeting(s) on that call: a failed batch means "
                 "the client is gone, so stop sending and free the call",
                 extra);

    /* The server must still serve, and then stop cleanly. */
    char *again[] = {(char *)test_target(port), "stream", "Grace", "2", NULL};
    cr_assert_eq(wb_grpc_client_run(again, 8000, &r), 0, "could not run the Python client: %s",
                 r.output);
    cr_assert(
        strstr(r.output, "REPLY Hello, Grace! #2") && strstr(r.output, "STATUS OK"),
        "after a client cancelled its stream, a new SayHelloStream{Grace, 2} should work; got:\n%s",
        r.output);
    wb_run_result_free(&r);
    stop(&t, server);
}

/* greeter_stream_collect to a server that listens already (the Python peer,
 * or the student's own server in this process), made once more after
 * gRPC 1.51's stale connect errno (wb_grpc_connect_failed). */
static int collect_from_live_server(const char *target, const char *name, int count,
                                    int cancel_after, int timeout_ms, struct stream_result *result)
{
    int rc = greeter_stream_collect(target, name, count, cancel_after, timeout_ms, result);
    if (rc == 0 && result->count == 0 && wb_grpc_connect_failed(result->status, result->details)) {
        stream_result_free(result);
        usleep(200 * 1000);
        rc = greeter_stream_collect(target, name, count, cancel_after, timeout_ms, result);
    }
    return rc;
}

Test(greeter_stream, client_collects_from_python_server, .fini = stop_peer)
{
    char why[1024] = "";
    cr_assert(wb_grpc_server_start(&peer, 0, 0, true, why, sizeof why), "%s", why);
    char target[32];
    snprintf(target, sizeof target, "127.0.0.1:%u", (unsigned)peer.port);
    struct stream_result result;
    int rc = collect_from_live_server(target, "Ada", 4, 0, 5000, &result);
    cr_assert_eq(rc, 0, "greeter_stream_collect returned %d, expected 0", rc);
    cr_assert_eq(result.status, GRPC_STATUS_OK,
                 "SayHelloStream{Ada, 4} to python3-grpcio: expected OK, got %s (%s)",
                 compat_status_name(result.status), result.details ? result.details : "");
    cr_assert_eq(result.count, 4, "expected 4 greetings, got %d", result.count);
    for (int i = 0; i < 4; i++) {
        char expected[64];
        snprintf(expected, sizeof expected, "Hello, Ada! #%d", i + 1);
        cr_assert_str_eq(result.messages[i], expected, "greeting %d: expected \"%s\", got \"%s\"",
                         i + 1, expected, result.messages[i]);
    }
    stream_result_free(&result);
}

Test(greeter_stream, client_cancels_half_way, .fini = stop_peer)
{
    char why[1024] = "";
    cr_assert(wb_grpc_server_start(&peer, 0, 0, true, why, sizeof why), "%s", why);
    char target[32];
    snprintf(target, sizeof target, "127.0.0.1:%u", (unsigned)peer.port);
    struct stream_result result;
    /* 200 greetings 20 ms apart would take 4 s; we stop after 5. */
    int rc = collect_from_live_server(target, "Ada", 200, 5, 8000, &result);
    cr_assert_eq(rc, 0, "greeter_stream_collect returned %d, expected 0", rc);
    cr_assert_eq(result.count, 5, "cancel_after was 5: expected 5 greetings, got %d", result.count);
    cr_assert_eq(result.status, GRPC_STATUS_CANCELLED,
                 "after grpc_call_cancel the status must be CANCELLED, got %s",
                 compat_status_name(result.status));
    stream_result_free(&result);

    /* The Python server must have seen the cancel (it logs it). */
    char *log = NULL;
    int64_t deadline = wb_now_ms() + 3000;
    for (;;) {
        log = wb_grpc_server_log(&peer);
        if ((log && strstr(log, "STREAM CANCELLED")) || wb_now_ms() > deadline)
            break;
        free(log);
        usleep(20000);
    }
    cr_assert(log && strstr(log, "STREAM CANCELLED"),
              "the python3-grpcio server never saw the call cancelled; its log:\n%s",
              log ? log : "");
    free(log);
}

Test(greeter_stream, client_and_server_together)
{
    struct test_server_thread t;
    int port = 0;
    struct stream_server *server = start(&t, &port);
    struct stream_result result;
    int rc = collect_from_live_server(test_target(port), "Linus", 3, 0, 5000, &result);
    cr_assert_eq(rc, 0, "greeter_stream_collect returned %d, expected 0", rc);
    cr_assert_eq(result.status, GRPC_STATUS_OK,
                 "your client -> your server: expected OK, got %s (%s)",
                 compat_status_name(result.status), result.details ? result.details : "");
    cr_assert_eq(result.count, 3, "expected 3 greetings, got %d", result.count);
    cr_assert_str_eq(result.messages[2], "Hello, Linus! #3", "third greeting: got \"%s\"",
                     result.messages[2]);
    stream_result_free(&result);
    stop(&t, server);
}

Test(greeter_stream, client_unavailable_when_nothing_listens)
{
    char target[32];
    snprintf(target, sizeof target, "127.0.0.1:%u", (unsigned)wb_refusing_port());
    struct stream_result result;
    int rc = greeter_stream_collect(target, "Ada", 3, 0, 3000, &result);
    cr_assert_eq(rc, 0, "greeter_stream_collect returned %d; the call ran to a status, expected 0",
                 rc);
    cr_assert_eq(result.status, GRPC_STATUS_UNAVAILABLE,
                 "nothing listens on %s: expected UNAVAILABLE, got %s", target,
                 compat_status_name(result.status));
    cr_assert_eq(result.count, 0, "no server, yet %d greetings were collected", result.count);
    stream_result_free(&result);
}

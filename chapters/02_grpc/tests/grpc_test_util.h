/*
 * grpc_test_util.h - what the chapter 02 tests share: a raw unary test client
 * written directly against the core API (independent of the student's client)
 * and a helper that runs a server loop in a thread of the test.
 *
 * Threads are fine under the fork rule: gRPC is only used inside the test
 * process, after Criterion has started it with fork + exec.
 */
#ifndef GRPC_TEST_UTIL_H
#define GRPC_TEST_UTIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "greeter.pb-c.h"
#include "grpc_compat.h"
#include "wb_grpc.h"
#include "wb_testkit.h"

/* What the raw test client saw of one unary call. */
struct test_reply {
    grpc_status_code status;
    char *details;  /* status message (heap) */
    char *message;  /* HelloResponse.message, NULL when no reply message */
    bool timed_out; /* the test's own wait ran out (the call never ended) */
};

static inline void test_reply_free(struct test_reply *r)
{
    free(r->details);
    free(r->message);
    memset(r, 0, sizeof *r);
}

/* One call of `method` on target with a HelloRequest{name} and a deadline
 * of deadline_ms (test_call below is what tests use). */
static inline void test_call_once(const char *target, const char *method, const char *name,
                                  int deadline_ms, struct test_reply *out)
{
    memset(out, 0, sizeof *out);
    out->status = GRPC_STATUS_UNKNOWN;
    grpc_init();
    grpc_channel *channel = compat_channel_create(target);
    cr_assert_not_null(channel, "test client: compat_channel_create(%s) failed", target);
    grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
    grpc_slice method_slice = grpc_slice_from_copied_string(method);
    grpc_call *call =
        grpc_channel_create_call(channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq, method_slice, NULL,
                                 compat_deadline_ms(deadline_ms), NULL);
    cr_assert_not_null(call, "test client: grpc_channel_create_call failed");

    Example__HelloRequest request = EXAMPLE__HELLO_REQUEST__INIT;
    request.name = (char *)name;
    size_t len = example__hello_request__get_packed_size(&request);
    uint8_t *bytes = malloc(len + 1);
    example__hello_request__pack(&request, bytes);
    grpc_byte_buffer *send = compat_bytes_to_buffer(bytes, len);
    free(bytes);

    grpc_metadata_array initial, trailing;
    grpc_metadata_array_init(&initial);
    grpc_metadata_array_init(&trailing);
    grpc_byte_buffer *recv = NULL;
    grpc_slice details = grpc_empty_slice();
    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = send;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &recv;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &trailing;
    ops[5].data.recv_status_on_client.status = &out->status;
    ops[5].data.recv_status_on_client.status_details = &details;
    cr_assert_eq(grpc_call_start_batch(call, ops, 6, out, NULL), GRPC_CALL_OK,
                 "test client: grpc_call_start_batch failed");
    grpc_event ev =
        grpc_completion_queue_pluck(cq, out, compat_deadline_ms(deadline_ms + 2000), NULL);
    if (ev.type != GRPC_OP_COMPLETE) {
        out->timed_out = true;
        grpc_call_cancel(call, NULL);
        grpc_completion_queue_pluck(cq, out, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    }
    out->details = compat_slice_to_string(details);
    if (recv) {
        uint8_t *data = NULL;
        size_t data_len = 0;
        if (compat_buffer_to_bytes(recv, &data, &data_len) == 0) {
            Example__HelloResponse *response =
                example__hello_response__unpack(NULL, data_len, data);
            if (response) {
                out->message =
                    compat_slice_to_string(grpc_slice_from_static_string(response->message));
                example__hello_response__free_unpacked(response, NULL);
            }
            free(data);
        }
        grpc_byte_buffer_destroy(recv);
    }
    grpc_slice_unref(details);
    grpc_slice_unref(method_slice);
    grpc_byte_buffer_destroy(send);
    grpc_metadata_array_destroy(&initial);
    grpc_metadata_array_destroy(&trailing);
    grpc_call_unref(call);
    grpc_channel_destroy(channel);
    grpc_completion_queue_shutdown(cq);
    while (grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN)
        ;
    grpc_completion_queue_destroy(cq);
    grpc_shutdown();
}

/* Calls `method` on target with a HelloRequest{name} and a deadline of
 * deadline_ms; a call that met gRPC 1.51's stale connect errno
 * (wb_grpc_connect_failed) is made once more. */
static inline void test_call(const char *target, const char *method, const char *name,
                             int deadline_ms, struct test_reply *out)
{
    test_call_once(target, method, name, deadline_ms, out);
    if (wb_grpc_connect_failed(out->status, out->details)) {
        test_reply_free(out);
        usleep(200 * 1000);
        test_call_once(target, method, name, deadline_ms, out);
    }
}

/* A server loop (greeter_server_run or stream_server_run) in a thread. */
typedef int (*test_run_fn)(void *server, const atomic_bool *stop);

struct test_server_thread {
    void *server;
    test_run_fn run;
    atomic_bool stop;
    atomic_bool done;
    int rc;
    pthread_t thread;
};

static inline void *test_server_main(void *arg)
{
    struct test_server_thread *t = arg;
    t->rc = t->run(t->server, &t->stop);
    atomic_store(&t->done, true);
    return NULL;
}

static inline void test_server_thread_start(struct test_server_thread *t, void *server,
                                            test_run_fn run)
{
    t->server = server;
    t->run = run;
    t->rc = -1;
    atomic_init(&t->stop, false);
    atomic_init(&t->done, false);
    cr_assert_eq(pthread_create(&t->thread, NULL, test_server_main, t), 0,
                 "pthread_create failed in the test itself");
}

/* Sets stop and waits up to wait_ms for the run function to return.
 * Returns true when it did (then *rc holds its result). */
static inline bool test_server_thread_stop(struct test_server_thread *t, int wait_ms, int *rc)
{
    atomic_store(&t->stop, true);
    int64_t deadline = wb_now_ms() + wait_ms;
    while (!atomic_load(&t->done) && wb_now_ms() < deadline)
        usleep(5000);
    if (!atomic_load(&t->done))
        return false;
    pthread_join(t->thread, NULL);
    *rc = t->rc;
    return true;
}

/* "127.0.0.1:port" in a static buffer. */
static inline const char *test_target(int port)
{
    static char target[32];
    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    return target;
}

#endif

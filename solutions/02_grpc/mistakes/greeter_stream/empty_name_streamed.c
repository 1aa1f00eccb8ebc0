/* mistake: an empty name is greeted instead of refused
 * rule: "An empty name, or a count outside 1..100000, gets INVALID_ARGUMENT (greeter_stream.h)"
 * caught-by: server_rejects_bad_requests
 */
/*
 * greeter_stream.c - exercise "greeter_stream": a server-streaming method,
 * server and client, with the gRPC core API.
 *
 * Server: after reading the request, each greeting is its own SEND_MESSAGE
 * batch; the next one starts when the previous one completed. A batch that
 * completes with success == 0 means the client is gone (cancelled, deadline
 * passed, connection lost): stop sending and free the call.
 *
 * Client: one batch sends the request and half-closes; then one RECV_MESSAGE
 * batch per greeting until the message comes back NULL (end of stream); then
 * RECV_STATUS_ON_CLIENT. grpc_call_cancel stops the stream early.
 *
 * The server's set-up, loop and shutdown are the same as in greeter_server.c
 * and are given; the per-call steps and the client are the exercise.
 */
#include "greeter_stream.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greeter.pb-c.h"
#include "grpc_compat.h"

enum call_step {
    CALL_WAITING,   /* requested, no client yet */
    CALL_READING,   /* initial metadata out, request in */
    CALL_SENDING,   /* one greeting in flight */
    CALL_FINISHING, /* status out, close in */
};

struct call_state {
    enum call_step step;
    grpc_call *call;
    grpc_call_details details;
    grpc_metadata_array request_metadata;
    grpc_byte_buffer *request;
    grpc_byte_buffer *response; /* the greeting being sent */
    grpc_slice status_details;
    int cancelled;
    char *name; /* from the request */
    int total;  /* greetings to send */
    int sent;   /* greetings sent so far */
};

struct stream_server {
    grpc_server *server;
    grpc_completion_queue *cq;
    bool stopping;
    bool shut_down;
    int shutdown_tag;
};

static void free_call(struct call_state *state)
{
    if (state->call)
        grpc_call_unref(state->call); /* cancels the call if it is not finished */
    grpc_call_details_destroy(&state->details);
    grpc_metadata_array_destroy(&state->request_metadata);
    if (state->request)
        grpc_byte_buffer_destroy(state->request);
    if (state->response)
        grpc_byte_buffer_destroy(state->response);
    grpc_slice_unref(state->status_details);
    free(state->name);
    free(state);
}

static int request_next_call(struct stream_server *ss)
{
    struct call_state *state = calloc(1, sizeof *state);
    if (!state) {
        fprintf(stderr, "calloc of a call_state failed\n");
        return -1;
    }
    state->step = CALL_WAITING;
    state->status_details = grpc_empty_slice();
    grpc_call_details_init(&state->details);
    grpc_metadata_array_init(&state->request_metadata);
    grpc_call_error err = grpc_server_request_call(ss->server, &state->call, &state->details,
                                                   &state->request_metadata, ss->cq, ss->cq, state);
    if (err != GRPC_CALL_OK) {
        fprintf(stderr, "grpc_server_request_call failed: %d\n", (int)err);
        free_call(state);
        return -1;
    }
    return 0;
}

/* The last batch: [initial metadata,] status, wait for the close. */
static int finish_call(struct call_state *state, bool send_metadata, grpc_status_code code,
                       const char *details)
{
    grpc_op ops[3];
    size_t n = 0;
    memset(ops, 0, sizeof ops);
    if (send_metadata)
        ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
    grpc_slice_unref(state->status_details);
    state->status_details = grpc_slice_from_copied_string(details);
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.status = code;
    ops[n].data.send_status_from_server.status_details = &state->status_details;
    n++;
    ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    ops[n].data.recv_close_on_server.cancelled = &state->cancelled;
    n++;
    state->step = CALL_FINISHING;
    grpc_call_error err = grpc_call_start_batch(state->call, ops, n, state, NULL);
    if (err != GRPC_CALL_OK) {
        fprintf(stderr, "grpc_call_start_batch (finish) failed: %d\n", (int)err);
        return -1;
    }
    return 0;
}

/* Sends greeting number state->sent + 1, or the final OK status when all
 * were sent. Returns 0, or -1 when the call cannot go on. */
static int send_next(struct call_state *state)
{
    // @student-begin: when state->sent == state->total, finish_call with OK. Otherwise pack
    // HelloResponse "Hello, <name>! #<sent+1>" into state->response (destroy the previous
    // buffer first), start a batch of just SEND_MESSAGE and set step CALL_SENDING.
    if (state->sent == state->total)
        return finish_call(state, false, GRPC_STATUS_OK, "");
    char text[512];
    snprintf(text, sizeof text, "Hello, %s! #%d", state->name, state->sent + 1);
    Example__HelloResponse response = EXAMPLE__HELLO_RESPONSE__INIT;
    response.message = text;
    uint8_t packed[600];
    size_t len = example__hello_response__pack(&response, packed); /* < 600: text is < 512 */
    if (state->response)
        grpc_byte_buffer_destroy(state->response);
    state->response = compat_bytes_to_buffer(packed, len);

    grpc_op op;
    memset(&op, 0, sizeof op);
    op.op = GRPC_OP_SEND_MESSAGE;
    op.data.send_message.send_message = state->response;
    state->step = CALL_SENDING;
    grpc_call_error err = grpc_call_start_batch(state->call, &op, 1, state, NULL);
    if (err != GRPC_CALL_OK) {
        fprintf(stderr, "grpc_call_start_batch (send greeting) failed: %d\n", (int)err);
        return -1;
    }
    return 0;
    // @student-stub
    // (void)state;
    // return -1;
    // @student-end
}

/* The request arrived: check it and start the stream. */
static int on_request_read(struct call_state *state)
{
    // @student-begin: no message or bad bytes -> INVALID_ARGUMENT; unpack a
    // HelloStreamRequest; empty name or count outside 1..STREAM_MAX_COUNT -> INVALID_ARGUMENT
    // with a message; else keep a copy of the name (at most 400 bytes), total = count,
    // and send_next.
    if (!state->request)
        return finish_call(state, false, GRPC_STATUS_INVALID_ARGUMENT, "request message missing");
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (compat_buffer_to_bytes(state->request, &bytes, &len) != 0)
        return finish_call(state, false, GRPC_STATUS_INTERNAL, "cannot read the request");
    Example__HelloStreamRequest *request = example__hello_stream_request__unpack(NULL, len, bytes);
    free(bytes);
    if (!request)
        return finish_call(state, false, GRPC_STATUS_INVALID_ARGUMENT,
                           "request is not a HelloStreamRequest");
    const char *problem = NULL;
    if (request->count < 1 || request->count > STREAM_MAX_COUNT)
        problem = "count must be between 1 and 100000";
    if (problem) {
        example__hello_stream_request__free_unpacked(request, NULL);
        return finish_call(state, false, GRPC_STATUS_INVALID_ARGUMENT, problem);
    }
    size_t name_len = strnlen(request->name, 400);
    state->name = malloc(name_len + 1);
    if (!state->name) {
        example__hello_stream_request__free_unpacked(request, NULL);
        return finish_call(state, false, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    }
    memcpy(state->name, request->name, name_len);
    state->name[name_len] = '\0';
    state->total = request->count;
    state->sent = 0;
    example__hello_stream_request__free_unpacked(request, NULL);
    return send_next(state);
    // @student-stub
    // (void)state;
    // return -1;
    // @student-end
}

/* One event for a call. While draining, only free. */
static void on_call_event(struct stream_server *ss, struct call_state *state, bool success,
                          bool draining)
{
    // @student-begin: like greeter_server.c, with one more step: CALL_SENDING + success
    // counts the greeting (sent++) and calls send_next; a failed send means the client
    // went away: free the call. For a new call: request the next (unless ss->stopping),
    // then SayHelloStream gets SEND_INITIAL_METADATA + RECV_MESSAGE (step CALL_READING),
    // other methods finish_call(UNIMPLEMENTED).
    int rc = -1;
    if (success && !draining) {
        switch (state->step) {
        case CALL_WAITING:
            if (!ss->stopping && request_next_call(ss) != 0)
                fprintf(stderr, "cannot request the next call; this server stops taking calls\n");
            if (grpc_slice_str_cmp(state->details.method, GREETER_SAY_HELLO_STREAM) != 0) {
                rc = finish_call(state, true, GRPC_STATUS_UNIMPLEMENTED, "unknown method");
            } else {
                grpc_op ops[2];
                memset(ops, 0, sizeof ops);
                ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
                ops[1].op = GRPC_OP_RECV_MESSAGE;
                ops[1].data.recv_message.recv_message = &state->request;
                state->step = CALL_READING;
                grpc_call_error err = grpc_call_start_batch(state->call, ops, 2, state, NULL);
                if (err != GRPC_CALL_OK)
                    fprintf(stderr, "grpc_call_start_batch (read request) failed: %d\n", (int)err);
                rc = err == GRPC_CALL_OK ? 0 : -1;
            }
            break;
        case CALL_READING: rc = on_request_read(state); break;
        case CALL_SENDING:
            state->sent++;
            rc = send_next(state);
            break;
        case CALL_FINISHING: rc = -1; break;
        }
    }
    if (rc != 0)
        free_call(state);
    // @student-stub
    // (void)ss;
    // (void)success;
    // (void)draining;
    // (void)on_request_read;
    // (void)send_next;
    // (void)finish_call;
    // free_call(state);
    // @student-end
}

/* ---- server set-up, loop and shutdown: as in greeter_server.c ---- */

struct stream_server *stream_server_create(const char *address, int *port)
{
    struct stream_server *ss = calloc(1, sizeof *ss);
    if (!ss) {
        fprintf(stderr, "calloc of stream_server failed\n");
        return NULL;
    }
    grpc_init();
    ss->server = grpc_server_create(NULL, NULL);
    ss->cq = grpc_completion_queue_create_for_next(NULL);
    if (!ss->server || !ss->cq) {
        fprintf(stderr, "grpc_server_create or grpc_completion_queue_create_for_next failed\n");
        ss->shut_down = true;
        stream_server_destroy(ss);
        return NULL;
    }
    grpc_server_register_completion_queue(ss->server, ss->cq, NULL);
    *port = compat_server_add_port(ss->server, address);
    if (*port == 0) {
        fprintf(stderr, "grpc_server_add_http2_port(%s) failed\n", address);
        ss->shut_down = true;
        stream_server_destroy(ss);
        return NULL;
    }
    grpc_server_start(ss->server);
    if (request_next_call(ss) != 0) {
        stream_server_destroy(ss);
        return NULL;
    }
    return ss;
}

static int shutdown_server(struct stream_server *ss)
{
    ss->stopping = true;
    grpc_server_shutdown_and_notify(ss->server, ss->cq, &ss->shutdown_tag);
    grpc_server_cancel_all_calls(ss->server);
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(ss->cq, compat_deadline_ms(1000), NULL);
        if (ev.type == GRPC_QUEUE_TIMEOUT)
            continue;
        if (ev.type != GRPC_OP_COMPLETE) {
            fprintf(stderr, "grpc_completion_queue_next: queue shut down while stopping\n");
            return -1;
        }
        if (ev.tag == &ss->shutdown_tag)
            break;
        on_call_event(ss, ev.tag, ev.success, false);
    }
    ss->shut_down = true;
    return 0;
}

int stream_server_run(struct stream_server *ss, const atomic_bool *stop)
{
    if (!ss)
        return -1;
    while (!atomic_load(stop)) {
        grpc_event ev = grpc_completion_queue_next(ss->cq, compat_deadline_ms(100), NULL);
        if (ev.type == GRPC_OP_COMPLETE)
            on_call_event(ss, ev.tag, ev.success, false);
        else if (ev.type == GRPC_QUEUE_SHUTDOWN)
            return -1;
    }
    return shutdown_server(ss);
}

void stream_server_destroy(struct stream_server *ss)
{
    if (!ss)
        return;
    if (ss->server && !ss->shut_down)
        shutdown_server(ss);
    if (ss->server)
        grpc_server_destroy(ss->server);
    if (ss->cq) {
        grpc_completion_queue_shutdown(ss->cq);
        for (;;) {
            grpc_event ev =
                grpc_completion_queue_next(ss->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
            if (ev.type == GRPC_QUEUE_SHUTDOWN)
                break;
            if (ev.type == GRPC_OP_COMPLETE && ev.tag != &ss->shutdown_tag)
                on_call_event(ss, ev.tag, ev.success, true);
        }
        grpc_completion_queue_destroy(ss->cq);
    }
    grpc_shutdown();
    free(ss);
}

/* ---- client ---- */

/* Waits for the batch tagged `tag`; if our bound passes first, cancels the
 * call (which completes the batch). Returns the batch's success flag. */
static bool wait_batch(grpc_completion_queue *cq, grpc_call *call, void *tag, int bound_ms)
{
    grpc_event ev = grpc_completion_queue_pluck(cq, tag, compat_deadline_ms(bound_ms), NULL);
    if (ev.type == GRPC_QUEUE_TIMEOUT) {
        grpc_call_cancel(call, NULL);
        ev = grpc_completion_queue_pluck(cq, tag, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    }
    return ev.type == GRPC_OP_COMPLETE && ev.success;
}

/* Appends a copy of text to result->messages. */
static int add_message(struct stream_result *result, const char *text)
{
    char **grown = realloc(result->messages, (size_t)(result->count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    result->messages = grown;
    size_t len = strlen(text);
    grown[result->count] = malloc(len + 1);
    if (!grown[result->count])
        return -1;
    memcpy(grown[result->count], text, len + 1);
    result->count++;
    return 0;
}

int greeter_stream_collect(const char *target, const char *name, int count, int cancel_after,
                           int deadline_ms, struct stream_result *result)
{
    memset(result, 0, sizeof *result);
    result->status = GRPC_STATUS_INTERNAL;
    // @student-begin: grpc_init; channel (compat_channel_create); pluck queue; call on
    // GREETER_SAY_HELLO_STREAM with the deadline. Batch 1: SEND_INITIAL_METADATA,
    // SEND_MESSAGE(HelloStreamRequest), SEND_CLOSE_FROM_CLIENT, RECV_INITIAL_METADATA.
    // Then one RECV_MESSAGE batch per greeting (NULL message = end of stream), stopping
    // with grpc_call_cancel after cancel_after messages; then RECV_STATUS_ON_CLIENT.
    // Bound every wait (wait_batch). Free everything; grpc_shutdown.
    int rc = 0;
    grpc_init();
    grpc_channel *channel = compat_channel_create(target);
    grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
    grpc_call *call = NULL;
    if (channel && cq)
        call = grpc_channel_create_call(channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq,
                                        grpc_slice_from_static_string(GREETER_SAY_HELLO_STREAM),
                                        NULL, compat_deadline_ms(deadline_ms), NULL);
    if (!call) {
        fprintf(stderr, "grpc_channel_create or grpc_channel_create_call failed for %s\n", target);
        rc = -1;
    } else {
        Example__HelloStreamRequest request = EXAMPLE__HELLO_STREAM_REQUEST__INIT;
        request.name = (char *)name;
        request.count = count;
        uint8_t packed[1024];
        size_t len = 0;
        if (example__hello_stream_request__get_packed_size(&request) <= sizeof packed)
            len = example__hello_stream_request__pack(&request, packed);
        grpc_byte_buffer *send = compat_bytes_to_buffer(packed, len);

        grpc_metadata_array initial_metadata, trailing_metadata;
        grpc_metadata_array_init(&initial_metadata);
        grpc_metadata_array_init(&trailing_metadata);
        int bound_ms = deadline_ms + 5000;
        grpc_op ops[4];
        memset(ops, 0, sizeof ops);
        ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
        ops[1].op = GRPC_OP_SEND_MESSAGE;
        ops[1].data.send_message.send_message = send;
        ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
        ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
        ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial_metadata;
        int tag_start = 1, tag_read = 2, tag_status = 3;
        bool streaming = grpc_call_start_batch(call, ops, 4, &tag_start, NULL) == GRPC_CALL_OK &&
                         wait_batch(cq, call, &tag_start, bound_ms);

        /* Read greetings until the end of the stream or our cancel. */
        while (streaming) {
            grpc_byte_buffer *received = NULL;
            memset(ops, 0, sizeof ops);
            ops[0].op = GRPC_OP_RECV_MESSAGE;
            ops[0].data.recv_message.recv_message = &received;
            if (grpc_call_start_batch(call, ops, 1, &tag_read, NULL) != GRPC_CALL_OK ||
                !wait_batch(cq, call, &tag_read, bound_ms) || !received)
                break; /* NULL message: the server has finished the stream */
            uint8_t *data = NULL;
            size_t data_len = 0;
            Example__HelloResponse *response = NULL;
            if (compat_buffer_to_bytes(received, &data, &data_len) == 0)
                response = example__hello_response__unpack(NULL, data_len, data);
            free(data);
            grpc_byte_buffer_destroy(received);
            if (!response || add_message(result, response->message) != 0) {
                if (response)
                    example__hello_response__free_unpacked(response, NULL);
                grpc_call_cancel(call, NULL);
                break;
            }
            example__hello_response__free_unpacked(response, NULL);
            if (cancel_after > 0 && result->count == cancel_after) {
                grpc_call_cancel(call, NULL); /* the status will be CANCELLED */
                break;
            }
        }

        grpc_slice details = grpc_empty_slice();
        memset(ops, 0, sizeof ops);
        ops[0].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
        ops[0].data.recv_status_on_client.trailing_metadata = &trailing_metadata;
        ops[0].data.recv_status_on_client.status = &result->status;
        ops[0].data.recv_status_on_client.status_details = &details;
        if (grpc_call_start_batch(call, ops, 1, &tag_status, NULL) != GRPC_CALL_OK) {
            fprintf(stderr, "grpc_call_start_batch (status) failed\n");
            rc = -1;
        } else {
            wait_batch(cq, call, &tag_status, bound_ms);
        }
        result->details = compat_slice_to_string(details);
        grpc_slice_unref(details);
        grpc_byte_buffer_destroy(send);
        grpc_metadata_array_destroy(&initial_metadata);
        grpc_metadata_array_destroy(&trailing_metadata);
        grpc_call_unref(call);
    }
    if (channel)
        grpc_channel_destroy(channel);
    if (cq) {
        grpc_completion_queue_shutdown(cq);
        while (
            grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
            GRPC_QUEUE_SHUTDOWN)
            ;
        grpc_completion_queue_destroy(cq);
    }
    grpc_shutdown();
    return rc;
    // @student-stub
    // (void)target;
    // (void)name;
    // (void)count;
    // (void)cancel_after;
    // (void)deadline_ms;
    // (void)wait_batch;
    // (void)add_message;
    // return -1;
    // @student-end
}

void stream_result_free(struct stream_result *result)
{
    for (int i = 0; i < result->count; i++)
        free(result->messages[i]);
    free(result->messages);
    free(result->details);
    memset(result, 0, sizeof *result);
}

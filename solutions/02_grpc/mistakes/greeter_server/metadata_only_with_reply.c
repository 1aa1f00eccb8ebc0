/* mistake: initial metadata goes out only with a reply message, so error statuses come without it
 * rule: "every path must include `GRPC_OP_SEND_INITIAL_METADATA` exactly once. Put it in the last
 *   batch, the one with the status, so that error paths (which send no reply message) carry it
 *   too. (hints/greeter_server.md)"
 * caught-by: empty_name_is_invalid_argument unknown_method_is_unimplemented
 */
/*
 * greeter_server.c - exercise "greeter_server": the Greeter's SayHello served
 * with the gRPC core API.
 *
 * The core API is asynchronous. We ask the server for the next call
 * (grpc_server_request_call), start batches of operations on calls
 * (grpc_call_start_batch), and learn that something finished by taking
 * events off one completion queue (grpc_completion_queue_next). Each event
 * carries the tag we gave when starting the operation: here a pointer to the
 * call's own state, which says what step the call is at.
 *
 *   request_call done -> batch 1: RECV_MESSAGE
 *   batch 1 done      -> batch 2: SEND_INITIAL_METADATA + SEND_MESSAGE
 *                                 + SEND_STATUS_FROM_SERVER + RECV_CLOSE_ON_SERVER
 *   batch 2 done      -> free the call's state
 *
 * The initial metadata (the response headers) goes out with the reply, in
 * the last batch, as gRPC's own C++ unary servers do: gRPC then puts headers,
 * reply and status into one write. Sent in batch 1 instead, the headers leave
 * alone before the request is even read, and every call costs a second write
 * on the server and, often, a second wake-up on the client.
 *
 * Version-specific calls (credentials, ports) are in grpc_compat.h.
 */
#include "greeter_server.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greeter.pb-c.h"
#include "grpc_compat.h"

/* Where a call is in its life; the step tells what the next event means. */
enum call_step {
    CALL_WAITING,   /* requested with grpc_server_request_call, no client yet */
    CALL_READING,   /* batch 1 started: request in */
    CALL_FINISHING, /* last batch started: headers, reply and status out, close in */
};

/* Everything one call owns. Its address is the tag of its events. */
struct call_state {
    enum call_step step;
    grpc_call *call;
    grpc_call_details details;
    grpc_metadata_array request_metadata;
    grpc_byte_buffer *request;  /* filled by RECV_MESSAGE */
    grpc_byte_buffer *response; /* sent by SEND_MESSAGE */
    grpc_slice status_details;  /* must live until the status is sent */
    int cancelled;              /* filled by RECV_CLOSE_ON_SERVER */
};

struct greeter_server {
    grpc_server *server;
    grpc_completion_queue *cq;
    bool stopping;    /* shutdown started: request no new calls */
    bool shut_down;   /* server shutdown finished */
    int shutdown_tag; /* its address tags the shutdown event */
};

/* Frees a call's state. Safe at any step. */
static void free_call(struct call_state *state)
{
    if (state->call)
        grpc_call_unref(state->call);
    grpc_call_details_destroy(&state->details);
    grpc_metadata_array_destroy(&state->request_metadata);
    if (state->request)
        grpc_byte_buffer_destroy(state->request);
    if (state->response)
        grpc_byte_buffer_destroy(state->response);
    grpc_slice_unref(state->status_details);
    free(state);
}

/* Asks gRPC to hand us the next incoming call. Returns 0 or -1. */
static int request_next_call(struct greeter_server *gs)
{
    // @student-begin: allocate a zeroed call_state (step CALL_WAITING, empty details and
    // metadata array, status_details = grpc_empty_slice()) and call grpc_server_request_call
    // with the state as tag and gs->cq as both queues. Free the state if that fails.
    struct call_state *state = calloc(1, sizeof *state);
    if (!state) {
        fprintf(stderr, "calloc of a call_state failed\n");
        return -1;
    }
    state->step = CALL_WAITING;
    state->status_details = grpc_empty_slice();
    grpc_call_details_init(&state->details);
    grpc_metadata_array_init(&state->request_metadata);
    grpc_call_error err = grpc_server_request_call(gs->server, &state->call, &state->details,
                                                   &state->request_metadata, gs->cq, gs->cq, state);
    if (err != GRPC_CALL_OK) {
        fprintf(stderr, "grpc_server_request_call failed: %d\n", (int)err);
        free_call(state);
        return -1;
    }
    return 0;
    // @student-stub
    // (void)gs;
    // return -1;
    // @student-end
}

/* Starts the last batch: the initial metadata, the reply message when there
 * is one, the status, and the wait for the client's close. Every call ends
 * here, a failing one too, so every call sends initial metadata: a client
 * waits for it. Returns 0, or -1 when the batch could not start. */
static int finish_call(struct call_state *state, grpc_status_code code, const char *details)
{
    // @student-begin: build the ops array: SEND_INITIAL_METADATA, [SEND_MESSAGE of
    // state->response when not NULL,] SEND_STATUS_FROM_SERVER (code, status_details),
    // RECV_CLOSE_ON_SERVER (&state->cancelled); set step CALL_FINISHING; grpc_call_start_batch.
    grpc_op ops[4];
    size_t n = 0;
    memset(ops, 0, sizeof ops);
    if (state->response) {
        ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
        ops[n].data.send_initial_metadata.count = 0;
        n++;
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n].data.send_message.send_message = state->response;
        n++;
    }
    grpc_slice_unref(state->status_details);
    state->status_details = grpc_slice_from_copied_string(details);
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.trailing_metadata_count = 0;
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
    // @student-stub
    // (void)state;
    // (void)code;
    // (void)details;
    // return -1;
    // @student-end
}

/* A client called: route by method. Returns 0, or -1 when the call could not
 * go on (the caller then frees its state). */
static int on_new_call(struct call_state *state)
{
    // @student-begin: for "/example.Greeter/SayHello" (compare with grpc_slice_str_cmp)
    // start batch 1 (RECV_MESSAGE into &state->request) and set step CALL_READING; for any
    // other method finish_call with UNIMPLEMENTED.
    if (grpc_slice_str_cmp(state->details.method, GREETER_SAY_HELLO) != 0) {
        char details[200];
        char *method = compat_slice_to_string(state->details.method);
        snprintf(details, sizeof details, "unknown method %s", method ? method : "?");
        free(method);
        return finish_call(state, GRPC_STATUS_UNIMPLEMENTED, details);
    }
    grpc_op ops[1];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_RECV_MESSAGE;
    ops[0].data.recv_message.recv_message = &state->request;
    state->step = CALL_READING;
    grpc_call_error err = grpc_call_start_batch(state->call, ops, 1, state, NULL);
    if (err != GRPC_CALL_OK) {
        fprintf(stderr, "grpc_call_start_batch (read request) failed: %d\n", (int)err);
        return -1;
    }
    return 0;
    // @student-stub
    // (void)state;
    // return -1;
    // @student-end
}

/* The request arrived: answer it. Returns 0 or -1 like on_new_call. */
static int on_request_read(struct call_state *state)
{
    // @student-begin: state->request is NULL when the client sent no message. Copy it out
    // with compat_buffer_to_bytes, unpack a HelloRequest; bad bytes or an empty name get
    // INVALID_ARGUMENT with a message saying why; otherwise pack HelloResponse
    // "Hello, <name>!" into state->response (compat_bytes_to_buffer) and finish with OK.
    if (!state->request)
        return finish_call(state, GRPC_STATUS_INVALID_ARGUMENT, "request message missing");
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (compat_buffer_to_bytes(state->request, &bytes, &len) != 0)
        return finish_call(state, GRPC_STATUS_INTERNAL, "cannot read the request");
    Example__HelloRequest *request = example__hello_request__unpack(NULL, len, bytes);
    free(bytes);
    if (!request)
        return finish_call(state, GRPC_STATUS_INVALID_ARGUMENT, "request is not a HelloRequest");
    if (request->name[0] == '\0') {
        example__hello_request__free_unpacked(request, NULL);
        return finish_call(state, GRPC_STATUS_INVALID_ARGUMENT, "name must not be empty");
    }

    size_t text_len = strlen(request->name) + sizeof "Hello, !";
    char *text = malloc(text_len);
    if (!text) {
        example__hello_request__free_unpacked(request, NULL);
        return finish_call(state, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    }
    snprintf(text, text_len, "Hello, %s!", request->name);
    example__hello_request__free_unpacked(request, NULL);

    Example__HelloResponse response = EXAMPLE__HELLO_RESPONSE__INIT;
    response.message = text;
    size_t size = example__hello_response__get_packed_size(&response);
    uint8_t *packed = malloc(size ? size : 1);
    if (!packed) {
        free(text);
        return finish_call(state, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    }
    example__hello_response__pack(&response, packed);
    free(text);
    state->response = compat_bytes_to_buffer(packed, size);
    free(packed);
    return finish_call(state, GRPC_STATUS_OK, "");
    // @student-stub
    // (void)state;
    // return -1;
    // @student-end
}

/* One event from the completion queue for a call. While draining (queue shut
 * down) only frees: starting a batch then would abort the process. */
static void on_call_event(struct greeter_server *gs, struct call_state *state, bool success,
                          bool draining)
{
    // @student-begin: dispatch on state->step. CALL_WAITING + success: request the next
    // call first (unless gs->stopping), then on_new_call. CALL_READING + success:
    // on_request_read. Free the state when an event failed, when a handler returned -1,
    // when draining, and after CALL_FINISHING.
    int rc = -1;
    if (success && !draining) {
        switch (state->step) {
        case CALL_WAITING:
            if (!gs->stopping && request_next_call(gs) != 0)
                fprintf(stderr, "cannot request the next call; this server stops taking calls\n");
            rc = on_new_call(state);
            break;
        case CALL_READING: rc = on_request_read(state); break;
        case CALL_FINISHING:
            rc = -1; /* done: free below */
            break;
        }
    }
    if (rc != 0)
        free_call(state);
    // @student-stub
    // (void)gs;
    // (void)state;
    // (void)success;
    // (void)draining;
    // (void)request_next_call;
    // (void)on_new_call;
    // (void)on_request_read;
    // (void)free_call;
    // @student-end
}

struct greeter_server *greeter_server_create(const char *address, int *port)
{
    // @student-begin: grpc_init, grpc_server_create, grpc_completion_queue_create_for_next,
    // grpc_server_register_completion_queue, compat_server_add_port (0 = failure),
    // grpc_server_start, then request the first call. Undo everything on failure.
    struct greeter_server *gs = calloc(1, sizeof *gs);
    if (!gs) {
        fprintf(stderr, "calloc of greeter_server failed\n");
        return NULL;
    }
    grpc_init();
    gs->server = grpc_server_create(NULL, NULL);
    gs->cq = grpc_completion_queue_create_for_next(NULL);
    if (!gs->server || !gs->cq) {
        fprintf(stderr, "grpc_server_create or grpc_completion_queue_create_for_next failed\n");
        gs->shut_down = true; /* never started: nothing to shut down */
        greeter_server_destroy(gs);
        return NULL;
    }
    grpc_server_register_completion_queue(gs->server, gs->cq, NULL);
    *port = compat_server_add_port(gs->server, address);
    if (*port == 0) {
        fprintf(stderr, "grpc_server_add_http2_port(%s) failed: address in use or invalid?\n",
                address);
        gs->shut_down = true;
        greeter_server_destroy(gs);
        return NULL;
    }
    grpc_server_start(gs->server);
    if (request_next_call(gs) != 0) {
        greeter_server_destroy(gs);
        return NULL;
    }
    return gs;
    // @student-stub
    // (void)address;
    // (void)port;
    // (void)on_call_event;
    // (void)finish_call;
    // return NULL;
    // @student-end
}

/* Stops accepting calls, cancels those in flight and handles events until
 * the server reports that it has shut down. */
static int shutdown_server(struct greeter_server *gs)
{
    // @student-begin: grpc_server_shutdown_and_notify(server, cq, &gs->shutdown_tag), then
    // grpc_server_cancel_all_calls, then grpc_completion_queue_next until the shutdown tag
    // comes back (pass the other events to on_call_event). Set gs->stopping first.
    gs->stopping = true;
    grpc_server_shutdown_and_notify(gs->server, gs->cq, &gs->shutdown_tag);
    grpc_server_cancel_all_calls(gs->server);
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(gs->cq, compat_deadline_ms(1000), NULL);
        if (ev.type == GRPC_QUEUE_TIMEOUT)
            continue;
        if (ev.type != GRPC_OP_COMPLETE) {
            fprintf(stderr, "grpc_completion_queue_next: queue shut down while stopping\n");
            return -1;
        }
        if (ev.tag == &gs->shutdown_tag)
            break;
        on_call_event(gs, ev.tag, ev.success, false);
    }
    gs->shut_down = true;
    return 0;
    // @student-stub
    // (void)gs;
    // return -1;
    // @student-end
}

int greeter_server_run(struct greeter_server *gs, const atomic_bool *stop)
{
    // @student-begin: loop: grpc_completion_queue_next with a 100 ms deadline; on
    // GRPC_OP_COMPLETE pass the event to on_call_event, on GRPC_QUEUE_TIMEOUT check *stop.
    // When *stop is true, return shutdown_server's result.
    if (!gs)
        return -1;
    while (!atomic_load(stop)) {
        grpc_event ev = grpc_completion_queue_next(gs->cq, compat_deadline_ms(100), NULL);
        if (ev.type == GRPC_OP_COMPLETE)
            on_call_event(gs, ev.tag, ev.success, false);
        else if (ev.type == GRPC_QUEUE_SHUTDOWN)
            return -1;
    }
    return shutdown_server(gs);
    // @student-stub
    // (void)gs;
    // (void)stop;
    // (void)shutdown_server;
    // return -1;
    // @student-end
}

void greeter_server_destroy(struct greeter_server *gs)
{
    if (!gs)
        return;
    // @student-begin: shut the server down if run did not; grpc_server_destroy;
    // grpc_completion_queue_shutdown; grpc_completion_queue_next until GRPC_QUEUE_SHUTDOWN
    // (free left-over call states, start nothing); grpc_completion_queue_destroy; grpc_shutdown.
    if (gs->server && !gs->shut_down)
        shutdown_server(gs);
    if (gs->server)
        grpc_server_destroy(gs->server);
    if (gs->cq) {
        grpc_completion_queue_shutdown(gs->cq);
        for (;;) {
            grpc_event ev =
                grpc_completion_queue_next(gs->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
            if (ev.type == GRPC_QUEUE_SHUTDOWN)
                break;
            if (ev.type == GRPC_OP_COMPLETE && ev.tag != &gs->shutdown_tag)
                on_call_event(gs, ev.tag, ev.success, true);
        }
        grpc_completion_queue_destroy(gs->cq);
    }
    grpc_shutdown();
    // @student-stub
    // @student-end
    free(gs);
}

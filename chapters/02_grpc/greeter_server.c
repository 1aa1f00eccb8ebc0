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
    // TODO: allocate a zeroed call_state (step CALL_WAITING, empty details and
    // metadata array, status_details = grpc_empty_slice()) and call grpc_server_request_call
    // with the state as tag and gs->cq as both queues. Free the state if that fails.
    (void)gs;
    return -1;
}

/* Starts the last batch: the initial metadata, the reply message when there
 * is one, the status, and the wait for the client's close. Every call ends
 * here, a failing one too, so every call sends initial metadata: a client
 * waits for it. Returns 0, or -1 when the batch could not start. */
static int finish_call(struct call_state *state, grpc_status_code code, const char *details)
{
    // TODO: build the ops array: SEND_INITIAL_METADATA, [SEND_MESSAGE of
    // state->response when not NULL,] SEND_STATUS_FROM_SERVER (code, status_details),
    // RECV_CLOSE_ON_SERVER (&state->cancelled); set step CALL_FINISHING; grpc_call_start_batch.
    (void)state;
    (void)code;
    (void)details;
    return -1;
}

/* A client called: route by method. Returns 0, or -1 when the call could not
 * go on (the caller then frees its state). */
static int on_new_call(struct call_state *state)
{
    // TODO: for "/example.Greeter/SayHello" (compare with grpc_slice_str_cmp)
    // start batch 1 (RECV_MESSAGE into &state->request) and set step CALL_READING; for any
    // other method finish_call with UNIMPLEMENTED.
    (void)state;
    return -1;
}

/* The request arrived: answer it. Returns 0 or -1 like on_new_call. */
static int on_request_read(struct call_state *state)
{
    // TODO: state->request is NULL when the client sent no message. Copy it out
    // with compat_buffer_to_bytes, unpack a HelloRequest; bad bytes or an empty name get
    // INVALID_ARGUMENT with a message saying why; otherwise pack HelloResponse
    // "Hello, <name>!" into state->response (compat_bytes_to_buffer) and finish with OK.
    (void)state;
    return -1;
}

/* One event from the completion queue for a call. While draining (queue shut
 * down) only frees: starting a batch then would abort the process. */
static void on_call_event(struct greeter_server *gs, struct call_state *state, bool success,
                          bool draining)
{
    // TODO: dispatch on state->step. CALL_WAITING + success: request the next
    // call first (unless gs->stopping), then on_new_call. CALL_READING + success:
    // on_request_read. Free the state when an event failed, when a handler returned -1,
    // when draining, and after CALL_FINISHING.
    (void)gs;
    (void)state;
    (void)success;
    (void)draining;
    (void)request_next_call;
    (void)on_new_call;
    (void)on_request_read;
    (void)free_call;
}

struct greeter_server *greeter_server_create(const char *address, int *port)
{
    // TODO: grpc_init, grpc_server_create, grpc_completion_queue_create_for_next,
    // grpc_server_register_completion_queue, compat_server_add_port (0 = failure),
    // grpc_server_start, then request the first call. Undo everything on failure.
    (void)address;
    (void)port;
    (void)on_call_event;
    (void)finish_call;
    return NULL;
}

/* Stops accepting calls, cancels those in flight and handles events until
 * the server reports that it has shut down. */
static int shutdown_server(struct greeter_server *gs)
{
    // TODO: grpc_server_shutdown_and_notify(server, cq, &gs->shutdown_tag), then
    // grpc_server_cancel_all_calls, then grpc_completion_queue_next until the shutdown tag
    // comes back (pass the other events to on_call_event). Set gs->stopping first.
    (void)gs;
    return -1;
}

int greeter_server_run(struct greeter_server *gs, const atomic_bool *stop)
{
    // TODO: loop: grpc_completion_queue_next with a 100 ms deadline; on
    // GRPC_OP_COMPLETE pass the event to on_call_event, on GRPC_QUEUE_TIMEOUT check *stop.
    // When *stop is true, return shutdown_server's result.
    (void)gs;
    (void)stop;
    (void)shutdown_server;
    return -1;
}

void greeter_server_destroy(struct greeter_server *gs)
{
    if (!gs)
        return;
    // TODO: shut the server down if run did not; grpc_server_destroy;
    // grpc_completion_queue_shutdown; grpc_completion_queue_next until GRPC_QUEUE_SHUTDOWN
    // (free left-over call states, start nothing); grpc_completion_queue_destroy; grpc_shutdown.
    free(gs);
}

/*
 * greeter_router.c - passes each call on the public address to the Greeter
 * server that implements its method (see greeter_router.h).
 *
 * What it shows: a gRPC call is routed by its method path alone, and a server
 * that calls another server on behalf of a client makes the client's call the
 * *parent* of its own (grpc_channel_create_call's second argument). The
 * parent's deadline then travels to the second server, and when the client
 * cancels, or the router cancels everything at shutdown, gRPC cancels the
 * child call too. Nothing here has to forward a cancel by hand.
 *
 * Each call gets a thread and a completion queue of its own; the thread waits
 * on that queue with grpc_completion_queue_pluck, so the relay reads top to
 * bottom like a blocking program:
 *
 *   client -> router   SEND_INITIAL_METADATA + RECV_MESSAGE   (the request)
 *   router -> server   the same request, half-closed
 *   server -> router   RECV_MESSAGE, one reply at a time ...
 *   router -> client   ... each passed on with SEND_MESSAGE
 *   server -> router   RECV_STATUS_ON_CLIENT
 *   router -> client   SEND_STATUS_FROM_SERVER + RECV_CLOSE_ON_SERVER
 *
 * It relays one request and any number of replies: the shapes of both
 * methods of greeter.proto (a client-streaming method would need more).
 * Waits have no deadline of their own: every call ends, because the client's
 * deadline reaches both calls and a cancel of the client's call reaches the
 * call to the server.
 */
#include "greeter_router.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc_compat.h"

struct greeter_router {
    grpc_server *server;
    grpc_completion_queue *cq; /* announces new calls */
    grpc_channel *say_hello;   /* to the server of exercise greeter_server */
    grpc_channel *stream;      /* to the server of exercise greeter_stream */
    pthread_mutex_t lock;
    pthread_cond_t idle; /* signalled when a relay thread ends */
    int relays;          /* relay threads running (under lock) */
    bool stopping;       /* shutdown started: request no new calls */
    bool shut_down;      /* shutdown finished */
    int shutdown_tag;    /* its address tags the shutdown event */
};

/* One client call, from grpc_server_request_call until it has been relayed. */
struct relay {
    struct greeter_router *router;
    grpc_completion_queue *cq; /* every batch of both calls completes here */
    grpc_call *in;             /* the client's call to the router */
    grpc_call_details details; /* method, deadline */
    grpc_metadata_array metadata;
};

static void relay_free(struct relay *r)
{
    if (r->in)
        grpc_call_unref(r->in); /* cancels the call if it has not ended */
    grpc_call_details_destroy(&r->details);
    grpc_metadata_array_destroy(&r->metadata);
    if (r->cq) {
        grpc_completion_queue_shutdown(r->cq);
        while (grpc_completion_queue_pluck(r->cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL)
                   .type != GRPC_QUEUE_SHUTDOWN)
            ;
        grpc_completion_queue_destroy(r->cq);
    }
    free(r);
}

/* Asks for the next client call. Its batches will complete on a queue of its
 * own (r->cq); the announcement comes on the router's queue, tagged r. */
static int request_next_call(struct greeter_router *router)
{
    struct relay *r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "greeter_router: calloc of a relay failed\n");
        return -1;
    }
    r->router = router;
    grpc_call_details_init(&r->details);
    grpc_metadata_array_init(&r->metadata);
    r->cq = grpc_completion_queue_create_for_pluck(NULL);
    if (!r->cq) {
        fprintf(stderr, "greeter_router: grpc_completion_queue_create_for_pluck failed\n");
        relay_free(r);
        return -1;
    }
    grpc_call_error err = grpc_server_request_call(router->server, &r->in, &r->details,
                                                   &r->metadata, r->cq, router->cq, r);
    if (err != GRPC_CALL_OK) {
        fprintf(stderr, "greeter_router: grpc_server_request_call failed: %d\n", (int)err);
        relay_free(r);
        return -1;
    }
    return 0;
}

/* Runs one batch on call and waits for it. Returns its success flag. */
static bool run_batch(struct relay *r, grpc_call *call, const grpc_op *ops, size_t n,
                      const char *what)
{
    grpc_call_error err = grpc_call_start_batch(call, ops, n, (void *)ops, NULL);
    if (err != GRPC_CALL_OK) {
        fprintf(stderr, "greeter_router: grpc_call_start_batch (%s) failed: %d\n", what, (int)err);
        return false;
    }
    grpc_event ev =
        grpc_completion_queue_pluck(r->cq, (void *)ops, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    return ev.type == GRPC_OP_COMPLETE && ev.success;
}

/* Sends the server's replies on to the client, one at a time, until the
 * server ends the stream or the client is gone. */
static void relay_replies(struct relay *r, grpc_call *out)
{
    for (;;) {
        grpc_byte_buffer *reply = NULL;
        grpc_op recv[1];
        memset(recv, 0, sizeof recv);
        recv[0].op = GRPC_OP_RECV_MESSAGE;
        recv[0].data.recv_message.recv_message = &reply;
        if (!run_batch(r, out, recv, 1, "read a reply") || !reply)
            return; /* NULL: the server has ended the stream */
        grpc_op send[1];
        memset(send, 0, sizeof send);
        send[0].op = GRPC_OP_SEND_MESSAGE;
        send[0].data.send_message.send_message = reply;
        bool sent = run_batch(r, r->in, send, 1, "pass a reply on");
        grpc_byte_buffer_destroy(reply);
        if (!sent) {
            grpc_call_cancel(out, NULL); /* the client went away: stop the server too */
            return;
        }
    }
}

/* Relays one client call to the server of its method and back. */
static void relay_call(struct relay *r)
{
    struct greeter_router *router = r->router;
    bool stream = grpc_slice_str_cmp(r->details.method, GREETER_SAY_HELLO_STREAM) == 0;
    /* The client's call is the parent: its deadline and cancellation carry over. */
    grpc_call *out = grpc_channel_create_call(stream ? router->stream : router->say_hello, r->in,
                                              GRPC_PROPAGATE_DEFAULTS, r->cq, r->details.method,
                                              NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    grpc_status_code status = GRPC_STATUS_UNAVAILABLE;
    grpc_slice details = grpc_slice_from_static_string("the router could not call the server");
    grpc_metadata_array out_initial, out_trailing;
    grpc_metadata_array_init(&out_initial);
    grpc_metadata_array_init(&out_trailing);
    grpc_byte_buffer *request = NULL;

    /* The client's request. Like every server, send initial metadata first. */
    grpc_op ops[4];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_RECV_MESSAGE;
    ops[1].data.recv_message.recv_message = &request;
    bool client_there = run_batch(r, r->in, ops, 2, "read the request");

    if (client_there && !out)
        fprintf(stderr, "greeter_router: grpc_channel_create_call failed\n");
    if (client_there && out) {
        /* The same request to the server, half-closed. If this fails, the
         * status read below says why (UNAVAILABLE when nothing listens). */
        size_t n = 0;
        memset(ops, 0, sizeof ops);
        ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
        if (request) { /* a client that sent none gets the server's verdict on that */
            ops[n].op = GRPC_OP_SEND_MESSAGE;
            ops[n++].data.send_message.send_message = request;
        }
        ops[n++].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
        ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
        ops[n++].data.recv_initial_metadata.recv_initial_metadata = &out_initial;
        if (run_batch(r, out, ops, n, "call the server"))
            relay_replies(r, out);

        memset(ops, 0, sizeof ops);
        ops[0].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
        ops[0].data.recv_status_on_client.trailing_metadata = &out_trailing;
        ops[0].data.recv_status_on_client.status = &status;
        ops[0].data.recv_status_on_client.status_details = &details;
        run_batch(r, out, ops, 1, "read the server's status");
    }
    if (client_there) {
        /* The server's status (or ours) to the client; then its close. */
        int cancelled = 0;
        memset(ops, 0, sizeof ops);
        ops[0].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
        ops[0].data.send_status_from_server.status = status;
        ops[0].data.send_status_from_server.status_details = &details;
        ops[1].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
        ops[1].data.recv_close_on_server.cancelled = &cancelled;
        run_batch(r, r->in, ops, 2, "send the status");
    }
    grpc_slice_unref(details);
    if (request)
        grpc_byte_buffer_destroy(request);
    grpc_metadata_array_destroy(&out_initial);
    grpc_metadata_array_destroy(&out_trailing);
    if (out)
        grpc_call_unref(out); /* before the parent call, which relay_free releases */
}

static void *relay_thread(void *arg)
{
    struct relay *r = arg;
    struct greeter_router *router = r->router;
    relay_call(r);
    relay_free(r);
    pthread_mutex_lock(&router->lock);
    router->relays--;
    pthread_cond_broadcast(&router->idle);
    pthread_mutex_unlock(&router->lock);
    return NULL;
}

/* A client called (or, when !success, a request ended by the shutdown). */
static void on_new_call(struct greeter_router *router, struct relay *r, bool success)
{
    if (!success) {
        relay_free(r);
        return;
    }
    if (!router->stopping && request_next_call(router) != 0)
        fprintf(stderr, "greeter_router: cannot request the next call; no new calls are taken\n");
    pthread_attr_t attr;
    pthread_t thread;
    int err = pthread_attr_init(&attr);
    if (err == 0)
        err = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_mutex_lock(&router->lock);
    if (err == 0)
        err = pthread_create(&thread, &attr, relay_thread, r);
    if (err == 0)
        router->relays++;
    pthread_mutex_unlock(&router->lock);
    pthread_attr_destroy(&attr);
    if (err != 0) {
        fprintf(stderr, "greeter_router: pthread_create failed: %s\n", strerror(err));
        relay_free(r); /* the client sees its call cancelled */
    }
}

struct greeter_router *greeter_router_create(const char *address, const char *also_address,
                                             int *port, const char *say_hello_target,
                                             const char *stream_target)
{
    struct greeter_router *router = calloc(1, sizeof *router);
    if (!router) {
        fprintf(stderr, "greeter_router: calloc failed\n");
        return NULL;
    }
    grpc_init();
    pthread_mutex_init(&router->lock, NULL);
    pthread_cond_init(&router->idle, NULL);
    router->shut_down = true; /* nothing to shut down until the server starts */
    router->say_hello = compat_channel_create(say_hello_target);
    router->stream = compat_channel_create(stream_target);
    router->server = grpc_server_create(NULL, NULL);
    router->cq = grpc_completion_queue_create_for_next(NULL);
    if (!router->say_hello || !router->stream || !router->server || !router->cq) {
        fprintf(stderr, "greeter_router: creating the channels, server or queue failed\n");
        greeter_router_destroy(router);
        return NULL;
    }
    grpc_server_register_completion_queue(router->server, router->cq, NULL);
    *port = compat_server_add_port(router->server, address);
    if (*port == 0) {
        fprintf(stderr,
                "greeter_router: grpc_server_add_http2_port(%s) failed: in use or invalid?\n",
                address);
        greeter_router_destroy(router);
        return NULL;
    }
    if (also_address && compat_server_add_port(router->server, also_address) == 0)
        fprintf(stderr, "greeter_router: note: cannot listen on %s as well; %s only\n",
                also_address, address);
    grpc_server_start(router->server);
    router->shut_down = false;
    if (request_next_call(router) != 0) {
        greeter_router_destroy(router);
        return NULL;
    }
    return router;
}

/* Stops taking calls, cancels those in flight, waits for every relay. */
static int shutdown_router(struct greeter_router *router)
{
    router->stopping = true;
    grpc_server_shutdown_and_notify(router->server, router->cq, &router->shutdown_tag);
    grpc_server_cancel_all_calls(router->server);
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(router->cq, compat_deadline_ms(1000), NULL);
        if (ev.type == GRPC_QUEUE_TIMEOUT)
            continue;
        if (ev.type != GRPC_OP_COMPLETE) {
            fprintf(stderr, "greeter_router: queue shut down while stopping\n");
            return -1;
        }
        if (ev.tag == &router->shutdown_tag)
            break;
        on_new_call(router, ev.tag, ev.success);
    }
    pthread_mutex_lock(&router->lock);
    while (router->relays > 0)
        pthread_cond_wait(&router->idle, &router->lock);
    pthread_mutex_unlock(&router->lock);
    router->shut_down = true;
    return 0;
}

int greeter_router_run(struct greeter_router *router, const atomic_bool *stop)
{
    if (!router)
        return -1;
    while (!atomic_load(stop)) {
        grpc_event ev = grpc_completion_queue_next(router->cq, compat_deadline_ms(100), NULL);
        if (ev.type == GRPC_OP_COMPLETE)
            on_new_call(router, ev.tag, ev.success);
        else if (ev.type == GRPC_QUEUE_SHUTDOWN)
            return -1;
    }
    return shutdown_router(router);
}

void greeter_router_destroy(struct greeter_router *router)
{
    if (!router)
        return;
    if (!router->shut_down)
        shutdown_router(router);
    if (router->server)
        grpc_server_destroy(router->server);
    if (router->cq) {
        grpc_completion_queue_shutdown(router->cq);
        for (;;) {
            grpc_event ev =
                grpc_completion_queue_next(router->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
            if (ev.type == GRPC_QUEUE_SHUTDOWN)
                break;
            if (ev.type == GRPC_OP_COMPLETE && ev.tag != &router->shutdown_tag)
                relay_free(ev.tag); /* start nothing now: only free */
        }
        grpc_completion_queue_destroy(router->cq);
    }
    if (router->say_hello)
        grpc_channel_destroy(router->say_hello);
    if (router->stream)
        grpc_channel_destroy(router->stream);
    pthread_cond_destroy(&router->idle);
    pthread_mutex_destroy(&router->lock);
    grpc_shutdown();
    free(router);
}

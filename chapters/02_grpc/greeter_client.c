/*
 * greeter_client.c - exercise "greeter_client": a unary call with the gRPC
 * core API.
 *
 * A unary call is one batch of six operations on a call object: send the
 * initial metadata, the request and the half-close; receive the initial
 * metadata, the reply and the status. The batch completes on a "pluck"
 * completion queue, which lets us wait for exactly that batch. The deadline
 * travels with the call: when it passes, gRPC ends the call itself with
 * DEADLINE_EXCEEDED, so our wait is always bounded.
 *
 * Version-specific calls (credentials, channel creation) are in grpc_compat.h.
 */
#include "greeter_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "greeter.pb-c.h"
#include "grpc_compat.h"

struct greeter_client {
    grpc_channel *channel;
    grpc_completion_queue *cq;
};

/* Sets the reply to a failure that happened before any call was made. */
static int local_failure(struct greeter_reply *reply, const char *what)
{
    fprintf(stderr, "%s failed\n", what);
    reply->status = GRPC_STATUS_INTERNAL;
    reply->details = compat_slice_to_string(grpc_slice_from_static_string(what));
    return -1;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

struct greeter_client *greeter_client_create(const char *target)
{
    // TODO: grpc_init, then compat_channel_create(target) and
    // grpc_completion_queue_create_for_pluck. Undo everything on failure.
    (void)target;
    return NULL;
}

int greeter_client_say_hello(struct greeter_client *client, const char *name, int deadline_ms,
                             struct greeter_reply *reply)
{
    memset(reply, 0, sizeof *reply);
    reply->attempts = 1;
    // TODO: pack HelloRequest{name}; grpc_channel_create_call with the method
    // GREETER_SAY_HELLO and compat_deadline_ms(deadline_ms); one batch of SEND_INITIAL_METADATA,
    // SEND_MESSAGE, SEND_CLOSE_FROM_CLIENT, RECV_INITIAL_METADATA, RECV_MESSAGE,
    // RECV_STATUS_ON_CLIENT; grpc_completion_queue_pluck for it; fill reply (status, details,
    // message when OK); free every buffer, slice, metadata array and the call.
    (void)client;
    (void)name;
    (void)deadline_ms;
    return local_failure(reply, "greeter_client_say_hello is not written yet");
}

int greeter_client_say_hello_retry(struct greeter_client *client, const char *name, int deadline_ms,
                                   int max_attempts, int first_backoff_ms,
                                   struct greeter_reply *reply)
{
    // TODO: call greeter_client_say_hello; while the status is UNAVAILABLE and
    // attempts remain, free the reply, sleep (sleep_ms) the backoff, double it, call again.
    // Set reply->attempts to the number of calls made.
    (void)client;
    (void)name;
    (void)deadline_ms;
    (void)max_attempts;
    (void)first_backoff_ms;
    (void)sleep_ms;
    memset(reply, 0, sizeof *reply);
    return local_failure(reply, "greeter_client_say_hello_retry is not written yet");
}

void greeter_reply_free(struct greeter_reply *reply)
{
    free(reply->message);
    free(reply->details);
    reply->message = NULL;
    reply->details = NULL;
}

void greeter_client_destroy(struct greeter_client *client)
{
    if (!client)
        return;
    // TODO: grpc_channel_destroy; grpc_completion_queue_shutdown; pluck until
    // GRPC_QUEUE_SHUTDOWN; grpc_completion_queue_destroy; grpc_shutdown.
    free(client);
}

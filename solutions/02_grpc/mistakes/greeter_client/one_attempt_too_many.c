/* mistake: max_attempts counts retries, so one call more than allowed is made
 * rule: "retried up to max_attempts calls in all (greeter_client.h)"
 * caught-by: retry_gives_up_after_max_attempts
 */
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
    // @student-begin: grpc_init, then compat_channel_create(target) and
    // grpc_completion_queue_create_for_pluck. Undo everything on failure.
    struct greeter_client *client = calloc(1, sizeof *client);
    if (!client) {
        fprintf(stderr, "calloc of greeter_client failed\n");
        return NULL;
    }
    grpc_init();
    client->channel = compat_channel_create(target);
    client->cq = grpc_completion_queue_create_for_pluck(NULL);
    if (!client->channel || !client->cq) {
        fprintf(stderr,
                "grpc_channel_create(%s) or grpc_completion_queue_create_for_pluck failed\n",
                target);
        greeter_client_destroy(client);
        return NULL;
    }
    return client;
    // @student-stub
    // (void)target;
    // return NULL;
    // @student-end
}

int greeter_client_say_hello(struct greeter_client *client, const char *name, int deadline_ms,
                             struct greeter_reply *reply)
{
    memset(reply, 0, sizeof *reply);
    reply->attempts = 1;
    // @student-begin: pack HelloRequest{name}; grpc_channel_create_call with the method
    // GREETER_SAY_HELLO and compat_deadline_ms(deadline_ms); one batch of SEND_INITIAL_METADATA,
    // SEND_MESSAGE, SEND_CLOSE_FROM_CLIENT, RECV_INITIAL_METADATA, RECV_MESSAGE,
    // RECV_STATUS_ON_CLIENT; grpc_completion_queue_pluck for it; fill reply (status, details,
    // message when OK); free every buffer, slice, metadata array and the call.
    if (!client)
        return local_failure(reply, "greeter_client_say_hello without a client");

    Example__HelloRequest request = EXAMPLE__HELLO_REQUEST__INIT;
    request.name = (char *)name;
    size_t len = example__hello_request__get_packed_size(&request);
    uint8_t *bytes = malloc(len ? len : 1);
    if (!bytes)
        return local_failure(reply, "malloc of the request");
    example__hello_request__pack(&request, bytes);
    grpc_byte_buffer *send = compat_bytes_to_buffer(bytes, len);
    free(bytes);

    grpc_slice method = grpc_slice_from_static_string(GREETER_SAY_HELLO);
    grpc_call *call =
        grpc_channel_create_call(client->channel, NULL, GRPC_PROPAGATE_DEFAULTS, client->cq, method,
                                 NULL, compat_deadline_ms(deadline_ms), NULL);
    if (!call) {
        grpc_byte_buffer_destroy(send);
        return local_failure(reply, "grpc_channel_create_call");
    }

    grpc_metadata_array initial_metadata, trailing_metadata;
    grpc_metadata_array_init(&initial_metadata);
    grpc_metadata_array_init(&trailing_metadata);
    grpc_byte_buffer *received = NULL;
    grpc_status_code status = GRPC_STATUS_UNKNOWN;
    grpc_slice details = grpc_empty_slice();

    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[0].data.send_initial_metadata.count = 0;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = send;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial_metadata;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &received;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &trailing_metadata;
    ops[5].data.recv_status_on_client.status = &status;
    ops[5].data.recv_status_on_client.status_details = &details;

    int rc = 0;
    grpc_call_error err = grpc_call_start_batch(call, ops, 6, call, NULL);
    if (err != GRPC_CALL_OK) {
        fprintf(stderr, "grpc_call_start_batch failed: %d\n", (int)err);
        rc = -1;
        status = GRPC_STATUS_INTERNAL;
    } else {
        /* The call's deadline ends the batch. Our own wait has a bound too, a
         * little later, in case something goes wrong below gRPC's deadline. */
        grpc_event ev = grpc_completion_queue_pluck(client->cq, call,
                                                    compat_deadline_ms(deadline_ms + 5000), NULL);
        if (ev.type == GRPC_QUEUE_TIMEOUT) {
            grpc_call_cancel(call, NULL); /* completes the batch with CANCELLED */
            ev = grpc_completion_queue_pluck(client->cq, call, gpr_inf_future(GPR_CLOCK_REALTIME),
                                             NULL);
        }
        if (ev.type != GRPC_OP_COMPLETE) {
            fprintf(stderr, "grpc_completion_queue_pluck: unexpected event %d\n", (int)ev.type);
            rc = -1;
            status = GRPC_STATUS_INTERNAL;
        }
    }

    reply->status = status;
    reply->details = compat_slice_to_string(details);
    if (status == GRPC_STATUS_OK && received) {
        uint8_t *data = NULL;
        size_t data_len = 0;
        if (compat_buffer_to_bytes(received, &data, &data_len) == 0) {
            Example__HelloResponse *response =
                example__hello_response__unpack(NULL, data_len, data);
            if (response) {
                reply->message =
                    compat_slice_to_string(grpc_slice_from_static_string(response->message));
                example__hello_response__free_unpacked(response, NULL);
            } else {
                reply->status = GRPC_STATUS_INTERNAL; /* OK but the reply is not a HelloResponse */
            }
            free(data);
        }
    }

    if (received)
        grpc_byte_buffer_destroy(received);
    grpc_byte_buffer_destroy(send);
    grpc_slice_unref(details);
    grpc_metadata_array_destroy(&initial_metadata);
    grpc_metadata_array_destroy(&trailing_metadata);
    grpc_call_unref(call);
    return rc;
    // @student-stub
    // (void)client;
    // (void)name;
    // (void)deadline_ms;
    // return local_failure(reply, "greeter_client_say_hello is not written yet");
    // @student-end
}

int greeter_client_say_hello_retry(struct greeter_client *client, const char *name, int deadline_ms,
                                   int max_attempts, int first_backoff_ms,
                                   struct greeter_reply *reply)
{
    // @student-begin: call greeter_client_say_hello; while the status is UNAVAILABLE and
    // attempts remain, free the reply, sleep (sleep_ms) the backoff, double it, call again.
    // Set reply->attempts to the number of calls made.
    int backoff_ms = first_backoff_ms;
    int attempt = 1;
    int rc = greeter_client_say_hello(client, name, deadline_ms, reply);
    while (rc == 0 && reply->status == GRPC_STATUS_UNAVAILABLE && attempt <= max_attempts) {
        greeter_reply_free(reply);
        sleep_ms(backoff_ms);
        backoff_ms *= 2;
        attempt++;
        rc = greeter_client_say_hello(client, name, deadline_ms, reply);
    }
    reply->attempts = attempt;
    return rc;
    // @student-stub
    // (void)client;
    // (void)name;
    // (void)deadline_ms;
    // (void)max_attempts;
    // (void)first_backoff_ms;
    // (void)sleep_ms;
    // memset(reply, 0, sizeof *reply);
    // return local_failure(reply, "greeter_client_say_hello_retry is not written yet");
    // @student-end
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
    // @student-begin: grpc_channel_destroy; grpc_completion_queue_shutdown; pluck until
    // GRPC_QUEUE_SHUTDOWN; grpc_completion_queue_destroy; grpc_shutdown.
    if (client->channel)
        grpc_channel_destroy(client->channel);
    if (client->cq) {
        grpc_completion_queue_shutdown(client->cq);
        while (
            grpc_completion_queue_pluck(client->cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL)
                .type != GRPC_QUEUE_SHUTDOWN)
            ;
        grpc_completion_queue_destroy(client->cq);
    }
    grpc_shutdown();
    // @student-stub
    // @student-end
    free(client);
}

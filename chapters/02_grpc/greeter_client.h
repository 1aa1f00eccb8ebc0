/*
 * greeter_client.h - exercise "greeter_client": calling SayHello with a
 * deadline, reporting the status, and retrying UNAVAILABLE with backoff.
 *
 * Use:
 *     struct greeter_client *client = greeter_client_create("127.0.0.1:50051");
 *     struct greeter_reply reply;
 *     greeter_client_say_hello(client, "World", 1000, &reply);
 *     if (reply.status == GRPC_STATUS_OK) puts(reply.message);
 *     greeter_reply_free(&reply);
 *     greeter_client_destroy(client);
 */
#ifndef GREETER_CLIENT_H
#define GREETER_CLIENT_H

#include <grpc/status.h>

struct greeter_client;

/* What one call (or one retried call) ended with. */
struct greeter_reply {
    grpc_status_code status; /* GRPC_STATUS_OK or why the call failed */
    char *message;           /* HelloResponse.message when OK, else NULL (heap) */
    char *details;           /* the status message, "" when none (heap) */
    int attempts;            /* calls made: 1, or more when retried */
};

/* Starts gRPC and opens a channel to target ("host:port"). The channel
 * connects lazily, on the first call. Returns NULL on failure. */
struct greeter_client *greeter_client_create(const char *target);

/* Calls SayHello{name} with a deadline of deadline_ms from now and fills
 * *reply. Returns 0 when the call ran to a status (OK or not: look at
 * reply->status), -1 when it could not even be started (reply->status is
 * then GRPC_STATUS_INTERNAL). Never waits much longer than deadline_ms. */
int greeter_client_say_hello(struct greeter_client *client, const char *name, int deadline_ms,
                             struct greeter_reply *reply);

/* Like greeter_client_say_hello, but an UNAVAILABLE answer (server not
 * there, yet) is retried up to max_attempts calls in all, sleeping
 * first_backoff_ms before the second call and doubling the sleep each time.
 * Every other status is final at once. reply->attempts says how many calls
 * were made. Returns like greeter_client_say_hello. */
int greeter_client_say_hello_retry(struct greeter_client *client, const char *name, int deadline_ms,
                                   int max_attempts, int first_backoff_ms,
                                   struct greeter_reply *reply);

/* Frees the strings of a reply (not the struct). */
void greeter_reply_free(struct greeter_reply *reply);

/* Closes the channel and stops gRPC. NULL is allowed. */
void greeter_client_destroy(struct greeter_client *client);

#endif

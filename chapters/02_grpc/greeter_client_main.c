/*
 * greeter_client_main.c - call SayHello with the client of exercise
 * greeter_client and print the reply, like the lesson's Rust client.
 *
 *     greeter_client [name] [target]   defaults: World, 127.0.0.1:50051
 *
 * UNAVAILABLE (no server yet) is retried 4 times with backoff; every call
 * has a 2 s deadline.
 */
#include <stdio.h>

#include "greeter_client.h"
#include "grpc_compat.h"

int main(int argc, char *argv[])
{
    const char *name = argc > 1 ? argv[1] : "World";
    const char *target = argc > 2 ? argv[2] : "127.0.0.1:50051";

    struct greeter_client *client = greeter_client_create(target);
    if (!client) {
        fprintf(stderr, "greeter_client_create(%s) failed\n", target);
        return 1;
    }
    struct greeter_reply reply;
    int rc = greeter_client_say_hello_retry(client, name, 2000, 5, 200, &reply);
    int exit_code = 0;
    if (rc != 0) {
        fprintf(stderr, "the call could not be made: %s\n", reply.details ? reply.details : "");
        exit_code = 1;
    } else if (reply.status != GRPC_STATUS_OK) {
        fprintf(stderr, "SayHello failed after %d attempt(s): %s: %s\n", reply.attempts,
                compat_status_name(reply.status), reply.details ? reply.details : "");
        exit_code = 1;
    } else {
        printf("RESPONSE=%s\n", reply.message);
    }
    greeter_reply_free(&reply);
    greeter_client_destroy(client);
    return exit_code;
}

/*
 * greeter_stream_main.c - run both sides of exercise greeter_stream.
 *
 *     greeter_stream serve [address]                    default 127.0.0.1:50051
 *     greeter_stream call NAME COUNT [target] [cancel_after]
 *
 * Both default to greeter_server's port: build/bin/02_grpc/greeter_server
 * serves SayHelloStream too (from this same exercise, behind its router), so
 * `call` works against either program.
 *
 * `serve` answers SayHelloStream until Ctrl-C (SIGINT) or SIGTERM; the
 * handler only sets a flag that the server loop checks between short
 * completion-queue waits (a signal handler must not call gRPC). `call`
 * collects COUNT greetings (or cancels after cancel_after of them) and
 * prints each, then the status. A client generated from greeter.proto
 * (tonic, grpcio, grpcurl) can call `serve` as well.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greeter_stream.h"
#include "grpc_compat.h"

static atomic_bool stop_requested = false;

static void on_signal(int signo)
{
    (void)signo;
    atomic_store(&stop_requested, true);
}

static int serve(const char *address)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0) {
        perror("sigaction");
        return 1;
    }
    int port = 0;
    struct stream_server *server = stream_server_create(address, &port);
    if (!server) {
        fprintf(stderr, "stream_server_create(%s) failed\n", address);
        return 1;
    }
    printf("SayHelloStream listening on port %d (Ctrl-C stops)\n", port);
    fflush(stdout);
    int rc = stream_server_run(server, &stop_requested);
    stream_server_destroy(server);
    printf("stream server stopped%s\n", rc == 0 ? "" : " with an error");
    return rc == 0 ? 0 : 1;
}

static int call(const char *name, const char *count_text, const char *target,
                const char *cancel_text)
{
    char *end;
    long count = strtol(count_text, &end, 10);
    long cancel_after = cancel_text ? strtol(cancel_text, NULL, 10) : 0;
    if (*end != '\0' || count < 1 || count > STREAM_MAX_COUNT || cancel_after < 0) {
        fprintf(stderr, "COUNT must be a number in 1..%d, cancel_after 0 or more\n",
                STREAM_MAX_COUNT);
        return 2;
    }
    struct stream_result result;
    int rc = greeter_stream_collect(target, name, (int)count, (int)cancel_after, 5000, &result);
    if (rc != 0) {
        fprintf(stderr, "the call to %s could not be made\n", target);
        return 1;
    }
    for (int i = 0; i < result.count; i++)
        printf("RESPONSE=%s\n", result.messages[i]);
    printf("STATUS=%s%s%s\n", compat_status_name(result.status), result.details[0] ? " " : "",
           result.details);
    int exit_code = result.status == GRPC_STATUS_OK ||
                            (cancel_after > 0 && result.status == GRPC_STATUS_CANCELLED)
                        ? 0
                        : 1;
    stream_result_free(&result);
    return exit_code;
}

int main(int argc, char *argv[])
{
    if (argc >= 2 && strcmp(argv[1], "serve") == 0 && argc <= 3)
        return serve(argc > 2 ? argv[2] : "127.0.0.1:50051");
    if (argc >= 4 && strcmp(argv[1], "call") == 0 && argc <= 6)
        return call(argv[2], argv[3], argc > 4 ? argv[4] : "127.0.0.1:50051",
                    argc > 5 ? argv[5] : NULL);
    fprintf(stderr, "usage: greeter_stream serve [address]\n"
                    "       greeter_stream call NAME COUNT [target] [cancel_after]\n");
    return 2;
}

/*
 * greeter_server_main.c - run the whole Greeter of greeter.proto: SayHello
 * from exercise greeter_server and SayHelloStream from exercise
 * greeter_stream, on one address.
 *
 *     greeter_server [address]                     default 127.0.0.1:50051 and [::1]:50051
 *     greeter_server --say-hello-only [address]    exercise greeter_server alone
 *
 * Each exercise's server listens on a free port of 127.0.0.1 and runs in a
 * thread of its own; greeter_router.c listens on the address and passes every
 * call to the server of its method. With no address it listens on both
 * loopbacks, so the lesson's tonic client (http://[::1]:50051) and
 * build/bin/02_grpc/greeter_client (127.0.0.1:50051) reach it as they are.
 * --say-hello-only serves exercise greeter_server directly on the address,
 * without the router (SayHelloStream is then UNIMPLEMENTED); make bench
 * measures that.
 *
 * Ctrl-C (SIGINT) or SIGTERM stops it cleanly: the handler only sets a flag,
 * which the loops check between short completion-queue waits (a signal
 * handler must not call gRPC).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "greeter_router.h"
#include "greeter_server.h"
#include "greeter_stream.h"

static atomic_bool stop_requested = false;

static void on_signal(int signo)
{
    (void)signo;
    atomic_store(&stop_requested, true);
}

/* The two exercises' servers, each run by a thread until backends_stop. */
static atomic_bool backends_stop = false;

static void *run_say_hello(void *server)
{
    if (greeter_server_run(server, &backends_stop) != 0)
        fprintf(stderr, "greeter_server_run (SayHello) ended with an error\n");
    return NULL;
}

static void *run_stream(void *server)
{
    if (stream_server_run(server, &backends_stop) != 0)
        fprintf(stderr, "stream_server_run (SayHelloStream) ended with an error\n");
    return NULL;
}

/* Exercise greeter_server alone on address. */
static int serve_say_hello_only(const char *address)
{
    int port = 0;
    struct greeter_server *server = greeter_server_create(address, &port);
    if (!server) {
        fprintf(stderr, "greeter_server_create(%s) failed\n", address);
        return 1;
    }
    printf("Greeter (SayHello only) listening on port %d (Ctrl-C stops)\n", port);
    fflush(stdout);
    int rc = greeter_server_run(server, &stop_requested);
    greeter_server_destroy(server);
    printf("Greeter stopped%s\n", rc == 0 ? "" : " with an error");
    return rc == 0 ? 0 : 1;
}

/* Both exercises behind the router on address (and also_address). */
static int serve_both(const char *address, const char *also_address)
{
    int hello_port = 0, stream_port = 0, port = 0;
    struct greeter_server *hello = greeter_server_create("127.0.0.1:0", &hello_port);
    if (!hello) {
        fprintf(stderr, "greeter_server_create failed (is exercise greeter_server done?)\n");
        return 1;
    }
    struct stream_server *stream = stream_server_create("127.0.0.1:0", &stream_port);
    if (!stream) {
        fprintf(stderr, "stream_server_create failed\n");
        greeter_server_destroy(hello);
        return 1;
    }
    pthread_t hello_thread, stream_thread;
    int err = pthread_create(&hello_thread, NULL, run_say_hello, hello);
    if (err != 0) {
        fprintf(stderr, "pthread_create: %s\n", strerror(err));
        stream_server_destroy(stream);
        greeter_server_destroy(hello);
        return 1;
    }
    err = pthread_create(&stream_thread, NULL, run_stream, stream);
    if (err != 0) {
        fprintf(stderr, "pthread_create: %s\n", strerror(err));
        atomic_store(&backends_stop, true);
        pthread_join(hello_thread, NULL);
        stream_server_destroy(stream);
        greeter_server_destroy(hello);
        return 1;
    }

    char hello_target[64], stream_target[64];
    snprintf(hello_target, sizeof hello_target, "127.0.0.1:%d", hello_port);
    snprintf(stream_target, sizeof stream_target, "127.0.0.1:%d", stream_port);
    struct greeter_router *router =
        greeter_router_create(address, also_address, &port, hello_target, stream_target);
    int rc = 1;
    if (router) {
        printf("Greeter listening on port %d: SayHello (port %d), SayHelloStream (port %d); "
               "Ctrl-C stops\n",
               port, hello_port, stream_port);
        fflush(stdout);
        rc = greeter_router_run(router, &stop_requested) == 0 ? 0 : 1;
        greeter_router_destroy(router);
    }
    /* The router has ended every call it passed on: now stop the servers. */
    atomic_store(&backends_stop, true);
    pthread_join(hello_thread, NULL);
    pthread_join(stream_thread, NULL);
    stream_server_destroy(stream);
    greeter_server_destroy(hello);
    printf("Greeter stopped%s\n", rc == 0 ? "" : " with an error");
    return rc;
}

int main(int argc, char *argv[])
{
    bool say_hello_only = argc > 1 && strcmp(argv[1], "--say-hello-only") == 0;
    int first = say_hello_only ? 2 : 1;
    if (argc > first + 1 || (argc == first + 1 && argv[first][0] == '-')) {
        fprintf(stderr, "usage: greeter_server [--say-hello-only] [address]\n");
        return 2;
    }
    const char *address = argc > first ? argv[first] : NULL;

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0) {
        perror("sigaction");
        return 1;
    }

    if (say_hello_only)
        return serve_say_hello_only(address ? address : "127.0.0.1:50051");
    if (address)
        return serve_both(address, NULL);
    return serve_both("127.0.0.1:50051", "[::1]:50051");
}

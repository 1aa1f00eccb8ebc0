/*
 * greeter_server_main.c - run the Greeter server of exercise greeter_server.
 *
 *     greeter_server [address]        default 127.0.0.1:50051
 *
 * Ctrl-C (SIGINT) or SIGTERM stops it cleanly: the handler only sets a flag,
 * which the server loop checks between short completion-queue waits (a
 * signal handler must not call gRPC).
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "greeter_server.h"

static atomic_bool stop_requested = false;

static void on_signal(int signo)
{
    (void)signo;
    atomic_store(&stop_requested, true);
}

int main(int argc, char *argv[])
{
    const char *address = argc > 1 ? argv[1] : "127.0.0.1:50051";

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0) {
        perror("sigaction");
        return 1;
    }

    int port = 0;
    struct greeter_server *server = greeter_server_create(address, &port);
    if (!server) {
        fprintf(stderr, "greeter_server_create(%s) failed\n", address);
        return 1;
    }
    printf("Greeter listening on port %d (Ctrl-C stops)\n", port);
    fflush(stdout);

    int rc = greeter_server_run(server, &stop_requested);
    greeter_server_destroy(server);
    printf("Greeter stopped%s\n", rc == 0 ? "" : " with an error");
    return rc == 0 ? 0 : 1;
}

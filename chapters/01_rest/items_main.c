/*
 * items_main.c - runs the items_server exercise until Ctrl-C.
 *
 *     build/bin/01_rest/items_server [PORT]      (default 8081)
 *
 *     curl -i -X POST -H 'Content-Type: application/json' \
 *          -d '{"name": "pencil", "price": 1.25}' http://127.0.0.1:8081/items
 *     curl -i http://127.0.0.1:8081/items
 *     curl -i -X DELETE http://127.0.0.1:8081/items/1
 *
 * Same shape as hello_main.c: block the stop signals, start, sigwait, stop.
 */
#include "items_server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char *argv[])
{
    unsigned long port = 8081;
    if (argc > 2) {
        fprintf(stderr, "usage: %s [PORT]\n", argv[0]);
        return 2;
    }
    if (argc == 2) {
        char *end = NULL;
        errno = 0;
        port = strtoul(argv[1], &end, 10);
        if (errno != 0 || end == argv[1] || *end != '\0' || port > 65535) {
            fprintf(stderr, "%s: not a port number: %s\n", argv[0], argv[1]);
            return 2;
        }
    }

    /* Blocked here, inherited by MHD's threads, received by sigwait below. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    int rc = pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    if (rc != 0) {
        fprintf(stderr, "pthread_sigmask failed: %s\n", strerror(rc));
        return 1;
    }

    struct items_server *server = items_server_start((uint16_t)port, ITEMS_DEFAULT_MAX_BODY);
    if (server == NULL) {
        fprintf(stderr, "could not start the server on 127.0.0.1:%lu\n", port);
        return 1;
    }
    printf("items API on http://127.0.0.1:%u/items (Ctrl-C to stop)\n", items_server_port(server));
    fflush(stdout);

    int signal_number = 0;
    rc = sigwait(&stop_signals, &signal_number);
    if (rc != 0)
        fprintf(stderr, "sigwait failed: %s\n", strerror(rc));
    else
        printf("got %s, stopping\n", signal_number == SIGINT ? "SIGINT" : "SIGTERM");

    items_server_stop(server);
    return rc == 0 ? 0 : 1;
}

/*
 * hello_main.c - runs the hello_server exercise until Ctrl-C.
 *
 * The lesson's "Hello, world!" server as a program:
 *
 *     build/bin/01_rest/hello_server [PORT]      (default 8080)
 *     curl -i http://127.0.0.1:8080/
 *
 * It shows the usual shape of a C server's main: block the stop signals,
 * start the server (its threads inherit the blocked signals, so only this
 * thread receives them), wait for SIGINT or SIGTERM, stop cleanly.
 */
#include "hello_server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char *argv[])
{
    unsigned long port = 8080;
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

    /* Block SIGINT and SIGTERM before any thread exists; sigwait below
     * picks them up in an orderly way instead of interrupting us anywhere. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    int rc = pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    if (rc != 0) {
        fprintf(stderr, "pthread_sigmask failed: %s\n", strerror(rc));
        return 1;
    }

    struct hello_server *server = hello_server_start((uint16_t)port);
    if (server == NULL) {
        fprintf(stderr, "could not start the server on 127.0.0.1:%lu\n", port);
        return 1;
    }
    printf("listening on http://127.0.0.1:%u/ (Ctrl-C to stop)\n", hello_server_port(server));
    fflush(stdout);

    int signal_number = 0;
    rc = sigwait(&stop_signals, &signal_number);
    if (rc != 0)
        fprintf(stderr, "sigwait failed: %s\n", strerror(rc));
    else
        printf("got %s, stopping\n", signal_number == SIGINT ? "SIGINT" : "SIGTERM");

    hello_server_stop(server);
    return rc == 0 ? 0 : 1;
}

/*
 * pubsub_main.c - core NATS from the command line: publish one message, or
 * print every message of a subject until Ctrl-C (SIGINT) or SIGTERM.
 *
 *   NATS_URL=nats://127.0.0.1:4222 build/bin/05_nats/pubsub sub 'greetings.>'
 *   NATS_URL=nats://127.0.0.1:4222 build/bin/05_nats/pubsub pub greetings.en 'Hello, world!'
 *
 * Publish first and subscribe afterwards: nothing arrives. Core NATS
 * delivers to the subscriptions that exist at that moment and keeps nothing.
 *
 * Uses pubsub.c (your exercise).
 */
#include "pubsub.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: pubsub pub SUBJECT TEXT | pubsub sub SUBJECT   (server: NATS_URL)\n");
    return 2;
}

static int subscribe_and_print(struct pubsub *p, const char *subject)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
        perror("pubsub: sigaction");
        return 1;
    }
    if (pubsub_subscribe(p, subject, 0) != 0) {
        fprintf(stderr, "pubsub: %s\n", p->error);
        return 1;
    }
    printf("Listening on \"%s\" (Ctrl-C to stop)\n", subject);
    fflush(stdout);
    int count = 0;
    while (!stop_requested) {
        char got_subject[256], body[4096];
        int rc = pubsub_receive(p, got_subject, sizeof got_subject, body, sizeof body, 200);
        if (rc == 1) {
            printf("[%s] %s\n", got_subject, body);
            fflush(stdout);
            count++;
        } else if (rc < 0) {
            fprintf(stderr, "pubsub: %s\n", p->error); /* a slow consumer: go on */
        }
    }
    printf("Stopped after %d message(s)\n", count);
    return 0;
}

int main(int argc, char **argv)
{
    bool publish = argc == 4 && strcmp(argv[1], "pub") == 0;
    bool subscribe = argc == 3 && strcmp(argv[1], "sub") == 0;
    if (!publish && !subscribe)
        return usage();
    const char *url = getenv("NATS_URL");
    if (!url || !*url)
        url = "nats://127.0.0.1:4222";

    struct pubsub p;
    int rc = 1;
    if (pubsub_open(&p, url) != 0) {
        fprintf(stderr, "pubsub: %s\n", p.error);
    } else if (publish) {
        if (pubsub_publish(&p, argv[2], argv[3], 2000) == 0) {
            printf("Published on \"%s\": \"%s\" (the server has it)\n", argv[2], argv[3]);
            rc = 0;
        } else {
            fprintf(stderr, "pubsub: %s\n", p.error);
        }
    } else {
        rc = subscribe_and_print(&p, argv[2]);
    }
    pubsub_close(&p);
    nats_Close(); /* libnats's threads and global state */
    return rc;
}

/*
 * queue_worker_main.c - one member of a queue group: prints the messages it
 * gets, and drains on Ctrl-C (SIGINT) or SIGTERM so none it received is lost.
 *
 *   NATS_URL=nats://127.0.0.1:4222 build/bin/05_nats/queue_worker jobs.resize resizers
 *
 * Start it two or three times in separate terminals, then publish a few
 * messages (build/bin/05_nats/pubsub pub jobs.resize 'image 1'): each goes to
 * exactly one of the workers.
 *
 * Uses queue_group.c (your exercise).
 */
#include "queue_group.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void print_job(const char *body, size_t len, void *user)
{
    (void)user;
    printf("got \"%.*s\"\n", (int)len, body);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: queue_worker SUBJECT GROUP   (server: NATS_URL)\n");
        return 2;
    }
    const char *url = getenv("NATS_URL");
    if (!url || !*url)
        url = "nats://127.0.0.1:4222";
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
        perror("queue_worker: sigaction");
        return 1;
    }

    natsConnection *nc = NULL;
    char err[512] = "";
    int rc = 1;
    if (nats_link_connect(&nc, url, 2000, err, sizeof err) != 0) {
        fprintf(stderr, "queue_worker: %s\n", err);
    } else {
        struct qworker_options opt = {
            .subject = argv[1], .group = argv[2], .stop = &stop_requested};
        printf("Worker in group \"%s\" on \"%s\" (Ctrl-C drains and stops)\n", argv[2], argv[1]);
        fflush(stdout);
        int handled = qworker_run(nc, &opt, print_job, NULL, err, sizeof err);
        if (handled < 0) {
            fprintf(stderr, "queue_worker: %s\n", err);
        } else {
            printf("Drained and stopped after %d message(s)\n", handled);
            rc = 0;
        }
    }
    natsConnection_Destroy(nc);
    nats_Close();
    return rc;
}

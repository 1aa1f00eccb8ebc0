/*
 * stream_worker_main.c - JetStream from the command line: publish with a
 * message id, or work through a stream with a durable pull consumer until
 * Ctrl-C (SIGINT) or SIGTERM.
 *
 *   export NATS_URL=nats://127.0.0.1:4222
 *   build/bin/05_nats/stream_worker work ORDERS 'orders.>' billing
 *   build/bin/05_nats/stream_worker pub orders.new order-1 'one book'
 *   build/bin/05_nats/stream_worker pub orders.new order-1 'one book'   (a duplicate)
 *
 * Stop the worker, publish more, start it again with the same durable name:
 * it goes on after the last message it acknowledged. Restart the server
 * (scripts/broker-nats.sh restart) in between: nothing is lost.
 *
 * Uses jetstream.c (your exercise).
 */
#include "jetstream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int print_message(const char *msg_id, const char *data, size_t len, int delivery, void *user)
{
    (void)user;
    printf("[%s] \"%.*s\"%s\n", *msg_id ? msg_id : "no id", (int)len, data,
           delivery > 1 ? " (redelivered)" : "");
    fflush(stdout);
    return 0;
}

static int work(natsConnection *nc, const char *stream, const char *subjects, const char *durable)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
        perror("stream_worker: sigaction");
        return 1;
    }
    char err[512] = "";
    if (stream_create(nc, stream, subjects, err, sizeof err) != 0) {
        fprintf(stderr, "stream_worker: %s\n", err);
        return 1;
    }
    struct stream_work_options opt = {
        .stream = stream, .durable = durable, .max_deliver = 5, .stop = &stop_requested};
    printf("Consumer \"%s\" on stream \"%s\" (%s); Ctrl-C to stop\n", durable, stream, subjects);
    fflush(stdout);
    int acked = stream_work(nc, &opt, print_message, NULL, err, sizeof err);
    if (acked < 0) {
        fprintf(stderr, "stream_worker: %s\n", err);
        return 1;
    }
    printf("Stopped after %d acknowledged message(s)\n", acked);
    return 0;
}

int main(int argc, char **argv)
{
    bool publish = argc == 5 && strcmp(argv[1], "pub") == 0;
    bool working = argc == 5 && strcmp(argv[1], "work") == 0;
    if (!publish && !working) {
        fprintf(stderr, "usage: stream_worker pub SUBJECT MSG_ID TEXT\n"
                        "       stream_worker work STREAM SUBJECTS DURABLE   (server: NATS_URL)\n");
        return 2;
    }
    const char *url = getenv("NATS_URL");
    if (!url || !*url)
        url = "nats://127.0.0.1:4222";

    natsConnection *nc = NULL;
    char err[512] = "";
    int rc = 1;
    if (nats_link_connect(&nc, url, 2000, err, sizeof err) != 0) {
        fprintf(stderr, "stream_worker: %s\n", err);
    } else if (publish) {
        uint64_t seq = 0;
        bool duplicate = false;
        if (stream_publish(nc, argv[2], argv[3], argv[4], 5000, &seq, &duplicate, err,
                           sizeof err) == 0) {
            printf("Stored as message %llu of its stream%s\n", (unsigned long long)seq,
                   duplicate ? " (a duplicate: the stream had this id already)" : "");
            rc = 0;
        } else {
            fprintf(stderr, "stream_worker: %s\n", err);
        }
    } else {
        rc = work(nc, argv[2], argv[3], argv[4]);
    }
    natsConnection_Destroy(nc);
    nats_Close();
    return rc;
}

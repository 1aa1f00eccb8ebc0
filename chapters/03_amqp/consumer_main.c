/*
 * consumer_main.c - the document's consumer: print every message of the
 * durable queue "inbox", acking each one after it was printed. Stops cleanly
 * on Ctrl-C (SIGINT) or SIGTERM.
 *
 *   AMQP_ADDR=amqp://guest:guest@127.0.0.1:5672/%2f build/bin/03_amqp/consumer
 *   amqp-publish --url="$AMQP_ADDR" -r inbox -p -b 'Hello, world!'   (another terminal)
 *
 * Not "hello": consumer_declare gives its queue dead-letter arguments, and a
 * queue must be declared with the same arguments by everyone (else the broker
 * answers 406 PRECONDITION_FAILED) - producer_main declares "hello" without.
 *
 * Uses consumer.c (your exercise).
 */
#include "consumer.h"

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

static int print_message(const amqp_envelope_t *envelope, void *user)
{
    (void)user;
    printf("Received: \"%.*s\"%s\n", (int)envelope->message.body.len,
           (const char *)envelope->message.body.bytes,
           envelope->redelivered ? " (redelivered)" : "");
    fflush(stdout);
    return 0;
}

int main(void)
{
    const char *url = getenv("AMQP_ADDR");
    if (!url || !*url)
        url = "amqp://guest:guest@127.0.0.1:5672/%2f";

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
        perror("consumer: sigaction");
        return 1;
    }

    struct consumer_options opt = {.queue = "inbox", .stop = &stop_requested};
    char err[512] = "";
    printf("Waiting for messages on queue \"inbox\" (Ctrl-C to stop)\n");
    fflush(stdout);
    int handled = consumer_run(url, &opt, print_message, NULL, err, sizeof err);
    if (handled < 0) {
        fprintf(stderr, "consumer: %s\n", err);
        return 1;
    }
    printf("Stopped after %d message(s)\n", handled);
    return 0;
}

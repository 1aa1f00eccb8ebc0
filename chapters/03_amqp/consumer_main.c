/*
 * consumer_main.c - the document's consumer: print every message of a queue,
 * acking each one after it was printed. Stops cleanly on Ctrl-C (SIGINT) or
 * SIGTERM.
 *
 *   AMQP_ADDR=amqp://guest:guest@127.0.0.1:5672/%2f build/bin/03_amqp/consumer
 *       reads the durable queue "inbox", with its dead-letter queue
 *       (consumer_declare); feed it from another terminal with
 *       amqp-publish --url="$AMQP_ADDR" -r inbox -p -b 'Hello, world!'
 *   build/bin/03_amqp/consumer --document
 *       reads "hello" declared the way the document's Rust programs do (not
 *       durable, no arguments), so it takes what the document's producer
 *       sends; consumer_declare's durable queue with dead-letter arguments
 *       would make the broker refuse one side with 406 PRECONDITION_FAILED
 *   build/bin/03_amqp/consumer --queue NAME    another queue
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

static int usage(const char *program)
{
    fprintf(stderr, "usage: %s [--document] [--queue NAME]\n", program);
    return 2;
}

/* --document: declare the queue as the document's programs do, so that our
 * consumer can start first and the document's producer still finds it as
 * it expects. */
static int declare_like_document(const char *url, const char *queue)
{
    struct amqp_link link;
    int rc = amqp_link_open(&link, url, 5000);
    if (rc == 0)
        rc = amqp_link_declare_like_document(&link, queue);
    if (rc != 0)
        fprintf(stderr, "consumer: %s\n", link.error);
    amqp_link_close(&link);
    return rc;
}

int main(int argc, char *argv[])
{
    struct consumer_options opt = {.stop = &stop_requested};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--document") == 0)
            opt.existing_queue = true;
        else if (strcmp(argv[i], "--queue") == 0 && i + 1 < argc)
            opt.queue = argv[++i];
        else
            return usage(argv[0]);
    }
    if (!opt.queue)
        opt.queue = opt.existing_queue ? "hello" : "inbox";
    const char *url = getenv("AMQP_ADDR");
    if (!url || !*url)
        url = "amqp://guest:guest@127.0.0.1:5672/%2f";
    if (opt.existing_queue && declare_like_document(url, opt.queue) != 0)
        return 1;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
        perror("consumer: sigaction");
        return 1;
    }

    char err[512] = "";
    printf("Waiting for messages on queue \"%s\" (Ctrl-C to stop)\n", opt.queue);
    fflush(stdout);
    int handled = consumer_run(url, &opt, print_message, NULL, err, sizeof err);
    if (handled < 0) {
        fprintf(stderr, "consumer: %s\n", err);
        if (strstr(err, "PRECONDITION_FAILED"))
            fprintf(stderr,
                    "consumer: queue \"%s\" exists with other properties than ours; "
                    "declared by the document's programs? try --document\n",
                    opt.queue);
        return 1;
    }
    printf("Stopped after %d message(s)\n", handled);
    return 0;
}

/*
 * producer_main.c - the document's producer, made reliable: declare the
 * queue "hello" and publish "Hello, world!" as a persistent message, then wait
 * for the broker's confirm.
 *
 *   AMQP_ADDR=amqp://guest:guest@127.0.0.1:5672/%2f build/bin/03_amqp/producer
 *       declares "hello" durable (producer_send, your exercise)
 *   build/bin/03_amqp/producer --document
 *       declares "hello" the way the document's Rust programs do (not
 *       durable), so that the document's consumer can read the message; without
 *       the flag that consumer's own declare of "hello" fails with
 *       406 PRECONDITION_FAILED (see the lesson)
 *   build/bin/03_amqp/producer --queue NAME    another queue
 *
 * Uses producer.c (your exercise).
 */
#include "producer.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(const char *program)
{
    fprintf(stderr, "usage: %s [--document] [--queue NAME]\n", program);
    return 2;
}

/* The --document way: our confirmed, persistent publish, on a queue declared
 * exactly as the document's programs declare it. */
static int send_like_document(const char *url, const char *queue, const char *text, char *err,
                              size_t errlen)
{
    struct producer p;
    int rc = -1;
    if (producer_open(&p, url) == 0 && amqp_link_declare_like_document(&p.link, queue) == 0 &&
        producer_publish(&p, "", queue, text, strlen(text)) == 0)
        rc = 0;
    if (rc != 0)
        amqp_link_copy_error(&p.link, err, errlen);
    producer_close(&p);
    return rc;
}

int main(int argc, char *argv[])
{
    const char *queue = "hello";
    bool document = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--document") == 0)
            document = true;
        else if (strcmp(argv[i], "--queue") == 0 && i + 1 < argc)
            queue = argv[++i];
        else
            return usage(argv[0]);
    }
    const char *url = getenv("AMQP_ADDR");
    if (!url || !*url)
        url = "amqp://guest:guest@127.0.0.1:5672/%2f";

    const char *text = "Hello, world!";
    char err[512] = "";
    int rc = document ? send_like_document(url, queue, text, err, sizeof err)
                      : producer_send(url, queue, text, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "producer: %s\n", err);
        if (strstr(err, "PRECONDITION_FAILED"))
            fprintf(stderr, "producer: queue \"%s\" exists with other properties; %s\n", queue,
                    document ? "it was declared durable (by producer without --document?)"
                             : "was it declared by the document's programs? try --document");
        return 1;
    }
    printf("Sent: \"%s\" to queue \"%s\" (confirmed by the broker)\n", text, queue);
    return 0;
}

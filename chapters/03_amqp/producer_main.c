/*
 * producer_main.c - the document's producer, made reliable: declare the
 * durable queue "hello" and publish "Hello, world!" as a persistent message,
 * then wait for the broker's confirm.
 *
 *   AMQP_ADDR=amqp://guest:guest@127.0.0.1:5672/%2f build/bin/03_amqp/producer
 *
 * Uses producer.c (your exercise).
 */
#include "producer.h"

#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    const char *url = getenv("AMQP_ADDR");
    if (!url || !*url)
        url = "amqp://guest:guest@127.0.0.1:5672/%2f";

    char err[512] = "";
    if (producer_send(url, "hello", "Hello, world!", err, sizeof err) != 0) {
        fprintf(stderr, "producer: %s\n", err);
        return 1;
    }
    printf("Sent: \"Hello, world!\" (confirmed by the broker)\n");
    return 0;
}

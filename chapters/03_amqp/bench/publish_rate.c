/*
 * publish_rate.c - how fast can we publish with publisher confirms?
 *
 * Publishes N persistent messages of SIZE bytes to a fresh durable queue two
 * ways and prints messages per second:
 *   - "confirm each": publish one, wait for its ack (what producer_publish
 *     does) - one network round trip per message;
 *   - "confirm batch": publish all, then wait for the acks (the broker may
 *     ack many at once with multiple = 1).
 *
 *   AMQP_ADDR=... build/bin/03_amqp/publish_rate [N [SIZE]]   (default 10000 x 100 B)
 */
#include "amqp_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads frames until every tag up to `last` is acked. -1 on nack or error. */
static int wait_acks(struct amqp_link *link, uint64_t last)
{
    uint64_t acked = 0;
    while (acked < last) {
        amqp_frame_t frame;
        struct timeval tv = {.tv_sec = 10, .tv_usec = 0};
        int rc = amqp_simple_wait_frame_noblock(link->conn, &frame, &tv);
        if (rc != AMQP_STATUS_OK) {
            fprintf(stderr, "publish_rate: waiting for acks: %s\n", amqp_error_string2(rc));
            return -1;
        }
        if (frame.frame_type != AMQP_FRAME_METHOD)
            continue;
        if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
            amqp_basic_ack_t *ack = frame.payload.method.decoded;
            if (ack->delivery_tag > acked)
                acked = ack->delivery_tag; /* multiple or single: all up to it are done */
        } else if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
            fprintf(stderr, "publish_rate: broker nacked a message\n");
            return -1;
        }
    }
    return 0;
}

static int run(const char *url, const char *queue, int n, size_t size, int batch)
{
    struct amqp_link link;
    if (amqp_link_open(&link, url, 5000) != 0) {
        fprintf(stderr, "publish_rate: %s\n", link.error);
        return -1;
    }
    int result = -1;
    char *body = malloc(size);
    if (!body) {
        fprintf(stderr, "publish_rate: malloc failed\n");
        goto out;
    }
    memset(body, 'x', size);
    amqp_queue_declare(link.conn, AMQP_LINK_CHANNEL, amqp_cstring_bytes(queue), 0, 1, 0, 0,
                       amqp_empty_table);
    if (amqp_link_check(&link, amqp_get_rpc_reply(link.conn), "queue.declare") != 0)
        goto out;
    amqp_confirm_select(link.conn, AMQP_LINK_CHANNEL);
    if (amqp_link_check(&link, amqp_get_rpc_reply(link.conn), "confirm.select") != 0)
        goto out;

    amqp_basic_properties_t props = {._flags = AMQP_BASIC_DELIVERY_MODE_FLAG,
                                     .delivery_mode = AMQP_DELIVERY_PERSISTENT};
    amqp_bytes_t payload = {.len = size, .bytes = body};
    double start = now_s();
    for (int i = 1; i <= n; i++) {
        int rc = amqp_basic_publish(link.conn, AMQP_LINK_CHANNEL, amqp_empty_bytes,
                                    amqp_cstring_bytes(queue), 0, 0, &props, payload);
        if (rc != AMQP_STATUS_OK) {
            amqp_link_fail(&link, "amqp_basic_publish: %s", amqp_error_string2(rc));
            goto out;
        }
        if (!batch && wait_acks(&link, (uint64_t)i) != 0)
            goto out;
    }
    if (batch && wait_acks(&link, (uint64_t)n) != 0)
        goto out;
    double took = now_s() - start;
    printf("%-14s %d x %zu B: %.2f s, %.0f msg/s\n", batch ? "confirm batch" : "confirm each", n,
           size, took, n / took);
    amqp_queue_delete(link.conn, AMQP_LINK_CHANNEL, amqp_cstring_bytes(queue), 0, 0);
    result = 0;
out:
    if (result != 0 && link.error[0])
        fprintf(stderr, "publish_rate: %s\n", link.error);
    free(body);
    amqp_link_close(&link);
    return result;
}

int main(int argc, char *argv[])
{
    const char *url = getenv("AMQP_ADDR");
    if (!url || !*url)
        url = "amqp://guest:guest@127.0.0.1:5672/%2f";
    int n = argc > 1 ? atoi(argv[1]) : 10000;
    size_t size = argc > 2 ? (size_t)atoi(argv[2]) : 100;
    if (n <= 0 || size == 0) {
        fprintf(stderr, "usage: %s [COUNT [SIZE]]\n", argv[0]);
        return 2;
    }
    char queue[64];
    snprintf(queue, sizeof queue, "wb-bench-%ld", (long)time(NULL));
    if (run(url, queue, n, size, 0) != 0 || run(url, queue, n, size, 1) != 0)
        return 1;
    return 0;
}

/*
 * xadd_rate.c - how many acknowledged XADDs per second does a server give,
 * one at a time from one client, under its current appendfsync setting?
 *
 * Each XADD waits for its reply before the next is sent, as a producer that
 * wants to know its entry is kept must. With appendfsync always the server
 * fsyncs its append-only file before every reply; with everysec once a
 * second. chapters/06_redis/bench/fsync_cost.sh runs this against a private
 * server in both modes.
 *
 *   REDIS_URL=redis://127.0.0.1:PORT build/bin/06_redis/xadd_rate [N [SIZE]]   (default 2000 x 100 B)
 */
#include "redis_link.h"

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

/* CONFIG GET name into value ("?" when the server does not say). */
static void config_value(struct redis_link *link, const char *name, char *value, size_t cap)
{
    redisReply *r = redisCommand(link->ctx, "CONFIG GET %s", name);
    if (redis_link_check(link, r, "CONFIG GET") == 0 &&
        redis_link_expect(link, r, REDIS_REPLY_ARRAY, 2, "CONFIG GET") == 0 &&
        r->element[1]->type == REDIS_REPLY_STRING)
        snprintf(value, cap, "%s", r->element[1]->str);
    else
        snprintf(value, cap, "?");
    freeReplyObject(r);
}

int main(int argc, char **argv)
{
    const char *url = getenv("REDIS_URL");
    if (!url || !*url)
        url = "redis://127.0.0.1:6379";
    long n = argc > 1 ? atol(argv[1]) : 2000;
    long size = argc > 2 ? atol(argv[2]) : 100;
    if (n <= 0 || size <= 0 || size > 1000000) {
        fprintf(stderr, "usage: %s [N [SIZE]]   (N entries of SIZE bytes; server: $REDIS_URL)\n",
                argv[0]);
        return 2;
    }
    struct redis_link link;
    if (redis_link_open(&link, url, 5000) != 0) {
        fprintf(stderr, "xadd_rate: %s\n", link.error);
        return 1;
    }
    char appendonly[32], appendfsync[32], stream[64];
    config_value(&link, "appendonly", appendonly, sizeof appendonly);
    config_value(&link, "appendfsync", appendfsync, sizeof appendfsync);
    snprintf(stream, sizeof stream, "xadd-rate-%ld", (long)time(NULL));
    char *payload = malloc((size_t)size);
    if (!payload) {
        fprintf(stderr, "xadd_rate: out of memory\n");
        redis_link_close(&link);
        return 1;
    }
    memset(payload, 'x', (size_t)size);

    double start = now_s();
    int rc = 0;
    for (long i = 0; i < n && rc == 0; i++) {
        redisReply *r = redisCommand(link.ctx, "XADD %s * data %b", stream, payload, (size_t)size);
        rc = redis_link_check(&link, r, "XADD");
        freeReplyObject(r);
    }
    double seconds = now_s() - start;
    if (rc == 0)
        printf("appendonly %-3s appendfsync %-8s %7.0f XADD/s  (%ld x %ld B, one at a time, "
               "%.2f ms each)\n",
               appendonly, appendfsync, n / seconds, n, size, seconds * 1000 / n);
    else
        fprintf(stderr, "xadd_rate: %s\n", link.error);
    freeReplyObject(redisCommand(link.ctx, "DEL %s", stream));
    free(payload);
    redis_link_close(&link);
    return rc == 0 ? 0 : 1;
}

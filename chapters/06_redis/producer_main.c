/*
 * producer_main.c - append events to the stream "events", kept to about 1000
 * entries, one per line of standard input (or N numbered ones), and print
 * each new entry's id.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 build/bin/06_redis/stream_producer 5
 *   echo "order 17 paid" | build/bin/06_redis/stream_producer
 *   redis-cli -u "$REDIS_URL" XRANGE events - +                         (look at them)
 *
 * Uses streams.c (your exercise).
 */
#include "streams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STREAM "events"
#define MAXLEN 1000

static int add(struct redis_link *link, const char *text)
{
    char id[64];
    if (stream_add(link, STREAM, MAXLEN, text, strlen(text), id, sizeof id) != 0) {
        fprintf(stderr, "stream_producer: %s\n", link->error);
        return -1;
    }
    printf("%s %s\n", id, text);
    return 0;
}

int main(int argc, char **argv)
{
    const char *url = getenv("REDIS_URL");
    if (!url || !*url)
        url = "redis://127.0.0.1:6379";
    if (argc > 2 || (argc == 2 && atoi(argv[1]) <= 0)) {
        fprintf(stderr, "usage: %s [N]   (N numbered events, else one per line of stdin)\n",
                argv[0]);
        return 2;
    }
    struct redis_link link;
    if (redis_link_open(&link, url, 5000) != 0) {
        fprintf(stderr, "stream_producer: %s\n", link.error);
        return 1;
    }
    int rc = 0;
    if (argc == 2) {
        for (int i = 1; rc == 0 && i <= atoi(argv[1]); i++) {
            char text[64];
            snprintf(text, sizeof text, "event %d", i);
            rc = add(&link, text);
        }
    } else {
        char line[4096];
        while (rc == 0 && fgets(line, sizeof line, stdin)) {
            line[strcspn(line, "\n")] = '\0';
            rc = add(&link, line);
        }
    }
    redis_link_close(&link);
    return rc == 0 ? 0 : 1;
}

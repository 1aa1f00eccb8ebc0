/*
 * pubsub_main.c - Redis Pub/Sub from the command line: subscribe to a channel
 * and print what arrives, or publish one message and say how many
 * subscribers got it. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 build/bin/06_redis/pubsub sub news
 *   REDIS_URL=redis://127.0.0.1:6379 build/bin/06_redis/pubsub pub news "Hello"   (another terminal)
 *
 * Stop the subscriber, publish, start it again: the message published
 * meanwhile never arrives. Uses pubsub.c (your exercise).
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

static int subscribe(const char *url, const char *channel)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
        perror("pubsub: sigaction");
        return 1;
    }
    struct subscriber sub;
    if (subscriber_open(&sub, url, channel) != 0) {
        fprintf(stderr, "pubsub: %s\n", sub.link.error);
        subscriber_close(&sub);
        return 1;
    }
    printf("Subscribed to \"%s\" (Ctrl-C to stop)\n", channel);
    fflush(stdout);
    int rc = 0;
    while (!stop_requested) {
        char buf[4096];
        size_t len = 0;
        int got = subscriber_next(&sub, buf, sizeof buf, &len, 200); /* short: notice Ctrl-C */
        if (got < 0) {
            fprintf(stderr, "pubsub: %s\n", sub.link.error);
            rc = 1;
            break;
        }
        if (got == 1) {
            printf("Received: \"%.*s\"\n", (int)(len < sizeof buf ? len : sizeof buf), buf);
            fflush(stdout);
        }
    }
    subscriber_close(&sub);
    return rc;
}

static int publish(const char *url, const char *channel, const char *text)
{
    struct redis_link link;
    if (redis_link_open(&link, url, 5000) != 0) {
        fprintf(stderr, "pubsub: %s\n", link.error);
        return 1;
    }
    long receivers = publish_message(&link, channel, text, strlen(text));
    if (receivers < 0)
        fprintf(stderr, "pubsub: %s\n", link.error);
    else
        printf("Published to \"%s\": %ld subscriber(s) received it%s\n", channel, receivers,
               receivers == 0 ? " - nobody was listening, the message is gone" : "");
    redis_link_close(&link);
    return receivers < 0;
}

int main(int argc, char **argv)
{
    const char *url = getenv("REDIS_URL");
    if (!url || !*url)
        url = "redis://127.0.0.1:6379";
    if (argc == 3 && strcmp(argv[1], "sub") == 0)
        return subscribe(url, argv[2]);
    if (argc == 4 && strcmp(argv[1], "pub") == 0)
        return publish(url, argv[2], argv[3]);
    fprintf(stderr, "usage: %s sub CHANNEL | pub CHANNEL MESSAGE   (server: $REDIS_URL)\n",
            argv[0]);
    return 2;
}

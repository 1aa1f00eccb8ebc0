/*
 * consumer_main.c - the lesson's consumer as a program.
 *
 * Joins the group example_group, subscribes to test-topic (or argv[1]) on
 * KAFKA_BROKERS (default localhost:9092) and prints each message, committing
 * it after printing, until Ctrl-C or SIGTERM; then leaves the group cleanly.
 */
#include "consumer.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int print_message(const struct consumed_message *msg, void *arg)
{
    (void)arg;
    printf("%s [%d] offset %lld: key=%.*s value=%.*s\n", msg->topic, (int)msg->partition,
           (long long)msg->offset, (int)msg->key_len, msg->key ? msg->key : "", (int)msg->value_len,
           msg->value ? msg->value : "");
    fflush(stdout);
    return 0;
}

int main(int argc, char *argv[])
{
    const char *brokers = getenv("KAFKA_BROKERS");
    const char *topic = argc > 1 ? argv[1] : "test-topic";
    char errbuf[512];
    if (!brokers || !*brokers)
        brokers = "localhost:9092";

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
        perror("sigaction");
        return 1;
    }

    struct kafka_consumer *c =
        consumer_create(brokers, "example_group", topic, errbuf, sizeof errbuf);
    if (!c) {
        fprintf(stderr, "consumer: %s\n", errbuf);
        return 1;
    }
    fprintf(stderr, "consuming %s on %s in group example_group; Ctrl-C to stop\n", topic, brokers);
    int rc = 0;
    /* Short runs, so the stop flag is looked at every half second. */
    while (!stop) {
        if (consumer_run(c, 100, 500, print_message, NULL) < 0) {
            rc = 1;
            break;
        }
    }
    if (consumer_close(c) != 0)
        rc = 1;
    return rc;
}

/*
 * consumer.c - a consumer-group member that commits after handling.
 *
 * Shows: the settings of a group consumer (group.id, manual commits, where
 * to start without a committed offset, group timings), rd_kafka_subscribe,
 * the rd_kafka_consumer_poll loop, telling messages from events, a
 * synchronous commit of each handled message, and rd_kafka_consumer_close.
 */
#include "consumer.h"
#include "kafka_conf.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct kafka_consumer {
    rd_kafka_t *rk;
};

/* Milliseconds from a monotonic clock, for the run's deadline. */
static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct kafka_consumer *consumer_create(const char *brokers, const char *group_id, const char *topic,
                                       char *errbuf, size_t errlen)
{
    // TODO: configure the group consumer (bootstrap.servers, group.id,
    // enable.auto.commit=false, auto.offset.reset=earliest, session.timeout.ms=3000,
    // heartbeat.interval.ms=500), create it, redirect rd_kafka_poll_set_consumer, subscribe.
    (void)brokers;
    (void)group_id;
    (void)topic;
    snprintf(errbuf, errlen, "consumer_create is not written yet");
    return NULL;
}

// TODO: a helper that rewinds the consumer to a message the handler refused
// (rd_kafka_seek_partitions), so that it is fetched again instead of the messages after it.

int consumer_run(struct kafka_consumer *c, int max_messages, int timeout_ms, message_handler handle,
                 void *arg)
{
    // TODO: poll until max_messages handled or the deadline; hand each message
    // to handle(); commit it (rd_kafka_commit_message, synchronous) only when handle returned 0;
    // when it refused the message, rewind to it and stop.
    (void)c;
    (void)max_messages;
    (void)timeout_ms;
    (void)handle;
    (void)arg;
    (void)now_ms;
    return -1;
}

int consumer_close(struct kafka_consumer *c)
{
    // TODO: leave the group with rd_kafka_consumer_close, then destroy and free.
    (void)c;
    return 0;
}

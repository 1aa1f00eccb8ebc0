/* mistake: leaves enable.auto.commit at its default (on): the refused message is committed on close
 * rule: "librdkafka's default auto-commit commits in the background on a timer, which is neither, so we turn it off and call `rd_kafka_commit_message()` after each handled message."
 * caught-by: unhandled_message_is_read_again
 */
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
    // enable.auto.commit=false, auto.offset.reset=earliest, session.timeout.ms=3000,
    // heartbeat.interval.ms=500), create it, redirect rd_kafka_poll_set_consumer, subscribe.
    struct kafka_consumer *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!kafka_conf_set(conf, "bootstrap.servers", brokers, errbuf, errlen) ||
        !kafka_conf_set(conf, "group.id", group_id, errbuf, errlen) ||
        /* We commit ourselves, after handling: at-least-once. */

        /* No committed offset yet: start from the oldest message. */
        !kafka_conf_set(conf, "auto.offset.reset", "earliest", errbuf, errlen) ||
        /* Short group timings: quick joins and rebalances (a real cluster's
         * group.min.session.timeout.ms must allow 3000). */
        !kafka_conf_set(conf, "session.timeout.ms", "3000", errbuf, errlen) ||
        !kafka_conf_set(conf, "heartbeat.interval.ms", "500", errbuf, errlen) ||
        /* Answer an empty fetch after 10 ms instead of 500. */
        !kafka_conf_set(conf, "fetch.wait.max.ms", "10", errbuf, errlen)) {
        rd_kafka_conf_destroy(conf);
        free(c);
        return NULL;
    }
    c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errbuf, errlen);
    if (!c->rk) {
        rd_kafka_conf_destroy(conf);
        free(c);
        return NULL;
    }
    /* Serve everything (messages, errors, rebalances) from consumer_poll. */
    rd_kafka_poll_set_consumer(c->rk);

    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(c->rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) {
        snprintf(errbuf, errlen, "rd_kafka_subscribe(%s): %s", topic, rd_kafka_err2str(err));
        rd_kafka_destroy(c->rk);
        free(c);
        return NULL;
    }
    return c;
}

// (rd_kafka_seek_partitions), so that it is fetched again instead of the messages after it.
/* Points the consumer's fetch position of m's partition back at m. Without
 * this, the messages already fetched after m would be handed out next, and
 * their commits would move the group's offset past m: m would be lost. */
static int seek_back(rd_kafka_t *rk, const rd_kafka_message_t *m)
{
    rd_kafka_topic_partition_list_t *back = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(back, rd_kafka_topic_name(m->rkt), m->partition)->offset =
        m->offset;
    rd_kafka_error_t *error = rd_kafka_seek_partitions(rk, back, 5000);
    int rc = 0;
    if (error) {
        fprintf(stderr, "consumer: rd_kafka_seek_partitions: %s\n", rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
        rc = -1;
    } else if (back->elems[0].err) {
        fprintf(stderr, "consumer: seeking back to offset %lld: %s\n", (long long)m->offset,
                rd_kafka_err2str(back->elems[0].err));
        rc = -1;
    }
    rd_kafka_topic_partition_list_destroy(back);
    return rc;
}

int consumer_run(struct kafka_consumer *c, int max_messages, int timeout_ms, message_handler handle,
                 void *arg)
{
    // to handle(); commit it (rd_kafka_commit_message, synchronous) only when handle returned 0;
    // when it refused the message, rewind to it and stop.
    int handled = 0;
    long long deadline = now_ms() + timeout_ms;
    while (handled < max_messages) {
        long long left = deadline - now_ms();
        if (left <= 0)
            break;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, left < 100 ? (int)left : 100);
        if (!m)
            continue; /* nothing yet */
        if (m->err) {
            /* Errors arrive as messages too. End of a partition is not a problem. */
            rd_kafka_resp_err_t err = m->err;
            if (err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                fprintf(stderr, "consumer: %s\n", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            if (err == RD_KAFKA_RESP_ERR__PARTITION_EOF || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
                err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
                continue; /* librdkafka reconnects by itself */
            return -1;
        }
        struct consumed_message msg = {
            .topic = rd_kafka_topic_name(m->rkt),
            .partition = m->partition,
            .offset = m->offset,
            .key = m->key,
            .key_len = m->key_len,
            .value = m->payload,
            .value_len = m->len,
        };
        if (handle(&msg, arg) != 0) {
            /* Not handled: don't commit it, and rewind to it, so the next
             * consumer_run on this consumer (or the next owner) reads it again. */
            int rc = seek_back(c->rk, m);
            rd_kafka_message_destroy(m);
            return rc == 0 ? handled : -1;
        }
        /* Commits offset+1 ("next to read") for this partition and waits. */
        rd_kafka_resp_err_t err = rd_kafka_commit_message(c->rk, m, 0);
        rd_kafka_message_destroy(m);
        if (err) {
            fprintf(stderr, "consumer: rd_kafka_commit_message: %s\n", rd_kafka_err2str(err));
            return -1;
        }
        handled++;
    }
    return handled;
}

int consumer_close(struct kafka_consumer *c)
{
    if (!c)
        return 0;
    int rc = 0;
    rd_kafka_resp_err_t err = rd_kafka_consumer_close(c->rk);
    if (err) {
        fprintf(stderr, "consumer: rd_kafka_consumer_close: %s\n", rd_kafka_err2str(err));
        rc = -1;
    }
    rd_kafka_destroy(c->rk);
    free(c);
    return rc;
}

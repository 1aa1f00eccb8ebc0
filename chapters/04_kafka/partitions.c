/*
 * partitions.c - keyed order on the producer side, partition sharing on the
 * consumer side.
 *
 * Shows: an idempotent producer (which keeps each partition's order through
 * retries), a rebalance callback for the cooperative-sticky assignor
 * (incremental assign/unassign, committing before partitions leave) and a
 * poll loop that serves it.
 */
#include "partitions.h"
#include "kafka_conf.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct group_member {
    rd_kafka_t *rk;
    int assigned; /* partitions owned now, kept by the rebalance callback */
};

// TODO: a delivery-report callback that counts the messages delivered
// (the counter comes in through rd_kafka_conf_set_opaque) and prints each failure.

int send_keyed_sequences(const char *brokers, const char *topic, const char *const keys[],
                         int nkeys, int count)
{
    // TODO: an idempotent producer (enable.idempotence=true keeps order on retry);
    // send "<key>-<n>" for each key in order, flush (bounded) and count successful reports.
    (void)brokers;
    (void)topic;
    (void)keys;
    (void)nkeys;
    (void)count;
    return -1;
}

// TODO: the rebalance callback for cooperative-sticky: on assign,
// rd_kafka_incremental_assign; on revoke, commit what was handled, then
// rd_kafka_incremental_unassign; keep the member's partition count up to date.

struct group_member *member_create(const char *brokers, const char *group_id, const char *topic,
                                   char *errbuf, size_t errlen)
{
    // TODO: configure a group consumer like in consumer.c, plus
    // partition.assignment.strategy=cooperative-sticky and the rebalance callback; subscribe.
    (void)brokers;
    (void)group_id;
    (void)topic;
    snprintf(errbuf, errlen, "member_create is not written yet");
    return NULL;
}

// TODO: a helper that rewinds the member to a message its handler refused
// (rd_kafka_seek_partitions), so the next poll hands that message out again.

int member_poll(struct group_member *m, int timeout_ms, message_handler handle, void *arg)
{
    // TODO: one rd_kafka_consumer_poll; hand a message to handle() and commit it
    // synchronously when handle returned 0; rewind to it when handle refused it; skip
    // partition-EOF events.
    (void)m;
    (void)timeout_ms;
    (void)handle;
    (void)arg;
    return -1;
}

int member_assignment_count(const struct group_member *m)
{
    return m ? m->assigned : 0;
}

int member_close(struct group_member *m)
{
    // TODO: rd_kafka_consumer_close (runs the revoke callback), destroy, free.
    (void)m;
    return 0;
}

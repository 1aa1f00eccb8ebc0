/* mistake: commits in batches of ten and lets partitions go without committing the rest
 * rule: "Anything handled but not yet committed must be committed before the unassign in the revoke branch"
 * caught-by: refused_message_is_polled_again
 */
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

// @student-begin: a delivery-report callback that counts the messages delivered
// (the counter comes in through rd_kafka_conf_set_opaque) and prints each failure.
static void count_delivered(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    int *delivered = opaque;
    (void)rk;
    if (msg->err)
        fprintf(stderr, "send_keyed_sequences: delivery failed: %s\n", rd_kafka_err2str(msg->err));
    else
        (*delivered)++;
}
// @student-stub
// @student-end

int send_keyed_sequences(const char *brokers, const char *topic, const char *const keys[],
                         int nkeys, int count)
{
    // @student-begin: an idempotent producer (enable.idempotence=true keeps order on retry);
    // send "<key>-<n>" for each key in order, flush (bounded) and count successful reports.
    char errbuf[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!kafka_conf_set(conf, "bootstrap.servers", brokers, errbuf, sizeof errbuf) ||
        !kafka_conf_set(conf, "enable.idempotence", "true", errbuf, sizeof errbuf) ||
        !kafka_conf_set(conf, "message.timeout.ms", "15000", errbuf, sizeof errbuf)) {
        fprintf(stderr, "send_keyed_sequences: %s\n", errbuf);
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    int delivered = 0;
    rd_kafka_conf_set_dr_msg_cb(conf, count_delivered);
    rd_kafka_conf_set_opaque(conf, &delivered);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf, sizeof errbuf);
    if (!rk) {
        fprintf(stderr, "send_keyed_sequences: rd_kafka_new: %s\n", errbuf);
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    /* Outer loop over n, inner over keys: the keys interleave, yet each
     * key's own messages are queued in order. */
    for (int n = 0; n < count; n++) {
        for (int k = 0; k < nkeys; k++) {
            char value[128];
            snprintf(value, sizeof value, "%s-%d", keys[k], n);
            rd_kafka_resp_err_t err;
            while ((err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                                            RD_KAFKA_V_KEY(keys[k], strlen(keys[k])),
                                            RD_KAFKA_V_VALUE(value, strlen(value)),
                                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                            RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll(rk, 100);
            if (err)
                fprintf(stderr, "send_keyed_sequences: rd_kafka_producev: %s\n",
                        rd_kafka_err2str(err));
            rd_kafka_poll(rk, 0); /* serve delivery reports as we go */
        }
    }
    if (rd_kafka_flush(rk, 20000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        fprintf(stderr, "send_keyed_sequences: rd_kafka_flush: %d undelivered\n",
                rd_kafka_outq_len(rk));
    rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(rk, errbuf, sizeof errbuf);
    rd_kafka_destroy(rk);
    if (fatal) {
        fprintf(stderr, "send_keyed_sequences: fatal producer error: %s\n", errbuf);
        return -1;
    }
    return delivered;
    // @student-stub
    // (void)brokers;
    // (void)topic;
    // (void)keys;
    // (void)nkeys;
    // (void)count;
    // return -1;
    // @student-end
}

// @student-begin: the rebalance callback for cooperative-sticky: on assign,
// rd_kafka_incremental_assign; on revoke, commit what was handled, then
// rd_kafka_incremental_unassign; keep the member's partition count up to date.
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct group_member *m = opaque;
    rd_kafka_error_t *error = NULL;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        error = rd_kafka_incremental_assign(rk, parts);
        if (!error)
            m->assigned += parts->cnt;
    } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        /* Every handled message was committed synchronously in member_poll,
         * so nothing is pending here; a consumer that commits asynchronously
         * or in batches must commit (synchronously) now, before letting go. */
        error = rd_kafka_incremental_unassign(rk, parts);
        if (!error)
            m->assigned -= parts->cnt;
    } else {
        fprintf(stderr, "member: rebalance error: %s\n", rd_kafka_err2str(err));
        error = rd_kafka_incremental_unassign(rk, parts);
        m->assigned = 0;
    }
    if (error) {
        fprintf(stderr, "member: incremental (un)assign: %s\n", rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    }
}
// @student-stub
// @student-end

struct group_member *member_create(const char *brokers, const char *group_id, const char *topic,
                                   char *errbuf, size_t errlen)
{
    // @student-begin: configure a group consumer like in consumer.c, plus
    // partition.assignment.strategy=cooperative-sticky and the rebalance callback; subscribe.
    struct group_member *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!kafka_conf_set(conf, "bootstrap.servers", brokers, errbuf, errlen) ||
        !kafka_conf_set(conf, "group.id", group_id, errbuf, errlen) ||
        !kafka_conf_set(conf, "partition.assignment.strategy", "cooperative-sticky", errbuf,
                        errlen) ||
        !kafka_conf_set(conf, "enable.auto.commit", "false", errbuf, errlen) ||
        !kafka_conf_set(conf, "auto.offset.reset", "earliest", errbuf, errlen) ||
        !kafka_conf_set(conf, "session.timeout.ms", "3000", errbuf, errlen) ||
        !kafka_conf_set(conf, "heartbeat.interval.ms", "500", errbuf, errlen) ||
        !kafka_conf_set(conf, "fetch.wait.max.ms", "10", errbuf, errlen)) {
        rd_kafka_conf_destroy(conf);
        free(m);
        return NULL;
    }
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_opaque(conf, m);
    m->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errbuf, errlen);
    if (!m->rk) {
        rd_kafka_conf_destroy(conf);
        free(m);
        return NULL;
    }
    rd_kafka_poll_set_consumer(m->rk);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(m->rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) {
        snprintf(errbuf, errlen, "rd_kafka_subscribe(%s): %s", topic, rd_kafka_err2str(err));
        rd_kafka_destroy(m->rk);
        free(m);
        return NULL;
    }
    return m;
    // @student-stub
    // (void)brokers;
    // (void)group_id;
    // (void)topic;
    // snprintf(errbuf, errlen, "member_create is not written yet");
    // return NULL;
    // @student-end
}

// @student-begin: a helper that rewinds the member to a message its handler refused
// (rd_kafka_seek_partitions), so the next poll hands that message out again.
/* Points the fetch position of msg's partition back at msg: without it the
 * next poll returns the message after it, whose commit skips msg. */
static int seek_back(rd_kafka_t *rk, const rd_kafka_message_t *msg)
{
    rd_kafka_topic_partition_list_t *back = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(back, rd_kafka_topic_name(msg->rkt), msg->partition)->offset =
        msg->offset;
    rd_kafka_error_t *error = rd_kafka_seek_partitions(rk, back, 5000);
    int rc = 0;
    if (error) {
        fprintf(stderr, "member: rd_kafka_seek_partitions: %s\n", rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
        rc = -1;
    } else if (back->elems[0].err) {
        fprintf(stderr, "member: seeking back to offset %lld: %s\n", (long long)msg->offset,
                rd_kafka_err2str(back->elems[0].err));
        rc = -1;
    }
    rd_kafka_topic_partition_list_destroy(back);
    return rc;
}
// @student-stub
// @student-end

int member_poll(struct group_member *m, int timeout_ms, message_handler handle, void *arg)
{
    // @student-begin: one rd_kafka_consumer_poll; hand a message to handle() and commit it
    // synchronously when handle returned 0; rewind to it when handle refused it; skip
    // partition-EOF events.
    rd_kafka_message_t *msg = rd_kafka_consumer_poll(m->rk, timeout_ms);
    if (!msg)
        return 0;
    if (msg->err) {
        int rc = 0;
        if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            fprintf(stderr, "member: %s\n", rd_kafka_message_errstr(msg));
            /* A lost connection is retried by librdkafka; anything else is ours to report. */
            rc = msg->err == RD_KAFKA_RESP_ERR__TRANSPORT ? 0 : -1;
        }
        rd_kafka_message_destroy(msg);
        return rc;
    }
    struct consumed_message cm = {
        .topic = rd_kafka_topic_name(msg->rkt),
        .partition = msg->partition,
        .offset = msg->offset,
        .key = msg->key,
        .key_len = msg->key_len,
        .value = msg->payload,
        .value_len = msg->len,
    };
    int rc = 1;
    if (handle(&cm, arg) == 0) {
        /* Ten at a time: commits every assigned partition's position. */
        static int handled;
        rd_kafka_resp_err_t err =
            ++handled % 10 == 0 ? rd_kafka_commit(m->rk, NULL, 0) : RD_KAFKA_RESP_ERR_NO_ERROR;
        if (err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
            err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION) {
            /* The group is moving partitions right now. Not fatal: the
             * message stays uncommitted and is read again (at-least-once). */
            fprintf(stderr, "member: commit refused during a rebalance: %s\n",
                    rd_kafka_err2str(err));
        } else if (err) {
            fprintf(stderr, "member: rd_kafka_commit_message: %s\n", rd_kafka_err2str(err));
            rc = -1;
        }
    } else {
        /* Refused: not committed, and rewound to, so the next poll gets it again. */
        rc = seek_back(m->rk, msg);
    }
    rd_kafka_message_destroy(msg);
    return rc;
    // @student-stub
    // (void)m;
    // (void)timeout_ms;
    // (void)handle;
    // (void)arg;
    // return -1;
    // @student-end
}

int member_assignment_count(const struct group_member *m)
{
    return m ? m->assigned : 0;
}

int member_close(struct group_member *m)
{
    // @student-begin: rd_kafka_consumer_close (runs the revoke callback), destroy, free.
    if (!m)
        return 0;
    int rc = 0;
    rd_kafka_resp_err_t err = rd_kafka_consumer_close(m->rk);
    if (err) {
        fprintf(stderr, "member: rd_kafka_consumer_close: %s\n", rd_kafka_err2str(err));
        rc = -1;
    }
    rd_kafka_destroy(m->rk);
    free(m);
    return rc;
    // @student-stub
    // (void)m;
    // return 0;
    // @student-end
}

/*
 * reliable_kafka_standin.c - what the services use for reliable_kafka.h
 * until you reach exercise "kafka_path": the simplest settings that work
 * while nothing fails. The producer keeps librdkafka's defaults (no
 * idempotence); order-core waits until librdkafka has heard back from the
 * broker (rd_kafka_flush) but never looks at what it heard, so an event the
 * broker refused is still answered OK; order-front lets librdkafka commit
 * offsets on a timer, whether or not the order was recorded. The tests of
 * "kafka_path" use your reliable_kafka.c instead.
 *
 * Why wait at all: exercise "scale_out" kills an order-core under load. An
 * event still queued in the killed process's memory would be lost with it,
 * and the test would fail on how fast librdkafka's thread ran, not on the
 * code it grades.
 */
#include "reliable_kafka.h"

#include <stdio.h>
#include <string.h>

#include "kafka_link.h"

rd_kafka_t *kafka_events_producer(rd_kafka_conf_t *conf, char *err, size_t len)
{
    char reason[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, reason, sizeof reason);
    if (!rk) {
        snprintf(err, len, "rd_kafka_new (producer): %s", reason);
        rd_kafka_conf_destroy(conf);
    }
    return rk;
}

int kafka_events_publish(rd_kafka_t *producer, const char *topic, const char *order_id,
                         const char *traceparent, const char *body, char *err, size_t len)
{
    rd_kafka_headers_t *headers = rd_kafka_headers_new(2);
    if (!headers) {
        snprintf(err, len, "rd_kafka_headers_new failed (out of memory)");
        return -1;
    }
    rd_kafka_header_add(headers, "order_id", -1, order_id, -1);
    if (traceparent)
        rd_kafka_header_add(headers, "traceparent", -1, traceparent, -1);
    rd_kafka_resp_err_t rc = rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(order_id, strlen(order_id)),
        RD_KAFKA_V_VALUE((void *)body, strlen(body)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_headers_destroy(headers);
        snprintf(err, len, "rd_kafka_producev to %s: %s", topic, rd_kafka_err2str(rc));
        return -1;
    }
    /* Returns once every queued event has its delivery report, good or bad:
     * order-core publishes one event at a time, so this is ours. */
    rc = rd_kafka_flush(producer, KAFKA_LINK_DELIVERY_TIMEOUT_MS + 1000);
    if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, len, "rd_kafka_flush after producing to %s: %s", topic, rd_kafka_err2str(rc));
        return -1;
    }
    return 0;
}

rd_kafka_t *kafka_events_consumer(rd_kafka_conf_t *conf, const char *group, const char *topic,
                                  char *err, size_t len)
{
    if (!kafka_link_set(conf, "group.id", group, err, len) ||
        !kafka_link_set(conf, "auto.offset.reset", "earliest", err, len)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    char reason[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, reason, sizeof reason);
    if (!rk) {
        snprintf(err, len, "rd_kafka_new (consumer): %s", reason);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t rc = rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, len, "rd_kafka_subscribe(%s): %s", topic, rd_kafka_err2str(rc));
        rd_kafka_destroy(rk);
        return NULL;
    }
    return rk;
}

int kafka_events_commit(rd_kafka_t *consumer, const rd_kafka_message_t *msg, char *err, size_t len)
{
    (void)consumer;
    (void)msg;
    (void)err;
    (void)len;
    return 0; /* enable.auto.commit (the default) commits on a timer instead */
}

/* mistake: the producer leaves enable.idempotence off, so a retried send can be written twice
 * rule: "The producer asks for acks=all and enable.idempotence=true: the leader answers only once every in-sync replica has the event, and a retried send (a lost answer, a reconnect) is not written twice."
 * caught-by: producer_is_idempotent_with_acks_all
 */
/*
 * reliable_kafka.c - exercise "kafka_path": an idempotent acks=all producer
 * whose caller waits for the delivery report, and a consumer that commits
 * only what is recorded (contract in reliable_kafka.h).
 *
 * librdkafka sends in the background and reports each message's fate to the
 * delivery report callback, which runs inside rd_kafka_poll(). So "wait for
 * the report" means: give the message an opaque pointer to a result, then
 * poll until the callback has filled it in.
 */
#include "reliable_kafka.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kafka_link.h"

/* What the delivery report said about one message. */
struct delivery {
    bool done;
    rd_kafka_resp_err_t err;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    (void)rk;
    (void)opaque;
    struct delivery *d = msg->_private; /* the msg_opaque given to rd_kafka_producev */
    if (d) {
        d->err = msg->err;
        d->done = true;
    }
}

rd_kafka_t *kafka_events_producer(rd_kafka_conf_t *conf, char *err, size_t len)
{
    // @student-begin: ask for acks=all and enable.idempotence=true, set on_delivery as the
    // delivery report callback (rd_kafka_conf_set_dr_msg_cb), then make the producer.
    if (!kafka_link_set(conf, "acks", "all", err, len)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char reason[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, reason, sizeof reason);
    if (!rk) {
        snprintf(err, len, "rd_kafka_new (producer): %s", reason);
        rd_kafka_conf_destroy(conf); /* rd_kafka_new takes conf only when it succeeds */
    }
    return rk;
    // @student-stub
    // (void)on_delivery;
    // rd_kafka_conf_destroy(conf);
    // snprintf(err, len, "kafka_events_producer is not written yet");
    // return NULL;
    // @student-end
}

int kafka_events_publish(rd_kafka_t *producer, const char *topic, const char *order_id,
                         const char *traceparent, const char *body, char *err, size_t len)
{
    // @student-begin: produce body to topic with key order_id, headers "order_id" (and
    // "traceparent" when given) and &delivery as the message opaque (RD_KAFKA_V_OPAQUE);
    // then rd_kafka_poll until the report came. 0 only when its err is NO_ERROR.
    struct delivery delivery = {false, RD_KAFKA_RESP_ERR_NO_ERROR};
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
        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(&delivery), RD_KAFKA_V_END);
    if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_headers_destroy(headers); /* owned by the message only on success */
        snprintf(err, len, "rd_kafka_producev to %s: %s", topic, rd_kafka_err2str(rc));
        return -1;
    }
    /* message.timeout.ms bounds this: a report always comes, success or not. */
    while (!delivery.done)
        rd_kafka_poll(producer, 50);
    if (delivery.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, len, "event %s not written to %s: %s", order_id, topic,
                 rd_kafka_err2str(delivery.err));
        return -1;
    }
    return 0;
    // @student-stub
    // (void)producer;
    // (void)topic;
    // (void)order_id;
    // (void)traceparent;
    // (void)body;
    // snprintf(err, len, "kafka_events_publish is not written yet");
    // return -1;
    // @student-end
}

rd_kafka_t *kafka_events_consumer(rd_kafka_conf_t *conf, const char *group, const char *topic,
                                  char *err, size_t len)
{
    // @student-begin: set group.id, enable.auto.commit=false and auto.offset.reset=earliest,
    // make the consumer, send its events to rd_kafka_consumer_poll (rd_kafka_poll_set_consumer)
    // and subscribe it to topic. Destroy what you made when a step fails.
    if (!kafka_link_set(conf, "group.id", group, err, len) ||
        !kafka_link_set(conf, "enable.auto.commit", "false", err, len) ||
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
    // @student-stub
    // (void)group;
    // (void)topic;
    // rd_kafka_conf_destroy(conf);
    // snprintf(err, len, "kafka_events_consumer is not written yet");
    // return NULL;
    // @student-end
}

int kafka_events_commit(rd_kafka_t *consumer, const rd_kafka_message_t *msg, char *err, size_t len)
{
    // @student-begin: commit msg's offset synchronously (rd_kafka_commit_message, async = 0).
    rd_kafka_resp_err_t rc = rd_kafka_commit_message(consumer, msg, 0);
    if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(err, len, "rd_kafka_commit_message: %s", rd_kafka_err2str(rc));
        return -1;
    }
    return 0;
    // @student-stub
    // (void)consumer;
    // (void)msg;
    // snprintf(err, len, "kafka_events_commit is not written yet");
    // return -1;
    // @student-end
}

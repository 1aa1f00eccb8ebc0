/* mistake: producer_flush returns 0 even when rd_kafka_flush timed out
 * rule: "`producer_flush`: `rd_kafka_flush(rk, timeout_ms)` returns `RD_KAFKA_RESP_ERR__TIMED_OUT` when messages remain; `rd_kafka_outq_len` says how many."
 * caught-by: flush_is_bounded
 */
/*
 * producer.c - a librdkafka producer with a delivery-report callback.
 *
 * Shows: the configuration of a producer, rd_kafka_producev() with a key,
 * retrying when the local queue is full, the delivery-report callback that
 * tells success or failure for every single message, and a flush that gives
 * up after a bound instead of waiting forever.
 */
#include "producer.h"
#include "kafka_conf.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kafka_producer {
    rd_kafka_t *rk;
    long delivered;       /* delivery reports without error */
    long failed;          /* delivery reports with an error */
    char last_error[256]; /* text of the last failure */
};

// count each report as delivered or failed, and print every failure with its reason.
/* Called once per message from rd_kafka_poll()/rd_kafka_flush(), on the
 * thread that polls. `opaque` is the struct kafka_producer given to
 * rd_kafka_conf_set_opaque(). */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    struct kafka_producer *p = opaque;
    (void)rk;
    if (msg->err) {
        p->failed++;
        snprintf(p->last_error, sizeof p->last_error, "%s", rd_kafka_err2str(msg->err));
        fprintf(stderr, "producer: delivery to %s failed: %s\n", rd_kafka_topic_name(msg->rkt),
                rd_kafka_err2str(msg->err));
    } else {
        p->delivered++;
    }
}

struct kafka_producer *producer_create(const char *brokers, int delivery_timeout_ms, char *errbuf,
                                       size_t errlen)
{
    // delivery-report callback, and create the producer with rd_kafka_new.
    struct kafka_producer *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    char timeout[32];
    snprintf(timeout, sizeof timeout, "%d", delivery_timeout_ms);

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!kafka_conf_set(conf, "bootstrap.servers", brokers, errbuf, errlen) ||
        !kafka_conf_set(conf, "message.timeout.ms", timeout, errbuf, errlen) ||
        !kafka_conf_set(conf, "linger.ms", "5", errbuf, errlen)) {
        rd_kafka_conf_destroy(conf);
        free(p);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, p);

    /* On success rd_kafka_new takes over conf; on failure it is still ours. */
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf, errlen);
    if (!p->rk) {
        rd_kafka_conf_destroy(conf);
        free(p);
        return NULL;
    }
    return p;
}

int producer_send(struct kafka_producer *p, const char *topic, const char *key, const char *value)
{
    // when the local queue is full, rd_kafka_poll a little and try again.
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
            RD_KAFKA_V_VALUE((void *)value, strlen(value)),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            break;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            fprintf(stderr, "producer: rd_kafka_producev to %s: %s\n", topic,
                    rd_kafka_err2str(err));
            return -1;
        }
        /* The queue is full: serve delivery reports, which frees room. */
        rd_kafka_poll(p->rk, 100);
    }
    /* Serve the delivery reports that are ready, without waiting. */
    rd_kafka_poll(p->rk, 0);
    return 0;
}

int producer_flush(struct kafka_producer *p, int timeout_ms)
{
    rd_kafka_flush(p->rk, timeout_ms);
    return 0;
}

long producer_delivered(const struct kafka_producer *p)
{
    return p ? p->delivered : 0;
}

long producer_failed(const struct kafka_producer *p)
{
    return p ? p->failed : 0;
}

const char *producer_last_error(const struct kafka_producer *p)
{
    return p ? p->last_error : "";
}

void producer_destroy(struct kafka_producer *p)
{
    if (!p)
        return;
    if (p->rk)
        rd_kafka_destroy(p->rk);
    free(p);
}

int send_hello(const char *brokers, const char *topic, int timeout_ms)
{
    // key "key", flush with the bound, and succeed only if it was delivered.
    char errbuf[512];
    struct kafka_producer *p = producer_create(brokers, timeout_ms, errbuf, sizeof errbuf);
    if (!p) {
        fprintf(stderr, "send_hello: %s\n", errbuf);
        return -1;
    }
    int rc = producer_send(p, topic, "key", "Hello, Kafka!");
    if (rc == 0 && producer_flush(p, timeout_ms) != 0)
        rc = -1;
    if (rc == 0 && producer_delivered(p) != 1)
        rc = -1;
    producer_destroy(p);
    return rc;
}

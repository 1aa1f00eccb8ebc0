/* mistake: passes the delivery timeout in seconds to message.timeout.ms (30 ms instead of 30 s)
 * rule: "Retries: librdkafka resends what was not acknowledged until `message.timeout.ms` runs out, so an outage shorter than that costs nothing."
 * caught-by: survives_broker_outage
 */
/*
 * reliable.c - an idempotent (and optionally transactional) producer.
 *
 * Shows: enable.idempotence with acks=all, a delivery timeout long enough
 * to ride out a broker outage, checking rd_kafka_fatal_error, and the
 * transaction calls init / begin / commit / abort with their error kinds.
 */
#include "reliable.h"
#include "kafka_conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reliable_producer {
    rd_kafka_t *rk;
    long sent, delivered, failed;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    struct reliable_producer *p = opaque;
    (void)rk;
    if (msg->err) {
        p->failed++;
        fprintf(stderr, "reliable: delivery failed: %s\n", rd_kafka_err2str(msg->err));
    } else {
        p->delivered++;
    }
}

struct reliable_producer *reliable_create(const char *brokers, const char *transactional_id,
                                          int delivery_timeout_ms, char *errbuf, size_t errlen)
{
    // when given, transactional.id; create the producer; rd_kafka_init_transactions if transactional.
    struct reliable_producer *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    char timeout[32];
    snprintf(timeout, sizeof timeout, "%d", delivery_timeout_ms / 1000);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!kafka_conf_set(conf, "bootstrap.servers", brokers, errbuf, errlen) ||
        /* Broker-side dedup and order: also forces acks=all, retries, max 5 in flight. */
        !kafka_conf_set(conf, "enable.idempotence", "true", errbuf, errlen) ||
        !kafka_conf_set(conf, "acks", "all", errbuf, errlen) ||
        /* Retries go on until this much time has passed for a message. */
        !kafka_conf_set(conf, "message.timeout.ms", timeout, errbuf, errlen) ||
        (transactional_id &&
         !kafka_conf_set(conf, "transactional.id", transactional_id, errbuf, errlen))) {
        rd_kafka_conf_destroy(conf);
        free(p);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, p);
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf, errlen);
    if (!p->rk) {
        rd_kafka_conf_destroy(conf);
        free(p);
        return NULL;
    }
    if (transactional_id) {
        /* Registers the transactional.id and fences older producers using it. */
        rd_kafka_error_t *error = rd_kafka_init_transactions(p->rk, 15000);
        if (error) {
            snprintf(errbuf, errlen, "rd_kafka_init_transactions: %s",
                     rd_kafka_error_string(error));
            rd_kafka_error_destroy(error);
            rd_kafka_destroy(p->rk);
            free(p);
            return NULL;
        }
    }
    return p;
}

rd_kafka_t *reliable_handle(struct reliable_producer *p)
{
    return p ? p->rk : NULL;
}

int reliable_send(struct reliable_producer *p, const char *topic, const char *key,
                  const char *value)
{
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC(topic),
                                    RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
                                    RD_KAFKA_V_VALUE((void *)value, strlen(value)),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL)
        rd_kafka_poll(p->rk, 100);
    if (err) {
        fprintf(stderr, "reliable: rd_kafka_producev: %s\n", rd_kafka_err2str(err));
        return -1;
    }
    p->sent++;
    rd_kafka_poll(p->rk, 0);
    return 0;
}

int reliable_flush(struct reliable_producer *p, int timeout_ms)
{
    // message sent was delivered.
    rd_kafka_resp_err_t err = rd_kafka_flush(p->rk, timeout_ms);
    if (err)
        fprintf(stderr, "reliable: rd_kafka_flush: %s (%d still queued)\n", rd_kafka_err2str(err),
                rd_kafka_outq_len(p->rk));
    char reason[512];
    /* An idempotent producer that can no longer guarantee order or
     * uniqueness stops with a fatal error: it must be recreated. */
    rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(p->rk, reason, sizeof reason);
    if (fatal) {
        fprintf(stderr, "reliable: fatal error: %s: %s\n", rd_kafka_err2name(fatal), reason);
        return -1;
    }
    return err == RD_KAFKA_RESP_ERR_NO_ERROR && p->delivered == p->sent ? 0 : -1;
}

long reliable_delivered(const struct reliable_producer *p)
{
    return p ? p->delivered : 0;
}

long reliable_failed(const struct reliable_producer *p)
{
    return p ? p->failed : 0;
}

int reliable_send_transaction(struct reliable_producer *p, const char *topic,
                              const char *const values[], int n, bool commit)
{
    // rd_kafka_commit_transaction or rd_kafka_abort_transaction (each with a bound).
    rd_kafka_error_t *error = rd_kafka_begin_transaction(p->rk);
    if (error) {
        fprintf(stderr, "reliable: rd_kafka_begin_transaction: %s\n", rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (reliable_send(p, topic, NULL, values[i]) != 0) {
            commit = false; /* never commit half a batch */
            break;
        }
    }
    /* Both calls flush the outstanding messages first. */
    error = commit ? rd_kafka_commit_transaction(p->rk, 15000)
                   : rd_kafka_abort_transaction(p->rk, 15000);
    if (error) {
        fprintf(stderr, "reliable: %s: %s\n",
                commit ? "rd_kafka_commit_transaction" : "rd_kafka_abort_transaction",
                rd_kafka_error_string(error));
        /* A retriable error may be retried; an abortable one needs an abort. */
        if (rd_kafka_error_txn_requires_abort(error)) {
            rd_kafka_error_t *abort_error = rd_kafka_abort_transaction(p->rk, 15000);
            if (abort_error)
                rd_kafka_error_destroy(abort_error);
        }
        rd_kafka_error_destroy(error);
        return -1;
    }
    return 0;
}

void reliable_destroy(struct reliable_producer *p)
{
    if (!p)
        return;
    if (p->rk)
        rd_kafka_destroy(p->rk);
    free(p);
}

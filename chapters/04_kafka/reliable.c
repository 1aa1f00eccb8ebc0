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

// TODO: the delivery-report callback: count delivered and failed, print failures.

struct reliable_producer *reliable_create(const char *brokers, const char *transactional_id,
                                          int delivery_timeout_ms, char *errbuf, size_t errlen)
{
    // TODO: configure enable.idempotence=true, acks=all, message.timeout.ms and,
    // when given, transactional.id; create the producer; rd_kafka_init_transactions if transactional.
    (void)brokers;
    (void)transactional_id;
    (void)delivery_timeout_ms;
    snprintf(errbuf, errlen, "reliable_create is not written yet");
    return NULL;
}

rd_kafka_t *reliable_handle(struct reliable_producer *p)
{
    return p ? p->rk : NULL;
}

int reliable_send(struct reliable_producer *p, const char *topic, const char *key,
                  const char *value)
{
    // TODO: rd_kafka_producev with RD_KAFKA_MSG_F_COPY, polling when the queue is full.
    (void)p;
    (void)topic;
    (void)key;
    (void)value;
    return -1;
}

int reliable_flush(struct reliable_producer *p, int timeout_ms)
{
    // TODO: flush with the bound, then check rd_kafka_fatal_error and that every
    // message sent was delivered.
    (void)p;
    (void)timeout_ms;
    return -1;
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
    // TODO: rd_kafka_begin_transaction, send every value, then
    // rd_kafka_commit_transaction or rd_kafka_abort_transaction (each with a bound).
    (void)p;
    (void)topic;
    (void)values;
    (void)n;
    (void)commit;
    return -1;
}

void reliable_destroy(struct reliable_producer *p)
{
    if (!p)
        return;
    if (p->rk)
        rd_kafka_destroy(p->rk);
    free(p);
}

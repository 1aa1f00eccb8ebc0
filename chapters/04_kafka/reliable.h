/*
 * reliable.h - exercise `reliability`: a producer that neither loses nor
 * duplicates.
 *
 * acks=all makes the leader wait for every in-sync replica before saying
 * "stored"; retries then resend what was not acknowledged; and idempotence
 * (a producer id plus a sequence number per partition) lets the broker drop
 * a resent batch it already has, so retries cannot duplicate or reorder.
 * Transactions go one step further: a batch of messages becomes visible to
 * read_committed consumers all together, or not at all.
 */
#ifndef RELIABLE_H
#define RELIABLE_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>

struct reliable_producer;

/* Creates an idempotent producer (enable.idempotence=true, acks=all) whose
 * messages may take up to delivery_timeout_ms, retries included. With a
 * transactional_id it is also transactional (and initialised for
 * transactions). Returns NULL and a reason in errbuf on error. */
struct reliable_producer *reliable_create(const char *brokers, const char *transactional_id,
                                          int delivery_timeout_ms, char *errbuf, size_t errlen);

/* The librdkafka handle, so tests can read its configuration. */
rd_kafka_t *reliable_handle(struct reliable_producer *p);

/* Queues one message (key may be NULL). 0 when queued, -1 otherwise. */
int reliable_send(struct reliable_producer *p, const char *topic, const char *key,
                  const char *value);

/* Waits at most timeout_ms for all delivery reports. Returns 0 when every
 * message sent so far was acknowledged, -1 when some failed or are still
 * waiting, or when the producer hit a fatal error. */
int reliable_flush(struct reliable_producer *p, int timeout_ms);

long reliable_delivered(const struct reliable_producer *p);
long reliable_failed(const struct reliable_producer *p);

/* Transactional producers only: sends values[0..n) to topic in one
 * transaction, then commits it (commit=true) or aborts it. Returns 0 when
 * the commit or abort succeeded. */
int reliable_send_transaction(struct reliable_producer *p, const char *topic,
                              const char *const values[], int n, bool commit);

/* Frees the producer (NULL is fine). */
void reliable_destroy(struct reliable_producer *p);

#endif

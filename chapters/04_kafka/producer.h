/*
 * producer.h - exercise `producer`: send messages and hear back about each one.
 *
 * A Kafka producer queues messages and sends them in batches from a
 * background thread. Whether a message arrived is told later, in a
 * delivery report, one per message, delivered by rd_kafka_poll() or
 * rd_kafka_flush() calling your callback. These functions wrap that.
 */
#ifndef PRODUCER_H
#define PRODUCER_H

#include <stddef.h>

struct kafka_producer;

/* Creates a producer for the comma-separated bootstrap list `brokers`.
 * A message not acknowledged within delivery_timeout_ms fails (its delivery
 * report carries the error). Returns NULL and a reason in errbuf on error. */
struct kafka_producer *producer_create(const char *brokers, int delivery_timeout_ms, char *errbuf,
                                       size_t errlen);

/* Queues one message; key may be NULL. Returns 0 when queued, -1 when
 * librdkafka refused it (the reason is printed on stderr). */
int producer_send(struct kafka_producer *p, const char *topic, const char *key, const char *value);

/* Waits at most timeout_ms for the delivery report of every queued message.
 * Returns 0 when none is left waiting (delivered or failed: see the counts),
 * -1 when some are still outstanding at the deadline. */
int producer_flush(struct kafka_producer *p, int timeout_ms);

/* Delivery reports so far: acknowledged by the broker / failed. */
long producer_delivered(const struct kafka_producer *p);
long producer_failed(const struct kafka_producer *p);

/* The error text of the last failed delivery, "" when none failed. */
const char *producer_last_error(const struct kafka_producer *p);

/* Frees the producer (NULL is fine). Does not flush: call producer_flush. */
void producer_destroy(struct kafka_producer *p);

/* The lesson's first example: sends "Hello, Kafka!" with key "key" to topic
 * and waits up to timeout_ms for its delivery report. Returns 0 when the
 * broker acknowledged it, -1 otherwise (the reason printed on stderr). */
int send_hello(const char *brokers, const char *topic, int timeout_ms);

#endif

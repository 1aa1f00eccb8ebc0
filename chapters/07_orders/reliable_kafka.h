/*
 * reliable_kafka.h - exercise "kafka_path": the same event path on Kafka
 * (you write reliable_kafka.c). With BROKER=kafka, order-core produces the
 * order.confirmed event to a Kafka topic and order-front consumes it from
 * there; everything else in the services stays as it is.
 *
 * The rules that keep an accepted order on Kafka:
 *
 *   - The producer asks for acks=all and enable.idempotence=true: the
 *     leader answers only once every in-sync replica has the event, and a
 *     retried send (a lost answer, a reconnect) is not written twice.
 *   - order-core answers OK only after the event's delivery report says it
 *     was written: kafka_events_publish waits for that report (the
 *     producer's message.timeout.ms bounds the wait).
 *   - The event carries its order id as message key and as header
 *     "order_id", and the trace as header "traceparent" when one is known.
 *   - order-front reads with enable.auto.commit=false and
 *     auto.offset.reset=earliest, and commits an event's offset
 *     synchronously, only after the order is recorded. A new group (no
 *     commit yet) starts at the beginning of the topic, so events written
 *     before it first joined are not skipped.
 *   - Each order-front instance has a topic of its own (the name
 *     balance_instance_queue gives its queue) and reads it in a consumer
 *     group of the same name; it sends that topic to order-core as reply_to.
 *     So it receives only the events of its own orders, and its committed
 *     offsets are its own.
 *
 * kafka_link.h (given) prepares the configuration with the broker list and
 * the timings the tests need; these functions add the rules above.
 */
#ifndef RELIABLE_KAFKA_H
#define RELIABLE_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

/* order-core: makes the event producer from conf (this function owns conf
 * from now on, also when it fails). Returns the handle, or NULL with the
 * reason in err. */
rd_kafka_t *kafka_events_producer(rd_kafka_conf_t *conf, char *err, size_t len);

/* order-core: produces one event to topic (key and header "order_id" =
 * order_id, header "traceparent" when traceparent is not NULL, value body)
 * and waits for its delivery report. Returns 0 only when the report says it
 * was written; -1 with the reason in err otherwise. */
int kafka_events_publish(rd_kafka_t *producer, const char *topic, const char *order_id,
                         const char *traceparent, const char *body, char *err, size_t len);

/* order-front: makes the consumer of topic in consumer group `group` from
 * conf (owned from now on) and subscribes it. Returns the handle, or NULL
 * with the reason in err. */
rd_kafka_t *kafka_events_consumer(rd_kafka_conf_t *conf, const char *group, const char *topic,
                                  char *err, size_t len);

/* order-front: commits the offset after msg, synchronously, once its order
 * is recorded. Returns 0, or -1 with the reason in err. */
int kafka_events_commit(rd_kafka_t *consumer, const rd_kafka_message_t *msg, char *err, size_t len);

#endif

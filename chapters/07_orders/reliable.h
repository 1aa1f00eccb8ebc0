/*
 * reliable.h - exercise "nothing_lost": the broker settings that keep an
 * accepted order, and keys that make a retried POST safe (you write
 * reliable.c).
 *
 * An order is "accepted" when order-core answered OK over gRPC. From then on
 * nothing may lose it: not a broker restart (durable exchange and queue,
 * persistent messages), not a publish the broker never stored (order-core
 * answers OK only after the broker's publisher confirm), not an
 * order-front that dies while handling an event (manual acks, sent after the
 * order is recorded). And nothing may count it twice: the same event can be
 * delivered again after a reconnect, and a client whose POST timed out can
 * send it again with the same Idempotency-Key.
 *
 * Event messages: exchange type "topic", routing key
 * "order.confirmed.<instance>" (see balance.h), body the order's JSON,
 * properties message_id = order id, content_type "application/json",
 * headers {"traceparent": ...} when a trace is known.
 */
#ifndef RELIABLE_H
#define RELIABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amqp_link.h"

/* order-core: declares the topic exchange and turns on publisher confirms on
 * the link's channel. Returns 0, or -1 with link->error set. */
int reliable_publisher_setup(struct amqp_link *link, const char *exchange);

/* order-core: publishes one event and waits (at most timeout_ms) for the
 * broker's confirm. Returns 0 only when the broker acked it; -1 with
 * link->error set on a nack, a timeout or a broken connection.
 * traceparent may be NULL. */
int reliable_publish(struct amqp_link *link, const char *exchange, const char *routing_key,
                     const char *order_id, const char *traceparent, const char *body,
                     int timeout_ms);

/* order-front: declares the exchange, its queue, binds it with binding_key,
 * limits unacked deliveries (prefetch) and starts consuming. Returns 0, or -1
 * with link->error set. Deliveries must be acked with reliable_ack. */
int reliable_consumer_setup(struct amqp_link *link, const char *exchange, const char *queue,
                            const char *binding_key);

/* order-front: acknowledges one delivery once its order is recorded. */
int reliable_ack(struct amqp_link *link, uint64_t delivery_tag);

/* Idempotency keys: which order a client's key already stands for. */
struct idem_table;
struct idem_table *idem_create(void);
void idem_destroy(struct idem_table *t);

/* Claims key for order_id. Returns 1 when the key is new (it now stands for
 * order_id: go on and place it), 0 when the key was claimed before (its
 * order id is copied into earlier, of size len), -1 when out of memory.
 * Thread-safe: of two requests with one key, exactly one gets 1. */
int idem_claim(struct idem_table *t, const char *key, const char *order_id, char *earlier,
               size_t len);

/* Forgets key (its order failed before order-core accepted it, so a retry
 * must be able to try again). No-op when unknown. */
void idem_forget(struct idem_table *t, const char *key);

#endif

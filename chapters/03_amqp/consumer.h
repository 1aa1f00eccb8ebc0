/*
 * consumer.h - exercise "consumer": take messages with manual acks.
 *
 * The document's consumer acks each delivery; here the ack is the receipt
 * that the message was HANDLED: basic.consume with no_ack = 0, call the
 * handler, and only then basic.ack. If the process dies before the ack, the
 * broker hands the message to someone else.
 *
 * When the handler fails:
 *   - first delivery: basic.reject with requeue = 1 (try again later);
 *   - a redelivery (envelope.redelivered is set) that fails again:
 *     basic.reject with requeue = 0. The queue was declared with a dead-letter
 *     route, so the broker moves the message to QUEUE + CONSUMER_DEAD_SUFFIX
 *     instead of dropping it. A message is thus tried twice, then parked.
 */
#ifndef CONSUMER_H
#define CONSUMER_H

#include "amqp_link.h"

#include <signal.h>
#include <stdbool.h>

#define CONSUMER_DEAD_SUFFIX ".dead"

/* Returns 0 when the message was handled, anything else when it failed. */
typedef int (*consumer_handler)(const amqp_envelope_t *envelope, void *user);

struct consumer_options {
    const char *queue;
    int max_messages;                  /* stop after this many deliveries were settled
                                           (acked or rejected); 0 = no limit */
    const volatile sig_atomic_t *stop; /* stop soon (< 1 s) once *stop != 0; may be NULL */
    int prefetch;                      /* basic.qos prefetch count; 0 means 10 */
    bool existing_queue;               /* consume the queue as someone else declared it
                                           (skip consumer_declare): no dead-letter route */
};

/* Declares the durable queue QUEUE + CONSUMER_DEAD_SUFFIX, then the durable
 * queue QUEUE with the arguments x-dead-letter-exchange = "" and
 * x-dead-letter-routing-key = QUEUE + CONSUMER_DEAD_SUFFIX. 0 or -1 with
 * link->error set. */
int consumer_declare(struct amqp_link *link, const char *queue);

/* Connects to url, declares the queues (consumer_declare), sets the prefetch,
 * consumes opt->queue with manual acks and calls handler for each message,
 * until max_messages were settled or *stop is set. Returns the number of
 * messages handled successfully (acked), or -1 with the reason in err.
 * With opt->existing_queue it skips consumer_declare and consumes the queue
 * as another program declared it: declaring it again with other properties
 * would make the broker refuse with 406 PRECONDITION_FAILED. */
int consumer_run(const char *url, const struct consumer_options *opt, consumer_handler handler,
                 void *user, char *err, size_t errlen);

#endif

/*
 * consumer.c - exercise "consumer": basic.consume with manual acks, reject
 * with requeue on failure, dead-letter on a second failure, clean stop.
 *
 * The receive loop waits at most 200 ms per amqp_consume_message call, so a
 * stop flag set by a signal handler is noticed quickly.
 */
#include "consumer.h"

#include <stdio.h>
#include <string.h>

int consumer_declare(struct amqp_link *link, const char *queue)
{
    // TODO: declare QUEUE.dead, then QUEUE with its dead-letter arguments.
    // Build an amqp_table_t of two amqp_table_entry_t (kind AMQP_FIELD_KIND_UTF8).
    (void)queue;
    return amqp_link_fail(link, "consumer_declare: not implemented yet");
}

// TODO: the receive loop (a helper is a good idea).
// amqp_consume_message with a short timeout; AMQP_STATUS_TIMEOUT just means
// "nothing yet" (check the stop flag); AMQP_STATUS_UNEXPECTED_STATE means a
// non-delivery frame is waiting: read it (amqp_simple_wait_frame_noblock) - a
// channel.close or connection.close there is an error.

int consumer_run(const char *url, const struct consumer_options *opt, consumer_handler handler,
                 void *user, char *err, size_t errlen)
{
    struct amqp_link link;
    int result = -1;
    // TODO: connect, declare (unless opt->existing_queue), basic.qos, basic.consume
    // (no_ack = 0), receive loop.
    // On any failure copy link.error into err. Always close the link.
    (void)url;
    (void)opt;
    (void)handler;
    (void)user;
    (void)link;
    snprintf(err, errlen, "consumer_run: not implemented yet");
    return result;
}

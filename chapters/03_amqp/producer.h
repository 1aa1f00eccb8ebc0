/*
 * producer.h - exercise "producer": publish a message that cannot get lost
 * silently.
 *
 * The document's producer declares a queue "hello" and publishes
 * "Hello, world!" - and never learns whether the broker kept it. Here every
 * publish is made reliable:
 *   - the queue is durable (it survives a broker restart),
 *   - the message is persistent (delivery_mode 2: written to disk),
 *   - the channel is in confirm mode (confirm.select): the broker answers each
 *     publish with basic.ack (kept) or basic.nack (lost),
 *   - the publish is mandatory: a message no queue can take comes back as
 *     basic.return instead of vanishing.
 * A nack, a return or a closed channel is an error the caller sees.
 */
#ifndef PRODUCER_H
#define PRODUCER_H

#include "amqp_link.h"

#include <stdint.h>

/* How long producer_publish waits for the broker's confirm. */
#define PRODUCER_CONFIRM_TIMEOUT_MS 5000

struct producer {
    struct amqp_link link; /* connection, channel, last error */
    uint64_t published;    /* messages published since confirm.select = last delivery tag */
    bool returned;         /* the last publish came back (basic.return): no queue took it */
};

/* Connects to url (amqp_link_open) and puts the channel in confirm mode.
 * Returns 0, or -1 with p->link.error set. Close with producer_close even
 * after a failure. */
int producer_open(struct producer *p, const char *url);

/* Declares queue as durable (not exclusive, not auto-delete). 0 or -1. */
int producer_declare_queue(struct producer *p, const char *queue);

/* Publishes body as a persistent, mandatory message to exchange ("" is the
 * default exchange, where the routing key is the queue name) and waits until
 * the broker confirms it. Returns 0 on basic.ack; -1 with p->link.error set
 * when the message was returned (no queue took it: the error names the reply,
 * e.g. "312 NO_ROUTE"), nacked, the channel was closed (e.g. "404 NOT_FOUND"
 * for a missing exchange), or no confirm came within
 * PRODUCER_CONFIRM_TIMEOUT_MS. p->returned tells a returned message apart. */
int producer_publish(struct producer *p, const char *exchange, const char *routing_key,
                     const void *body, size_t len);

/* producer_publish with extra properties taken from props (message_id,
 * reply_to, correlation_id...; NULL for none). delivery_mode is always set to
 * persistent. */
int producer_publish_props(struct producer *p, const char *exchange, const char *routing_key,
                           const void *body, size_t len, const amqp_basic_properties_t *props);

/* Closes the connection. Safe after any failure. */
void producer_close(struct producer *p);

/* All of it in one call: open, declare queue, publish text, close. Returns 0
 * when the broker confirmed the message, -1 with the reason in err. */
int producer_send(const char *url, const char *queue, const char *text, char *err, size_t errlen);

#endif

/*
 * routing.h - exercise "routing": publish/subscribe through a topic exchange,
 * and request/reply over AMQP.
 *
 * Topic exchange: a message's routing key is words separated by dots
 * ("orders.eu.created"); a queue bound with pattern "orders.*" gets keys of
 * exactly two words starting with "orders", "orders.#" gets "orders" followed
 * by any number of words. Each subscriber has its own (server-named,
 * exclusive) queue, so every subscriber gets its own copy.
 *
 * Request/reply: the client consumes a private reply queue, publishes the
 * request with reply_to = that queue and a fresh correlation_id, and waits for
 * the reply carrying the same correlation_id - ignoring any other - for at
 * most timeout_ms.
 */
#ifndef ROUTING_H
#define ROUTING_H

#include "amqp_link.h"
#include "producer.h"

/* Publishes text with routing_key to the topic exchange (declared durable,
 * type "topic"), persistent and confirmed, through producer p (already open).
 * Returns 1 when at least one queue took it, 0 when no binding matched (the
 * message came back: nobody is subscribed), -1 on error. */
int routing_publish(struct producer *p, const char *exchange, const char *routing_key,
                    const char *text);

struct routing_sub {
    struct amqp_link link;
    char queue[256]; /* the server-generated queue name */
};

/* Connects, declares the durable topic exchange, declares a server-named
 * exclusive queue, binds it with each of the n patterns and starts consuming
 * (no_ack = 1 is fine here). Returns 0 or -1 with s->link.error set; always
 * call routing_unsubscribe afterwards. */
int routing_subscribe(struct routing_sub *s, const char *url, const char *exchange,
                      const char *const *patterns, size_t n);

/* Waits up to timeout_ms for the next message. Returns 1 and fills key/body
 * (NUL-terminated, truncated to fit), 0 on timeout, -1 on error. */
int routing_receive(struct routing_sub *s, char *key, size_t keylen, char *body, size_t bodylen,
                    int timeout_ms);

void routing_unsubscribe(struct routing_sub *s);

#define RPC_TIMEOUT (-2)

/* Sends request to the server queue `queue` (default exchange) and waits for
 * the matching reply. Returns 0 with the reply in reply (NUL-terminated),
 * RPC_TIMEOUT when no matching reply came within timeout_ms, -1 on error
 * (err says why). */
int rpc_call(const char *url, const char *queue, const char *request, char *reply, size_t replylen,
             int timeout_ms, char *err, size_t errlen);

#endif

/*
 * pubsub.h - exercise "pubsub": Redis Pub/Sub, and what it does not promise.
 *
 * PUBLISH hands a message to the clients subscribed to a channel at that very
 * moment and forgets it. Its reply is the number of subscribers that got it:
 * 0 means nobody was listening and the message is gone. A subscriber that is
 * disconnected - restarting, crashed, on a flaky network - misses everything
 * published meanwhile, and nothing tells it so. That is "at most once"
 * delivery: fine for live notifications (a cache to invalidate, a price
 * ticker), wrong for work that must get done (use a stream, exercise 2).
 *
 * A subscribed connection only receives: after SUBSCRIBE the server pushes
 * replies shaped ["message", CHANNEL, PAYLOAD] as messages arrive.
 */
#ifndef PUBSUB_H
#define PUBSUB_H

#include "redis_link.h"

struct subscriber {
    struct redis_link link; /* the subscribed connection, last error */
};

/* Connects to url and subscribes to channel. The server confirms with
 * ["subscribe", CHANNEL, COUNT]; anything else is an error. Returns 0, or -1
 * with sub->link.error set (a refused connection, a bad URL, an unexpected
 * reply). Close with subscriber_close even after a failure. */
int subscriber_open(struct subscriber *sub, const char *url, const char *channel);

/* Waits up to timeout_ms for the next message. Returns 1 with the payload in
 * buf (at most cap bytes copied, binary-safe: it may hold any byte) and its
 * full length in *len; 0 when nothing came in time (the subscriber stays
 * usable); -1 with sub->link.error set when the connection broke or the
 * server sent something that is not ["message", CHANNEL, PAYLOAD]
 * (a ["subscribe", ...] confirmation is skipped). */
int subscriber_next(struct subscriber *sub, char *buf, size_t cap, size_t *len, int timeout_ms);

/* Unsubscribes by closing the connection. Safe to call twice. */
void subscriber_close(struct subscriber *sub);

/* PUBLISHes len bytes of msg (binary-safe) on channel over link, a
 * connection that is not subscribed. Returns the number of subscribers that
 * received it (0: nobody was listening, the message is lost), or -1 with
 * link->error set. */
long publish_message(struct redis_link *link, const char *channel, const void *msg, size_t len);

#endif

/*
 * pubsub.h - exercise "pubsub": core NATS publish/subscribe, and what "at
 * most once" means.
 *
 * Core NATS keeps nothing. A message goes to the subscriptions that exist at
 * the server at the moment it arrives there, and nowhere else: a subscriber
 * that is not connected (or not subscribed yet) never sees it, and a
 * subscriber that cannot keep up loses what overflows its pending buffer.
 * Subjects are words separated by dots ("orders.eu.created"); a
 * subscription may use "*" for exactly one word and ">" (at the end) for one
 * or more.
 *
 * Nothing comes back from the server for a publish. natsConnection_Publish
 * only puts the message into the connection's outgoing buffer; a flush
 * (natsConnection_FlushTimeout: PING, wait for PONG) is the one way to know
 * the server has read everything sent before it. The same holds for SUB: a
 * subscription is in place only once a flush after it came back.
 */
#ifndef PUBSUB_H
#define PUBSUB_H

#include "nats_link.h"

struct pubsub {
    natsConnection *nc;    /* NULL when not connected */
    natsSubscription *sub; /* NULL when not subscribed */
    char error[512];       /* last error, "" when none */
};

/* Connects to url (nats_link_connect, 2000 ms). Returns 0, or -1 with
 * p->error set (the connect error as is). Always call pubsub_close after. */
int pubsub_open(struct pubsub *p, const char *url);

/* Publishes text on subject and returns once the server has it (a flush with
 * timeout_ms). Returns 0, or -1 with p->error naming the step that failed
 * (a flush that timed out means: the server did not confirm in time). */
int pubsub_publish(struct pubsub *p, const char *subject, const char *text, int timeout_ms);

/* Subscribes (synchronously, natsConnection_SubscribeSync) to subject and
 * returns only once the server knows the subscription (a flush, 2000 ms).
 * max_pending > 0 caps the messages waiting in the subscription's buffer
 * (natsSubscription_SetPendingLimits, no byte limit); beyond that, libnats
 * drops them. Returns 0, or -1 with p->error set. One subscription per
 * struct pubsub. */
int pubsub_subscribe(struct pubsub *p, const char *subject, int max_pending);

/* Waits up to timeout_ms for the next message. Returns 1 and fills subject
 * (the message's own subject, not the pattern subscribed to) and body
 * (NUL-terminated, truncated to fit); 0 when nothing came in time; -1 on
 * error with p->error set - also when libnats dropped messages because the
 * buffer was full: then p->error says "slow consumer" and how many were
 * dropped so far (natsSubscription_GetDropped); the next call goes on with
 * what is left. */
int pubsub_receive(struct pubsub *p, char *subject, size_t subjlen, char *body, size_t bodylen,
                   int timeout_ms);

/* Destroys the subscription and the connection (either may be NULL). */
void pubsub_close(struct pubsub *p);

#endif

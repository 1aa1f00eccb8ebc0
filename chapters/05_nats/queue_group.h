/*
 * queue_group.h - exercise "queue_group": workers that share a subject's
 * messages, each message to exactly one of them, and a clean stop.
 *
 * Subscribers that give the same queue group name when they subscribe
 * (natsConnection_QueueSubscribeSync) form one group: the server hands each
 * message on the subject to one member, picked at random. Add a worker and
 * the load spreads; stop one and the others take over. Ordinary subscribers
 * and other groups on the same subject still get their own copy.
 *
 * Still core NATS, so still at most once: a message the server already
 * handed to a worker sits in that worker's buffer in libnats. A worker that
 * just unsubscribes (or exits) loses what is in there. Draining
 * (natsSubscription_Drain) is the clean stop: the server stops sending, and
 * the worker handles what it already has before it returns.
 */
#ifndef QUEUE_GROUP_H
#define QUEUE_GROUP_H

#include "nats_link.h"

#include <signal.h>

/* Called once per message. */
typedef void (*qworker_handler)(const char *body, size_t len, void *user);

struct qworker_options {
    const char *subject;
    const char *group;                 /* the queue group name */
    const volatile sig_atomic_t *stop; /* once != 0: drain and return soon */
    volatile sig_atomic_t *ready;      /* set to 1 once the server knows the subscription */
};

/* One worker: subscribes to opt->subject in queue group opt->group through
 * nc, flushes, sets *opt->ready, and calls handler for every message until
 * *opt->stop. Then it drains: no new messages, but each one already received
 * is handled. Returns the number of messages handled, or -1 with err set. */
int qworker_run(natsConnection *nc, const struct qworker_options *opt, qworker_handler handler,
                void *user, char *err, size_t errlen);

#endif

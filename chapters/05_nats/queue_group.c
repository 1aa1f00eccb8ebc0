/*
 * queue_group.c - exercise "queue_group": one member of a queue group, with
 * a drain at the end so that no message it received is lost.
 */
#include "queue_group.h"

#include <stdio.h>

int qworker_run(natsConnection *nc, const struct qworker_options *opt, qworker_handler handler,
                void *user, char *err, size_t errlen)
{
    // TODO: natsConnection_QueueSubscribeSync with opt->group, flush, *ready = 1;
    // loop until *stop on NextMsg (200 ms); then natsSubscription_Drain and handle the rest
    // (NextMsg until it stops returning NATS_OK); destroy the subscription.
    (void)nc;
    (void)opt;
    (void)handler;
    (void)user;
    snprintf(err, errlen, "qworker_run: not implemented yet");
    return -1;
}

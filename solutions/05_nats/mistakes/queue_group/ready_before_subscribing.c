/* mistake: qworker_run sets *ready before it has subscribed, also when subscribing fails
 * rule: "One worker: subscribes to opt->subject in queue group opt->group through nc, flushes,
 *   sets *opt->ready, and calls handler for every message (queue_group.h)"
 * caught-by: empty_subject_gives_error
 */
/*
 * queue_group.c - exercise "queue_group": one member of a queue group, with
 * a drain at the end so that no message it received is lost.
 */
#include "queue_group.h"

#include <stdio.h>

int qworker_run(natsConnection *nc, const struct qworker_options *opt, qworker_handler handler,
                void *user, char *err, size_t errlen)
{
    // @student-begin: natsConnection_QueueSubscribeSync with opt->group, flush, *ready = 1;
    // loop until *stop on NextMsg (200 ms); then natsSubscription_Drain and handle the rest
    // (NextMsg until it stops returning NATS_OK); destroy the subscription.
    if (opt->ready)
        *opt->ready = 1;
    natsSubscription *sub = NULL;
    natsStatus s = natsConnection_QueueSubscribeSync(&sub, nc, opt->subject, opt->group);
    if (s != NATS_OK)
        return nats_link_error(s, 0, "natsConnection_QueueSubscribeSync", err, errlen);
    s = natsConnection_FlushTimeout(nc, 2000);
    if (s != NATS_OK) {
        natsSubscription_Destroy(sub);
        return nats_link_error(s, 0, "natsConnection_FlushTimeout", err, errlen);
    }
    int handled = 0;
    bool draining = false;
    for (;;) {
        if (!draining && opt->stop && *opt->stop) {
            s = natsSubscription_Drain(sub);
            if (s != NATS_OK) {
                natsSubscription_Destroy(sub);
                return nats_link_error(s, 0, "natsSubscription_Drain", err, errlen);
            }
            draining = true;
        }
        natsMsg *msg = NULL;
        s = natsSubscription_NextMsg(&msg, sub, 200);
        if (s == NATS_TIMEOUT && !draining)
            continue;
        if (s != NATS_OK && draining)
            break; /* drained: nothing left (timeout or invalid subscription) */
        if (s != NATS_OK) {
            natsSubscription_Destroy(sub);
            return nats_link_error(s, 0, "natsSubscription_NextMsg", err, errlen);
        }
        handler(natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg), user);
        natsMsg_Destroy(msg);
        handled++;
    }
    natsSubscription_Destroy(sub);
    return handled;
    // @student-stub
    // (void)nc;
    // (void)opt;
    // (void)handler;
    // (void)user;
    // snprintf(err, errlen, "qworker_run: not implemented yet");
    // return -1;
    // @student-end
}

/*
 * pubsub.c - exercise "pubsub": publish with a flush, subscribe with a
 * flush, receive with a time limit, and see messages dropped.
 */
#include "pubsub.h"

#include <stdio.h>
#include <string.h>

/* Records s as p->error ("what: text (detail)") and returns -1. */
static int fail(struct pubsub *p, natsStatus s, const char *what)
{
    return nats_link_error(s, 0, what, p->error, sizeof p->error);
}

int pubsub_open(struct pubsub *p, const char *url)
{
    p->nc = NULL;
    p->sub = NULL;
    p->error[0] = '\0';
    // TODO: connect with nats_link_connect (2000 ms); its error goes to p->error.
    (void)url;
    snprintf(p->error, sizeof p->error, "pubsub_open: not implemented yet");
    return -1;
}

int pubsub_publish(struct pubsub *p, const char *subject, const char *text, int timeout_ms)
{
    // TODO: natsConnection_PublishString, then natsConnection_FlushTimeout: the
    // flush is what tells you the server has the message.
    (void)subject;
    (void)text;
    (void)timeout_ms;
    (void)fail;
    snprintf(p->error, sizeof p->error, "pubsub_publish: not implemented yet");
    return -1;
}

int pubsub_subscribe(struct pubsub *p, const char *subject, int max_pending)
{
    // TODO: natsConnection_SubscribeSync, natsSubscription_SetPendingLimits when
    // max_pending > 0 (-1 = no byte limit), then a flush so the server knows the subscription.
    (void)subject;
    (void)max_pending;
    snprintf(p->error, sizeof p->error, "pubsub_subscribe: not implemented yet");
    return -1;
}

int pubsub_receive(struct pubsub *p, char *subject, size_t subjlen, char *body, size_t bodylen,
                   int timeout_ms)
{
    // TODO: natsSubscription_NextMsg; NATS_TIMEOUT -> 0; NATS_SLOW_CONSUMER -> -1
    // with the dropped count; copy natsMsg_GetSubject and natsMsg_GetData/GetDataLength;
    // natsMsg_Destroy.
    (void)subject;
    (void)subjlen;
    (void)body;
    (void)bodylen;
    (void)timeout_ms;
    snprintf(p->error, sizeof p->error, "pubsub_receive: not implemented yet");
    return -1;
}

void pubsub_close(struct pubsub *p)
{
    natsSubscription_Destroy(p->sub);
    natsConnection_Destroy(p->nc);
    p->sub = NULL;
    p->nc = NULL;
}

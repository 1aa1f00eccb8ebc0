/* mistake: pubsub_subscribe ignores max_pending, so libnats keeps its default limit of 65536 messages
 * rule: "max_pending > 0 caps the messages waiting in the subscription's buffer (natsSubscription_SetPendingLimits, no byte limit)"
 * caught-by: slow_subscriber_loses_messages
 */
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
    // @student-begin: connect with nats_link_connect (2000 ms); its error goes to p->error.
    return nats_link_connect(&p->nc, url, 2000, p->error, sizeof p->error);
    // @student-stub
    // (void)url;
    // snprintf(p->error, sizeof p->error, "pubsub_open: not implemented yet");
    // return -1;
    // @student-end
}

int pubsub_publish(struct pubsub *p, const char *subject, const char *text, int timeout_ms)
{
    // @student-begin: natsConnection_PublishString, then natsConnection_FlushTimeout: the
    // flush is what tells you the server has the message.
    natsStatus s = natsConnection_PublishString(p->nc, subject, text);
    if (s != NATS_OK)
        return fail(p, s, "natsConnection_PublishString");
    s = natsConnection_FlushTimeout(p->nc, timeout_ms);
    if (s != NATS_OK)
        return fail(p, s, "natsConnection_FlushTimeout (the server did not confirm)");
    return 0;
    // @student-stub
    // (void)subject;
    // (void)text;
    // (void)timeout_ms;
    // (void)fail;
    // snprintf(p->error, sizeof p->error, "pubsub_publish: not implemented yet");
    // return -1;
    // @student-end
}

int pubsub_subscribe(struct pubsub *p, const char *subject, int max_pending)
{
    // @student-begin: natsConnection_SubscribeSync, natsSubscription_SetPendingLimits when
    // max_pending > 0 (-1 = no byte limit), then a flush so the server knows the subscription.
    natsStatus s = natsConnection_SubscribeSync(&p->sub, p->nc, subject);
    if (s != NATS_OK)
        return fail(p, s, "natsConnection_SubscribeSync");
    (void)max_pending;
    s = natsConnection_FlushTimeout(p->nc, 2000);
    if (s != NATS_OK)
        return fail(p, s, "natsConnection_FlushTimeout after SUB");
    return 0;
    // @student-stub
    // (void)subject;
    // (void)max_pending;
    // snprintf(p->error, sizeof p->error, "pubsub_subscribe: not implemented yet");
    // return -1;
    // @student-end
}

int pubsub_receive(struct pubsub *p, char *subject, size_t subjlen, char *body, size_t bodylen,
                   int timeout_ms)
{
    // @student-begin: natsSubscription_NextMsg; NATS_TIMEOUT -> 0; NATS_SLOW_CONSUMER -> -1
    // with the dropped count; copy natsMsg_GetSubject and natsMsg_GetData/GetDataLength;
    // natsMsg_Destroy.
    natsMsg *msg = NULL;
    natsStatus s = natsSubscription_NextMsg(&msg, p->sub, timeout_ms);
    if (s == NATS_TIMEOUT)
        return 0;
    if (s == NATS_SLOW_CONSUMER) {
        int64_t dropped = 0;
        if (natsSubscription_GetDropped(p->sub, &dropped) != NATS_OK)
            snprintf(p->error, sizeof p->error,
                     "slow consumer: the subscription's buffer was full, messages dropped");
        else
            snprintf(p->error, sizeof p->error,
                     "slow consumer: the subscription's buffer was full, %lld message(s) dropped",
                     (long long)dropped);
        return -1;
    }
    if (s != NATS_OK)
        return fail(p, s, "natsSubscription_NextMsg");
    snprintf(subject, subjlen, "%s", natsMsg_GetSubject(msg));
    int len = natsMsg_GetDataLength(msg);
    size_t n = (size_t)len < bodylen - 1 ? (size_t)len : bodylen - 1;
    memcpy(body, natsMsg_GetData(msg), n);
    body[n] = '\0';
    natsMsg_Destroy(msg);
    return 1;
    // @student-stub
    // (void)subject;
    // (void)subjlen;
    // (void)body;
    // (void)bodylen;
    // (void)timeout_ms;
    // snprintf(p->error, sizeof p->error, "pubsub_receive: not implemented yet");
    // return -1;
    // @student-end
}

void pubsub_close(struct pubsub *p)
{
    natsSubscription_Destroy(p->sub);
    natsConnection_Destroy(p->nc);
    p->sub = NULL;
    p->nc = NULL;
}

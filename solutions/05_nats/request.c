/*
 * request.c - exercise "request": a requester that tells "nobody listens"
 * from "nobody answered in time", and a responder.
 */
#include "request.h"

#include <stdio.h>
#include <string.h>

int request_call(natsConnection *nc, const char *subject, const char *request, char *reply,
                 size_t replylen, int timeout_ms, char *err, size_t errlen)
{
    // @student-begin: natsConnection_RequestString; NATS_NO_RESPONDERS and NATS_TIMEOUT get
    // their own return codes and messages; copy the reply's data, natsMsg_Destroy.
    natsMsg *msg = NULL;
    natsStatus s = natsConnection_RequestString(&msg, nc, subject, request, timeout_ms);
    if (s == NATS_NO_RESPONDERS) {
        snprintf(err, errlen, "no responders on %s: nobody subscribes to that subject", subject);
        return REQUEST_NO_RESPONDERS;
    }
    if (s == NATS_TIMEOUT) {
        snprintf(err, errlen, "no reply on %s within %d ms (timeout)", subject, timeout_ms);
        return REQUEST_TIMEOUT;
    }
    if (s != NATS_OK)
        return nats_link_error(s, 0, "natsConnection_RequestString", err, errlen);
    snprintf(reply, replylen, "%.*s", natsMsg_GetDataLength(msg), natsMsg_GetData(msg));
    natsMsg_Destroy(msg);
    return 0;
    // @student-stub
    // (void)nc;
    // (void)subject;
    // (void)request;
    // (void)reply;
    // (void)replylen;
    // (void)timeout_ms;
    // snprintf(err, errlen, "request_call: not implemented yet");
    // return -1;
    // @student-end
}

int request_serve(natsConnection *nc, const struct request_server_options *opt,
                  request_handler handler, void *user, char *err, size_t errlen)
{
    // @student-begin: (Queue)SubscribeSync, flush, *ready = 1; loop until *stop: NextMsg with
    // a short timeout (200 ms), skip messages without natsMsg_GetReply, handler,
    // natsConnection_RespondMsg-like answer (natsConnection_PublishString to the reply
    // subject); count; destroy the subscription at the end.
    natsSubscription *sub = NULL;
    natsStatus s = opt->group
                       ? natsConnection_QueueSubscribeSync(&sub, nc, opt->subject, opt->group)
                       : natsConnection_SubscribeSync(&sub, nc, opt->subject);
    if (s != NATS_OK)
        return nats_link_error(s, 0, "subscribe", err, errlen);
    s = natsConnection_FlushTimeout(nc, 2000);
    if (s != NATS_OK) {
        natsSubscription_Destroy(sub);
        return nats_link_error(s, 0, "natsConnection_FlushTimeout", err, errlen);
    }
    if (opt->ready)
        *opt->ready = 1;

    int answered = 0;
    while (!(opt->stop && *opt->stop)) {
        natsMsg *msg = NULL;
        s = natsSubscription_NextMsg(&msg, sub, 200);
        if (s == NATS_TIMEOUT)
            continue;
        if (s != NATS_OK) {
            natsSubscription_Destroy(sub);
            return nats_link_error(s, 0, "natsSubscription_NextMsg", err, errlen);
        }
        const char *reply_to = natsMsg_GetReply(msg);
        if (reply_to && *reply_to) {
            char answer[4096];
            handler(natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg), answer, sizeof answer,
                    user);
            /* A reply that cannot be sent (connection lost) is not counted; the
             * requester sees a timeout, and the loop goes on with the next one. */
            s = natsConnection_PublishString(nc, reply_to, answer);
            if (s == NATS_OK)
                answered++;
        }
        natsMsg_Destroy(msg);
    }
    natsSubscription_Destroy(sub);
    return answered;
    // @student-stub
    // (void)nc;
    // (void)opt;
    // (void)handler;
    // (void)user;
    // snprintf(err, errlen, "request_serve: not implemented yet");
    // return -1;
    // @student-end
}

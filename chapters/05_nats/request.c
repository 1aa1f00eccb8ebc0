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
    // TODO: natsConnection_RequestString; NATS_NO_RESPONDERS and NATS_TIMEOUT get
    // their own return codes and messages; copy the reply's data, natsMsg_Destroy.
    (void)nc;
    (void)subject;
    (void)request;
    (void)reply;
    (void)replylen;
    (void)timeout_ms;
    snprintf(err, errlen, "request_call: not implemented yet");
    return -1;
}

int request_serve(natsConnection *nc, const struct request_server_options *opt,
                  request_handler handler, void *user, char *err, size_t errlen)
{
    // TODO: (Queue)SubscribeSync, flush, *ready = 1; loop until *stop: NextMsg with
    // a short timeout (200 ms), skip messages without natsMsg_GetReply, handler,
    // natsConnection_RespondMsg-like answer (natsConnection_PublishString to the reply
    // subject); count; destroy the subscription at the end.
    (void)nc;
    (void)opt;
    (void)handler;
    (void)user;
    snprintf(err, errlen, "request_serve: not implemented yet");
    return -1;
}

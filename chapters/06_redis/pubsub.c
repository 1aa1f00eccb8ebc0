/*
 * pubsub.c - exercise "pubsub": PUBLISH, SUBSCRIBE and reading pushed
 * messages, checking the shape of every reply.
 */
#include "pubsub.h"

#include <stdio.h>
#include <string.h>

int subscriber_open(struct subscriber *sub, const char *url, const char *channel)
{
    // TODO: connect (redis_link_open), send SUBSCRIBE CHANNEL and check the
    // confirmation: an array ["subscribe", CHANNEL, COUNT] (redis_link_check, redis_link_expect).
    (void)url;
    (void)channel;
    sub->link.ctx = NULL;
    return redis_link_fail(&sub->link, "subscriber_open: not implemented yet");
}

int subscriber_next(struct subscriber *sub, char *buf, size_t cap, size_t *len, int timeout_ms)
{
    // TODO: wait for a pushed reply (redis_link_wait_reply); check it is
    // ["message", CHANNEL, PAYLOAD]; copy the payload (its length is reply->len: binary-safe).
    (void)buf;
    (void)cap;
    (void)len;
    (void)timeout_ms;
    return redis_link_fail(&sub->link, "subscriber_next: not implemented yet");
}

void subscriber_close(struct subscriber *sub)
{
    redis_link_close(&sub->link);
}

long publish_message(struct redis_link *link, const char *channel, const void *msg, size_t len)
{
    // TODO: PUBLISH CHANNEL PAYLOAD with %b for the payload (pointer, length);
    // the reply is an integer: how many subscribers received it.
    (void)channel;
    (void)msg;
    (void)len;
    return redis_link_fail(link, "publish_message: not implemented yet");
}

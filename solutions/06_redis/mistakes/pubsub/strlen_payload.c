/* mistake: subscriber_next measures the payload with strlen instead of its reply length
 * rule: "use `memcpy` with that length, never `strcpy`/`strlen`: payloads may contain NUL bytes."
 * caught-by: binary_payload_arrives_intact
 */
/*
 * pubsub.c - exercise "pubsub": PUBLISH, SUBSCRIBE and reading pushed
 * messages, checking the shape of every reply.
 */
#include "pubsub.h"

#include <stdio.h>
#include <string.h>

int subscriber_open(struct subscriber *sub, const char *url, const char *channel)
{
    // @student-begin: connect (redis_link_open), send SUBSCRIBE CHANNEL and check the
    // confirmation: an array ["subscribe", CHANNEL, COUNT] (redis_link_check, redis_link_expect).
    if (redis_link_open(&sub->link, url, 5000) != 0)
        return -1;
    redisReply *reply = redisCommand(sub->link.ctx, "SUBSCRIBE %s", channel);
    int rc = redis_link_check(&sub->link, reply, "SUBSCRIBE");
    if (rc == 0)
        rc = redis_link_expect(&sub->link, reply, REDIS_REPLY_ARRAY, 3, "SUBSCRIBE");
    if (rc == 0)
        rc = redis_link_expect(&sub->link, reply->element[0], REDIS_REPLY_STRING, 0,
                               "SUBSCRIBE confirmation kind");
    if (rc == 0 && strcmp(reply->element[0]->str, "subscribe") != 0)
        rc = redis_link_fail(&sub->link,
                             "SUBSCRIBE: expected a \"subscribe\" confirmation, got \"%s\"",
                             reply->element[0]->str);
    freeReplyObject(reply);
    return rc;
    // @student-stub
    // (void)url;
    // (void)channel;
    // sub->link.ctx = NULL;
    // return redis_link_fail(&sub->link, "subscriber_open: not implemented yet");
    // @student-end
}

int subscriber_next(struct subscriber *sub, char *buf, size_t cap, size_t *len, int timeout_ms)
{
    // @student-begin: wait for a pushed reply (redis_link_wait_reply); check it is
    // ["message", CHANNEL, PAYLOAD]; copy the payload (its length is reply->len: binary-safe).
    for (;;) {
        redisReply *reply = NULL;
        int got = redis_link_wait_reply(&sub->link, &reply, timeout_ms);
        if (got <= 0)
            return got;
        int rc = redis_link_expect(&sub->link, reply, REDIS_REPLY_ARRAY, 3, "pushed message");
        for (size_t i = 0; rc == 0 && i < 3; i++)
            rc = redis_link_expect(&sub->link, reply->element[i], REDIS_REPLY_STRING, 0,
                                   "pushed message part");
        if (rc == 0 && strcmp(reply->element[0]->str, "subscribe") == 0) {
            freeReplyObject(reply); /* a confirmation, not a message */
            continue;
        }
        if (rc == 0 && strcmp(reply->element[0]->str, "message") != 0)
            rc =
                redis_link_fail(&sub->link, "pushed message: expected kind \"message\", got \"%s\"",
                                reply->element[0]->str);
        if (rc == 0) {
            const redisReply *payload = reply->element[2];
            size_t n = strlen(payload->str);
            memcpy(buf, payload->str, n < cap ? n : cap);
            *len = n;
        }
        freeReplyObject(reply);
        return rc == 0 ? 1 : -1;
    }
    // @student-stub
    // (void)buf;
    // (void)cap;
    // (void)len;
    // (void)timeout_ms;
    // return redis_link_fail(&sub->link, "subscriber_next: not implemented yet");
    // @student-end
}

void subscriber_close(struct subscriber *sub)
{
    redis_link_close(&sub->link);
}

long publish_message(struct redis_link *link, const char *channel, const void *msg, size_t len)
{
    // @student-begin: PUBLISH CHANNEL PAYLOAD with %b for the payload (pointer, length);
    // the reply is an integer: how many subscribers received it.
    redisReply *reply = redisCommand(link->ctx, "PUBLISH %s %b", channel, msg, len);
    long receivers = -1;
    if (redis_link_check(link, reply, "PUBLISH") == 0 &&
        redis_link_expect(link, reply, REDIS_REPLY_INTEGER, 0, "PUBLISH") == 0)
        receivers = (long)reply->integer;
    freeReplyObject(reply);
    return receivers;
    // @student-stub
    // (void)channel;
    // (void)msg;
    // (void)len;
    // return redis_link_fail(link, "publish_message: not implemented yet");
    // @student-end
}

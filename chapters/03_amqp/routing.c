/*
 * routing.c - exercise "routing": topic exchange pub/sub and request/reply
 * with reply_to + correlation_id.
 */
#include "routing.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Monotonic milliseconds, for deadlines. ("unused": the skeleton has no caller yet.) */
__attribute__((unused)) static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Copies src into dst as a NUL-terminated string, truncating to fit. */
__attribute__((unused)) static void copy_bytes(char *dst, size_t dstlen, amqp_bytes_t src)
{
    size_t n = src.len < dstlen - 1 ? src.len : dstlen - 1;
    memcpy(dst, src.bytes, n);
    dst[n] = '\0';
}

static int declare_topic(struct amqp_link *link, const char *exchange)
{
    // TODO: declare exchange of type "topic", durable (amqp_exchange_declare).
    (void)exchange;
    return amqp_link_fail(link, "declare_topic: not implemented yet");
}

int routing_publish(struct producer *p, const char *exchange, const char *routing_key,
                    const char *text)
{
    // TODO: declare the exchange, producer_publish; a returned message means 0.
    (void)exchange;
    (void)routing_key;
    (void)text;
    (void)declare_topic;
    return amqp_link_fail(&p->link, "routing_publish: not implemented yet");
}

int routing_subscribe(struct routing_sub *s, const char *url, const char *exchange,
                      const char *const *patterns, size_t n)
{
    s->queue[0] = '\0';
    // TODO: connect, declare exchange, amqp_queue_declare with an empty name
    // (exclusive, auto-delete) - the reply holds the generated name -, amqp_queue_bind per
    // pattern, amqp_basic_consume.
    (void)url;
    (void)exchange;
    (void)patterns;
    (void)n;
    s->link.conn = NULL;
    return amqp_link_fail(&s->link, "routing_subscribe: not implemented yet");
}

// TODO: a helper that waits for one delivery with a deadline is shared by
// routing_receive and rpc_call: amqp_consume_message with the time left;
// AMQP_STATUS_TIMEOUT -> 0; a non-delivery frame (UNEXPECTED_STATE) -> read and skip it.

int routing_receive(struct routing_sub *s, char *key, size_t keylen, char *body, size_t bodylen,
                    int timeout_ms)
{
    // TODO: wait for one delivery, copy routing key and body out.
    (void)key;
    (void)keylen;
    (void)body;
    (void)bodylen;
    (void)timeout_ms;
    return amqp_link_fail(&s->link, "routing_receive: not implemented yet");
}

void routing_unsubscribe(struct routing_sub *s)
{
    amqp_link_close(&s->link);
}

int rpc_call(const char *url, const char *queue, const char *request, char *reply, size_t replylen,
             int timeout_ms, char *err, size_t errlen)
{
    struct amqp_link link;
    int result = -1;
    // TODO: reply queue (server-named, exclusive) + basic.consume on it, publish
    // the request with reply_to and a unique correlation_id, wait for the reply whose
    // correlation_id matches; skip others; RPC_TIMEOUT at the deadline.
    (void)url;
    (void)queue;
    (void)request;
    (void)reply;
    (void)replylen;
    (void)timeout_ms;
    (void)link;
    snprintf(err, errlen, "rpc_call: not implemented yet");
    return result;
}

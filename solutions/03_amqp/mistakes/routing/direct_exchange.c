/* mistake: declares a direct exchange, where a binding key is compared literally, not as a pattern
 * rule: "Topic exchange: a message's routing key is words separated by dots"
 * caught-by: topic_pattern_selects_messages hash_matches_many_words
 */
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
    amqp_exchange_declare(link->conn, AMQP_LINK_CHANNEL, amqp_cstring_bytes(exchange),
                          amqp_cstring_bytes("direct"), 0, 1, 0, 0, amqp_empty_table);
    return amqp_link_check(link, amqp_get_rpc_reply(link->conn), "exchange.declare");
}

int routing_publish(struct producer *p, const char *exchange, const char *routing_key,
                    const char *text)
{
    if (declare_topic(&p->link, exchange) != 0)
        return -1;
    if (producer_publish(p, exchange, routing_key, text, strlen(text)) == 0)
        return 1;
    return p->returned ? 0 : -1;
}

int routing_subscribe(struct routing_sub *s, const char *url, const char *exchange,
                      const char *const *patterns, size_t n)
{
    s->queue[0] = '\0';
    // (exclusive, auto-delete) - the reply holds the generated name -, amqp_queue_bind per
    // pattern, amqp_basic_consume.
    if (amqp_link_open(&s->link, url, 5000) != 0)
        return -1;
    if (declare_topic(&s->link, exchange) != 0)
        return -1;
    amqp_queue_declare_ok_t *ok = amqp_queue_declare(
        s->link.conn, AMQP_LINK_CHANNEL, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
    if (amqp_link_check(&s->link, amqp_get_rpc_reply(s->link.conn), "queue.declare") != 0)
        return -1;
    copy_bytes(s->queue, sizeof s->queue, ok->queue);
    for (size_t i = 0; i < n; i++) {
        amqp_queue_bind(s->link.conn, AMQP_LINK_CHANNEL, amqp_cstring_bytes(s->queue),
                        amqp_cstring_bytes(exchange), amqp_cstring_bytes(patterns[i]),
                        amqp_empty_table);
        if (amqp_link_check(&s->link, amqp_get_rpc_reply(s->link.conn), "queue.bind") != 0)
            return -1;
    }
    amqp_basic_consume(s->link.conn, AMQP_LINK_CHANNEL, amqp_cstring_bytes(s->queue),
                       amqp_empty_bytes, 0, 1, 1, amqp_empty_table);
    return amqp_link_check(&s->link, amqp_get_rpc_reply(s->link.conn), "basic.consume");
}

// routing_receive and rpc_call: amqp_consume_message with the time left;
// AMQP_STATUS_TIMEOUT -> 0; a non-delivery frame (UNEXPECTED_STATE) -> read and skip it.
/* 1 = envelope filled, 0 = deadline passed, -1 = error. */
static int next_delivery(struct amqp_link *link, amqp_envelope_t *envelope, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct timeval tv = {.tv_sec = left / 1000, .tv_usec = (left % 1000) * 1000};
        amqp_maybe_release_buffers(link->conn);
        amqp_rpc_reply_t reply = amqp_consume_message(link->conn, envelope, &tv, 0);
        if (reply.reply_type == AMQP_RESPONSE_NORMAL)
            return 1;
        if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            reply.library_error == AMQP_STATUS_TIMEOUT)
            return 0;
        if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
            amqp_frame_t frame;
            struct timeval wait = {.tv_sec = 1, .tv_usec = 0};
            if (amqp_simple_wait_frame_noblock(link->conn, &frame, &wait) != AMQP_STATUS_OK)
                return amqp_link_fail(link, "reading a frame failed");
            if (frame.frame_type == AMQP_FRAME_METHOD &&
                (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
                 frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD))
                return amqp_link_fail(link, "the broker closed the channel");
            continue;
        }
        return amqp_link_check(link, reply, "amqp_consume_message");
    }
}

int routing_receive(struct routing_sub *s, char *key, size_t keylen, char *body, size_t bodylen,
                    int timeout_ms)
{
    amqp_envelope_t envelope;
    int rc = next_delivery(&s->link, &envelope, now_ms() + timeout_ms);
    if (rc != 1)
        return rc;
    copy_bytes(key, keylen, envelope.routing_key);
    copy_bytes(body, bodylen, envelope.message.body);
    amqp_destroy_envelope(&envelope);
    return 1;
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
    // the request with reply_to and a unique correlation_id, wait for the reply whose
    // correlation_id matches; skip others; RPC_TIMEOUT at the deadline.
    if (amqp_link_open(&link, url, 5000) != 0) {
        amqp_link_copy_error(&link, err, errlen);
        return -1;
    }
    long long deadline = now_ms() + timeout_ms;
    char reply_queue[256], correlation_id[64];
    static unsigned counter;
    snprintf(correlation_id, sizeof correlation_id, "rpc-%ld-%u-%lld", (long)getpid(), ++counter,
             now_ms());

    amqp_queue_declare_ok_t *ok = amqp_queue_declare(link.conn, AMQP_LINK_CHANNEL, amqp_empty_bytes,
                                                     0, 0, 1, 1, amqp_empty_table);
    if (amqp_link_check(&link, amqp_get_rpc_reply(link.conn), "queue.declare (reply)") != 0)
        goto done;
    copy_bytes(reply_queue, sizeof reply_queue, ok->queue);
    amqp_basic_consume(link.conn, AMQP_LINK_CHANNEL, amqp_cstring_bytes(reply_queue),
                       amqp_empty_bytes, 0, 1, 1, amqp_empty_table);
    if (amqp_link_check(&link, amqp_get_rpc_reply(link.conn), "basic.consume (reply)") != 0)
        goto done;

    amqp_basic_properties_t props;
    memset(&props, 0, sizeof props);
    props._flags = AMQP_BASIC_REPLY_TO_FLAG | AMQP_BASIC_CORRELATION_ID_FLAG;
    props.reply_to = amqp_cstring_bytes(reply_queue);
    props.correlation_id = amqp_cstring_bytes(correlation_id);
    int rc =
        amqp_basic_publish(link.conn, AMQP_LINK_CHANNEL, amqp_empty_bytes,
                           amqp_cstring_bytes(queue), 0, 0, &props, amqp_cstring_bytes(request));
    if (rc != AMQP_STATUS_OK) {
        amqp_link_fail(&link, "amqp_basic_publish: %s", amqp_error_string2(rc));
        goto done;
    }

    for (;;) {
        amqp_envelope_t envelope;
        rc = next_delivery(&link, &envelope, deadline);
        if (rc == 0) {
            amqp_link_fail(&link, "no reply from '%s' within %d ms", queue, timeout_ms);
            result = RPC_TIMEOUT;
            break;
        }
        if (rc < 0)
            break;
        amqp_bytes_t got = envelope.message.properties.correlation_id;
        bool mine = (envelope.message.properties._flags & AMQP_BASIC_CORRELATION_ID_FLAG) &&
                    got.len == strlen(correlation_id) &&
                    memcmp(got.bytes, correlation_id, got.len) == 0;
        if (mine) {
            copy_bytes(reply, replylen, envelope.message.body);
            result = 0;
        }
        amqp_destroy_envelope(&envelope);
        if (mine)
            break;
    }
done:
    if (result != 0)
        amqp_link_copy_error(&link, err, errlen);
    amqp_link_close(&link);
    return result;
}

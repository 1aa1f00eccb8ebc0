/* mistake: returns as soon as amqp_basic_publish returned, without waiting for the confirm
 * rule: "broker never got it / lost it | **publisher confirms**: `confirm.select`, then wait for `basic.ack` (a `basic.nack` means lost)"
 * caught-by: unroutable_message_is_an_error missing_exchange_is_an_error
 */
/*
 * producer.c - exercise "producer": durable queue, persistent message,
 * publisher confirms, mandatory publish.
 *
 * librabbitmq 0.11 has no "wait for confirms" call: after amqp_basic_publish
 * we read frames ourselves (amqp_simple_wait_frame_noblock) until the
 * basic.ack or basic.nack carrying our delivery tag arrives. A basic.return
 * (message not routable) comes before that ack, followed by the returned
 * message itself, which must be read off the wire (amqp_read_message).
 */
#include "producer.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Monotonic milliseconds, for deadlines. ("unused": the skeleton has no caller yet.) */
__attribute__((unused)) static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int producer_open(struct producer *p, const char *url)
{
    p->published = 0;
    p->returned = false;
    // amqp_confirm_select + amqp_get_rpc_reply; check both (amqp_link_check).
    if (amqp_link_open(&p->link, url, 5000) != 0)
        return -1;
    amqp_confirm_select(p->link.conn, AMQP_LINK_CHANNEL);
    return amqp_link_check(&p->link, amqp_get_rpc_reply(p->link.conn), "amqp_confirm_select");
}

int producer_declare_queue(struct producer *p, const char *queue)
{
    amqp_queue_declare(p->link.conn, AMQP_LINK_CHANNEL, amqp_link_bytes(queue), 0, 1, 0, 0,
                       amqp_empty_table);
    return amqp_link_check(&p->link, amqp_get_rpc_reply(p->link.conn), "amqp_queue_declare");
}

// Read frames with amqp_simple_wait_frame_noblock until the basic.ack/nack of
// your delivery tag; handle basic.return (then amqp_read_message), and
// channel.close / connection.close (the broker refused something).
__attribute__((unused)) static int wait_for_confirm(struct producer *p, uint64_t tag)
{
    amqp_connection_state_t conn = p->link.conn;
    long long deadline = now_ms() + PRODUCER_CONFIRM_TIMEOUT_MS;
    char returned[256] = "";

    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return amqp_link_fail(&p->link, "no publisher confirm for message %llu within %d ms",
                                  (unsigned long long)tag, PRODUCER_CONFIRM_TIMEOUT_MS);
        struct timeval tv = {.tv_sec = left / 1000, .tv_usec = (left % 1000) * 1000};
        amqp_frame_t frame;
        amqp_maybe_release_buffers(conn);
        int rc = amqp_simple_wait_frame_noblock(conn, &frame, &tv);
        if (rc == AMQP_STATUS_TIMEOUT)
            continue; /* the deadline check above ends the loop */
        if (rc != AMQP_STATUS_OK)
            return amqp_link_fail(&p->link, "waiting for publisher confirm: %s",
                                  amqp_error_string2(rc));
        if (frame.frame_type != AMQP_FRAME_METHOD)
            continue;

        switch (frame.payload.method.id) {
        case AMQP_BASIC_ACK_METHOD: {
            amqp_basic_ack_t *ack = frame.payload.method.decoded;
            if (ack->delivery_tag == tag || (ack->multiple && ack->delivery_tag > tag)) {
                if (returned[0]) {
                    p->returned = true;
                    return amqp_link_fail(&p->link, "message was returned by the broker: %s",
                                          returned);
                }
                return 0;
            }
            break; /* an older message's ack */
        }
        case AMQP_BASIC_NACK_METHOD: {
            amqp_basic_nack_t *nack = frame.payload.method.decoded;
            if (nack->delivery_tag == tag || (nack->multiple && nack->delivery_tag > tag))
                return amqp_link_fail(&p->link, "broker nacked message %llu: it was NOT stored",
                                      (unsigned long long)tag);
            break;
        }
        case AMQP_BASIC_RETURN_METHOD: {
            amqp_basic_return_t *ret = frame.payload.method.decoded;
            snprintf(returned, sizeof returned, "%u %.*s (exchange '%.*s', routing key '%.*s')",
                     ret->reply_code, (int)ret->reply_text.len, (const char *)ret->reply_text.bytes,
                     (int)ret->exchange.len, (const char *)ret->exchange.bytes,
                     (int)ret->routing_key.len, (const char *)ret->routing_key.bytes);
            amqp_message_t message;
            amqp_rpc_reply_t r = amqp_read_message(conn, frame.channel, &message, 0);
            if (amqp_link_check(&p->link, r, "amqp_read_message (returned message)") != 0)
                return -1;
            amqp_destroy_message(&message);
            break; /* the ack for it follows */
        }
        case AMQP_CHANNEL_CLOSE_METHOD: {
            amqp_channel_close_t *m = frame.payload.method.decoded;
            amqp_link_fail(&p->link, "broker closed the channel: %u %.*s", m->reply_code,
                           (int)m->reply_text.len, (const char *)m->reply_text.bytes);
            amqp_channel_close_ok_t close_ok = {0};
            amqp_send_method(conn, frame.channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok);
            return -1;
        }
        case AMQP_CONNECTION_CLOSE_METHOD: {
            amqp_connection_close_t *m = frame.payload.method.decoded;
            return amqp_link_fail(&p->link, "broker closed the connection: %u %.*s", m->reply_code,
                                  (int)m->reply_text.len, (const char *)m->reply_text.bytes);
        }
        default: break;
        }
    }
}

int producer_publish(struct producer *p, const char *exchange, const char *routing_key,
                     const void *body, size_t len)
{
    return producer_publish_props(p, exchange, routing_key, body, len, NULL);
}

int producer_publish_props(struct producer *p, const char *exchange, const char *routing_key,
                           const void *body, size_t len, const amqp_basic_properties_t *extra)
{
    p->returned = false;
    // Each publish on a confirm channel gets the next delivery tag: 1, 2, 3...
    if (!p->link.conn)
        return amqp_link_fail(&p->link, "producer_publish: not connected");
    amqp_basic_properties_t props;
    if (extra) {
        props = *extra;
    } else {
        memset(&props, 0, sizeof props);
        props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG;
        props.content_type = amqp_cstring_bytes("text/plain");
    }
    props._flags |= AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.delivery_mode = AMQP_DELIVERY_PERSISTENT;

    amqp_bytes_t payload = {.len = len, .bytes = (void *)body};
    int rc = amqp_basic_publish(p->link.conn, AMQP_LINK_CHANNEL, amqp_link_bytes(exchange),
                                amqp_link_bytes(routing_key), 1, 0, &props, payload);
    if (rc != AMQP_STATUS_OK)
        return amqp_link_fail(&p->link, "amqp_basic_publish: %s", amqp_error_string2(rc));
    p->published++;
    return 0;
}

void producer_close(struct producer *p)
{
    amqp_link_close(&p->link);
}

int producer_send(const char *url, const char *queue, const char *text, char *err, size_t errlen)
{
    struct producer p;
    int rc = -1;
    // the queue name as routing key; on failure copy p.link.error into err. Always close.
    if (producer_open(&p, url) == 0 && producer_declare_queue(&p, queue) == 0 &&
        producer_publish(&p, "", queue, text, strlen(text)) == 0)
        rc = 0;
    if (rc != 0)
        amqp_link_copy_error(&p.link, err, errlen);
    producer_close(&p);
    return rc;
}

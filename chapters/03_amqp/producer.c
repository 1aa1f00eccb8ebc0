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
    // TODO: connect with amqp_link_open, then put the channel in confirm mode.
    // amqp_confirm_select + amqp_get_rpc_reply; check both (amqp_link_check).
    (void)url;
    p->link.conn = NULL;
    return amqp_link_fail(&p->link, "producer_open: not implemented yet");
}

int producer_declare_queue(struct producer *p, const char *queue)
{
    // TODO: declare the queue durable (passive 0, durable 1, exclusive 0, auto_delete 0).
    (void)queue;
    return amqp_link_fail(&p->link, "producer_declare_queue: not implemented yet");
}

// TODO: helper(s) for producer_publish - waiting for the confirm.
// Read frames with amqp_simple_wait_frame_noblock until the basic.ack/nack of
// your delivery tag; handle basic.return (then amqp_read_message), and
// channel.close / connection.close (the broker refused something).

int producer_publish(struct producer *p, const char *exchange, const char *routing_key,
                     const void *body, size_t len)
{
    return producer_publish_props(p, exchange, routing_key, body, len, NULL);
}

int producer_publish_props(struct producer *p, const char *exchange, const char *routing_key,
                           const void *body, size_t len, const amqp_basic_properties_t *extra)
{
    p->returned = false;
    // TODO: publish persistent (delivery_mode 2) + mandatory, then wait for the confirm.
    // Each publish on a confirm channel gets the next delivery tag: 1, 2, 3...
    (void)exchange;
    (void)routing_key;
    (void)body;
    (void)len;
    (void)extra;
    return amqp_link_fail(&p->link, "producer_publish: not implemented yet");
}

void producer_close(struct producer *p)
{
    amqp_link_close(&p->link);
}

int producer_send(const char *url, const char *queue, const char *text, char *err, size_t errlen)
{
    struct producer p;
    int rc = -1;
    // TODO: open, declare queue, publish text to the default exchange ("") with
    // the queue name as routing key; on failure copy p.link.error into err. Always close.
    (void)url;
    (void)queue;
    (void)text;
    p.link.conn = NULL;
    snprintf(err, errlen, "producer_send: not implemented yet");
    producer_close(&p);
    return rc;
}

/*
 * reliable_standin.c - what the services use for reliable.h until you reach
 * exercise "nothing_lost": the simplest settings that work while nothing
 * fails. Exchange and queue vanish with a broker restart, messages are not
 * written to disk, order-core does not wait for a confirm, order-front's
 * deliveries are acked by the broker as it sends them, and Idempotency-Key
 * is ignored. The tests of "nothing_lost" use your reliable.c instead.
 */
#include "reliable.h"

#include <stdlib.h>
#include <string.h>

int reliable_publisher_setup(struct amqp_link *link, const char *exchange)
{
    amqp_exchange_declare(link->conn, AMQP_LINK_CHANNEL, amqp_link_bytes(exchange),
                          amqp_cstring_bytes("topic"), 0, 0, 0, 0, amqp_empty_table);
    return amqp_link_check(link, amqp_get_rpc_reply(link->conn), "amqp_exchange_declare");
}

int reliable_publish(struct amqp_link *link, const char *exchange, const char *routing_key,
                     const char *order_id, const char *traceparent, const char *body,
                     int timeout_ms)
{
    (void)timeout_ms;
    if (!link->conn)
        return amqp_link_fail(link, "reliable_publish: not connected");
    amqp_table_entry_t header = {
        .key = amqp_cstring_bytes("traceparent"),
        .value = {.kind = AMQP_FIELD_KIND_UTF8, .value.bytes = amqp_link_bytes(traceparent)}};
    amqp_basic_properties_t props;
    memset(&props, 0, sizeof props);
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG;
    props.content_type = amqp_cstring_bytes("application/json");
    props.message_id = amqp_link_bytes(order_id);
    if (traceparent) {
        props._flags |= AMQP_BASIC_HEADERS_FLAG;
        props.headers.num_entries = 1;
        props.headers.entries = &header;
    }
    int rc =
        amqp_basic_publish(link->conn, AMQP_LINK_CHANNEL, amqp_link_bytes(exchange),
                           amqp_link_bytes(routing_key), 0, 0, &props, amqp_cstring_bytes(body));
    return rc == AMQP_STATUS_OK
               ? 0
               : amqp_link_fail(link, "amqp_basic_publish: %s", amqp_error_string2(rc));
}

int reliable_consumer_setup(struct amqp_link *link, const char *exchange, const char *queue,
                            const char *binding_key)
{
    if (reliable_publisher_setup(link, exchange) != 0)
        return -1;
    amqp_queue_declare(link->conn, AMQP_LINK_CHANNEL, amqp_link_bytes(queue), 0, 0, 0, 1,
                       amqp_empty_table);
    if (amqp_link_check(link, amqp_get_rpc_reply(link->conn), "amqp_queue_declare") != 0)
        return -1;
    amqp_queue_bind(link->conn, AMQP_LINK_CHANNEL, amqp_link_bytes(queue),
                    amqp_link_bytes(exchange), amqp_link_bytes(binding_key), amqp_empty_table);
    if (amqp_link_check(link, amqp_get_rpc_reply(link->conn), "amqp_queue_bind") != 0)
        return -1;
    amqp_basic_consume(link->conn, AMQP_LINK_CHANNEL, amqp_link_bytes(queue), amqp_empty_bytes, 0,
                       1, 0, amqp_empty_table);
    return amqp_link_check(link, amqp_get_rpc_reply(link->conn), "amqp_basic_consume");
}

int reliable_ack(struct amqp_link *link, uint64_t delivery_tag)
{
    (void)link;
    (void)delivery_tag;
    return 0; /* consumed with no_ack: nothing to acknowledge */
}

struct idem_table {
    int unused;
};

struct idem_table *idem_create(void)
{
    return calloc(1, sizeof(struct idem_table));
}

void idem_destroy(struct idem_table *t)
{
    free(t);
}

int idem_claim(struct idem_table *t, const char *key, const char *order_id, char *earlier,
               size_t len)
{
    (void)t;
    (void)key;
    (void)order_id;
    (void)earlier;
    (void)len;
    return 1; /* every key is new: a retried POST places a second order */
}

void idem_forget(struct idem_table *t, const char *key)
{
    (void)t;
    (void)key;
}

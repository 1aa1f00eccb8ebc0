/* mistake: order-core answers OK as soon as the event is written to the socket, without waiting for the confirm
 * rule: "order-core: publishes one event and waits (at most timeout_ms) for the broker's confirm. Returns 0 only when the broker acked it"
 * caught-by: unroutable_event_is_not_accepted
 */
/*
 * reliable.c - exercise "nothing_lost": durable topology, persistent
 * messages, publisher confirms, manual acks, idempotency keys (contract in
 * reliable.h).
 *
 * librabbitmq 0.11 has no "wait for confirms" call: after amqp_basic_publish
 * we read frames until the basic.ack (or basic.nack) of our delivery tag
 * arrives; a basic.return before it means no queue took the message
 * (published with mandatory set), which is a failure too.
 */
#include "reliable.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Delivery tags count the messages published on the channel since confirm
 * mode was turned on; order-core has one publishing channel. */
static uint64_t published;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The exchange both sides declare, with the same settings (else 406). */
static int declare_exchange(struct amqp_link *link, const char *exchange)
{
    // @student-begin: declare exchange as a "topic" exchange that survives a broker
    // restart (durable = 1, auto_delete = 0).
    amqp_exchange_declare(link->conn, AMQP_LINK_CHANNEL, amqp_link_bytes(exchange),
                          amqp_cstring_bytes("topic"), 0, 1, 0, 0, amqp_empty_table);
    return amqp_link_check(link, amqp_get_rpc_reply(link->conn), "amqp_exchange_declare");
    // @student-stub
    // (void)exchange;
    // return amqp_link_fail(link, "declare_exchange is not written yet");
    // @student-end
}

int reliable_publisher_setup(struct amqp_link *link, const char *exchange)
{
    if (declare_exchange(link, exchange) != 0)
        return -1;
    // @student-begin: turn on publisher confirms (amqp_confirm_select) and restart the
    // delivery-tag count.
    amqp_confirm_select(link->conn, AMQP_LINK_CHANNEL);
    published = 0;
    return amqp_link_check(link, amqp_get_rpc_reply(link->conn), "amqp_confirm_select");
    // @student-stub
    // return amqp_link_fail(link, "reliable_publisher_setup is not written yet");
    // @student-end
}

/* Reads frames until the broker confirms (0) or refuses (-1) tag. */
static int wait_for_confirm(struct amqp_link *link, uint64_t tag, int timeout_ms)
{
    // @student-begin: loop on amqp_simple_wait_frame_noblock until timeout_ms: basic.ack of
    // tag (or multiple covering it) -> 0, unless a basic.return came first (read the returned
    // message with amqp_read_message) -> -1; basic.nack -> -1; channel or connection close
    // -> -1; library error -> -1. Set link->error each time.
    long long deadline = now_ms() + timeout_ms;
    bool returned = false;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return amqp_link_fail(link, "no publisher confirm within %d ms", timeout_ms);
        struct timeval tv = {.tv_sec = left / 1000, .tv_usec = (left % 1000) * 1000};
        amqp_frame_t frame;
        amqp_maybe_release_buffers(link->conn);
        int rc = amqp_simple_wait_frame_noblock(link->conn, &frame, &tv);
        if (rc == AMQP_STATUS_TIMEOUT)
            continue;
        if (rc != AMQP_STATUS_OK)
            return amqp_link_fail(link, "waiting for the confirm: %s", amqp_error_string2(rc));
        if (frame.frame_type != AMQP_FRAME_METHOD)
            continue;
        switch (frame.payload.method.id) {
        case AMQP_BASIC_ACK_METHOD: {
            amqp_basic_ack_t *ack = frame.payload.method.decoded;
            if (ack->delivery_tag == tag || (ack->multiple && ack->delivery_tag > tag))
                return returned ? amqp_link_fail(link, "no queue took the event (returned)") : 0;
            break;
        }
        case AMQP_BASIC_NACK_METHOD: return amqp_link_fail(link, "the broker nacked the event");
        case AMQP_BASIC_RETURN_METHOD: {
            returned = true;
            amqp_message_t message;
            amqp_rpc_reply_t r = amqp_read_message(link->conn, frame.channel, &message, 0);
            if (amqp_link_check(link, r, "amqp_read_message (returned event)") != 0)
                return -1;
            amqp_destroy_message(&message);
            break;
        }
        case AMQP_CHANNEL_CLOSE_METHOD:
        case AMQP_CONNECTION_CLOSE_METHOD:
            return amqp_link_fail(link, "the broker closed the channel while we waited");
        default: break;
        }
    }
    // @student-stub
    // (void)tag;
    // (void)timeout_ms;
    // (void)now_ms;
    // return amqp_link_fail(link, "wait_for_confirm is not written yet");
    // @student-end
}

int reliable_publish(struct amqp_link *link, const char *exchange, const char *routing_key,
                     const char *order_id, const char *traceparent, const char *body,
                     int timeout_ms)
{
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
    // @student-begin: make the message persistent (delivery mode 2), publish it with
    // mandatory set, count it and wait for its confirm.
    props._flags |= AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    int rc =
        amqp_basic_publish(link->conn, AMQP_LINK_CHANNEL, amqp_link_bytes(exchange),
                           amqp_link_bytes(routing_key), 1, 0, &props, amqp_cstring_bytes(body));
    if (rc != AMQP_STATUS_OK)
        return amqp_link_fail(link, "amqp_basic_publish: %s", amqp_error_string2(rc));
    published++;
    (void)wait_for_confirm;
    return 0;
    // @student-stub
    // (void)routing_key;
    // (void)body;
    // (void)timeout_ms;
    // (void)wait_for_confirm;
    // return amqp_link_fail(link, "reliable_publish is not written yet");
    // @student-end
}

int reliable_consumer_setup(struct amqp_link *link, const char *exchange, const char *queue,
                            const char *binding_key)
{
    if (declare_exchange(link, exchange) != 0)
        return -1;
    // @student-begin: declare queue durable (not exclusive, not auto-delete), bind it to
    // exchange with binding_key, set a prefetch (amqp_basic_qos, e.g. 50) and start
    // consuming with no_ack = 0 (manual acks). Check each step's reply.
    amqp_queue_declare(link->conn, AMQP_LINK_CHANNEL, amqp_link_bytes(queue), 0, 1, 0, 0,
                       amqp_empty_table);
    if (amqp_link_check(link, amqp_get_rpc_reply(link->conn), "amqp_queue_declare") != 0)
        return -1;
    amqp_queue_bind(link->conn, AMQP_LINK_CHANNEL, amqp_link_bytes(queue),
                    amqp_link_bytes(exchange), amqp_link_bytes(binding_key), amqp_empty_table);
    if (amqp_link_check(link, amqp_get_rpc_reply(link->conn), "amqp_queue_bind") != 0)
        return -1;
    amqp_basic_qos(link->conn, AMQP_LINK_CHANNEL, 0, 50, 0);
    if (amqp_link_check(link, amqp_get_rpc_reply(link->conn), "amqp_basic_qos") != 0)
        return -1;
    amqp_basic_consume(link->conn, AMQP_LINK_CHANNEL, amqp_link_bytes(queue), amqp_empty_bytes, 0,
                       0, 0, amqp_empty_table);
    return amqp_link_check(link, amqp_get_rpc_reply(link->conn), "amqp_basic_consume");
    // @student-stub
    // (void)queue;
    // (void)binding_key;
    // return amqp_link_fail(link, "reliable_consumer_setup is not written yet");
    // @student-end
}

int reliable_ack(struct amqp_link *link, uint64_t delivery_tag)
{
    // @student-begin: acknowledge this one delivery (amqp_basic_ack, multiple = 0).
    int rc = amqp_basic_ack(link->conn, AMQP_LINK_CHANNEL, delivery_tag, 0);
    return rc == AMQP_STATUS_OK
               ? 0
               : amqp_link_fail(link, "amqp_basic_ack: %s", amqp_error_string2(rc));
    // @student-stub
    // (void)delivery_tag;
    // return amqp_link_fail(link, "reliable_ack is not written yet");
    // @student-end
}

/* ---- idempotency keys ------------------------------------------------------ */

struct idem_entry {
    char *key;
    char *order_id;
    struct idem_entry *next;
};

struct idem_table {
    pthread_mutex_t lock;
    struct idem_entry *head;
};

struct idem_table *idem_create(void)
{
    struct idem_table *t = calloc(1, sizeof *t);
    if (!t || pthread_mutex_init(&t->lock, NULL) != 0) {
        fprintf(stderr, "idem_create: out of memory\n");
        free(t);
        return NULL;
    }
    return t;
}

void idem_destroy(struct idem_table *t)
{
    if (!t)
        return;
    while (t->head) {
        struct idem_entry *next = t->head->next;
        free(t->head->key);
        free(t->head->order_id);
        free(t->head);
        t->head = next;
    }
    pthread_mutex_destroy(&t->lock);
    free(t);
}

int idem_claim(struct idem_table *t, const char *key, const char *order_id, char *earlier,
               size_t len)
{
    // @student-begin: under the lock: when key is known copy its order id into earlier and
    // return 0; otherwise remember key -> order_id (copies) and return 1.
    pthread_mutex_lock(&t->lock);
    for (struct idem_entry *e = t->head; e; e = e->next) {
        if (strcmp(e->key, key) == 0) {
            snprintf(earlier, len, "%s", e->order_id);
            pthread_mutex_unlock(&t->lock);
            return 0;
        }
    }
    struct idem_entry *e = calloc(1, sizeof *e);
    if (!e || !(e->key = strdup(key)) || !(e->order_id = strdup(order_id))) {
        if (e)
            free(e->key);
        free(e);
        pthread_mutex_unlock(&t->lock);
        return -1;
    }
    e->next = t->head;
    t->head = e;
    pthread_mutex_unlock(&t->lock);
    return 1;
    // @student-stub
    // (void)t;
    // (void)key;
    // (void)order_id;
    // (void)earlier;
    // (void)len;
    // return -1;
    // @student-end
}

void idem_forget(struct idem_table *t, const char *key)
{
    pthread_mutex_lock(&t->lock);
    for (struct idem_entry **p = &t->head; *p; p = &(*p)->next) {
        if (strcmp((*p)->key, key) == 0) {
            struct idem_entry *gone = *p;
            *p = gone->next;
            free(gone->key);
            free(gone->order_id);
            free(gone);
            break;
        }
    }
    pthread_mutex_unlock(&t->lock);
}

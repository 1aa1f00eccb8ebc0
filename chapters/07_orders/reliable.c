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
    // TODO: declare exchange as a "topic" exchange that survives a broker
    // restart (durable = 1, auto_delete = 0).
    (void)exchange;
    return amqp_link_fail(link, "declare_exchange is not written yet");
}

int reliable_publisher_setup(struct amqp_link *link, const char *exchange)
{
    if (declare_exchange(link, exchange) != 0)
        return -1;
    // TODO: turn on publisher confirms (amqp_confirm_select) and restart the
    // delivery-tag count.
    return amqp_link_fail(link, "reliable_publisher_setup is not written yet");
}

/* Reads frames until the broker confirms (0) or refuses (-1) tag. */
static int wait_for_confirm(struct amqp_link *link, uint64_t tag, int timeout_ms)
{
    // TODO: loop on amqp_simple_wait_frame_noblock until timeout_ms: basic.ack of
    // tag (or multiple covering it) -> 0, unless a basic.return came first (read the returned
    // message with amqp_read_message) -> -1; basic.nack -> -1; channel or connection close
    // -> -1; library error -> -1. Set link->error each time.
    (void)tag;
    (void)timeout_ms;
    (void)now_ms;
    return amqp_link_fail(link, "wait_for_confirm is not written yet");
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
    // TODO: make the message persistent (delivery mode 2), publish it with
    // mandatory set, count it and wait for its confirm.
    (void)routing_key;
    (void)body;
    (void)timeout_ms;
    (void)wait_for_confirm;
    return amqp_link_fail(link, "reliable_publish is not written yet");
}

int reliable_consumer_setup(struct amqp_link *link, const char *exchange, const char *queue,
                            const char *binding_key)
{
    if (declare_exchange(link, exchange) != 0)
        return -1;
    // TODO: declare queue durable (not exclusive, not auto-delete), bind it to
    // exchange with binding_key, set a prefetch (amqp_basic_qos, e.g. 50) and start
    // consuming with no_ack = 0 (manual acks). Check each step's reply.
    (void)queue;
    (void)binding_key;
    return amqp_link_fail(link, "reliable_consumer_setup is not written yet");
}

int reliable_ack(struct amqp_link *link, uint64_t delivery_tag)
{
    // TODO: acknowledge this one delivery (amqp_basic_ack, multiple = 0).
    (void)delivery_tag;
    return amqp_link_fail(link, "reliable_ack is not written yet");
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
    // TODO: under the lock: when key is known copy its order id into earlier and
    // return 0; otherwise remember key -> order_id (copies) and return 1.
    (void)t;
    (void)key;
    (void)order_id;
    (void)earlier;
    (void)len;
    return -1;
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

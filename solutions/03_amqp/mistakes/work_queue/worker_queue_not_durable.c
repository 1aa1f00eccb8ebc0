/* mistake: the worker declares the task queue non-durable, which the broker refuses for the durable queue (406)
 * rule: "the queue is durable and every task persistent (producer.c),"
 * caught-by: prefetch_gives_fair_dispatch stop_flag_ends_worker
 */
/*
 * work_queue.c - exercise "work_queue": fair dispatch with basic.qos, and
 * reconnect + retry so that a broker restart loses no task.
 *
 * Publishing reuses the producer of exercise 1 (producer.c): a durable queue,
 * persistent messages, publisher confirms.
 */
#include "work_queue.h"

#include "producer.h"

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

int work_submit(const char *url, const char *queue, const char *message_id, const char *text,
                int deadline_ms, char *err, size_t errlen)
{
    // producer_publish_props with message_id set; on failure remember the error, close,
    // sleep ~200 ms, try again.
    long long deadline = now_ms() + deadline_ms;
    amqp_basic_properties_t props;
    memset(&props, 0, sizeof props);
    props._flags = AMQP_BASIC_MESSAGE_ID_FLAG;
    props.message_id = amqp_cstring_bytes(message_id);

    for (;;) {
        struct producer p;
        int rc = -1;
        if (producer_open(&p, url) == 0 && producer_declare_queue(&p, queue) == 0 &&
            producer_publish_props(&p, "", queue, text, strlen(text), &props) == 0)
            rc = 0;
        if (rc != 0)
            amqp_link_copy_error(&p.link, err, errlen);
        producer_close(&p);
        if (rc == 0)
            return 0;
        if (now_ms() + 200 >= deadline)
            return -1;
        usleep(200 * 1000);
    }
}

// receive loop) that returns when the connection breaks or *stop is set.
/* Runs one connected session. Returns 0 when *stop was set, -1 when the
 * connection broke (the caller reconnects). *acked counts acked tasks. */
static int session(struct amqp_link *link, const struct work_options *opt, work_handler handler,
                   void *user, int *acked)
{
    amqp_queue_declare(link->conn, AMQP_LINK_CHANNEL, amqp_cstring_bytes(opt->queue), 0, 0, 0, 0,
                       amqp_empty_table);
    if (amqp_link_check(link, amqp_get_rpc_reply(link->conn), "queue.declare"))
        return -1;
    amqp_basic_qos(link->conn, AMQP_LINK_CHANNEL, 0, (uint16_t)opt->prefetch, 0);
    if (amqp_link_check(link, amqp_get_rpc_reply(link->conn), "basic.qos"))
        return -1;
    amqp_basic_consume(link->conn, AMQP_LINK_CHANNEL, amqp_cstring_bytes(opt->queue),
                       amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    if (amqp_link_check(link, amqp_get_rpc_reply(link->conn), "basic.consume"))
        return -1;

    while (!(opt->stop && *opt->stop)) {
        amqp_envelope_t envelope;
        struct timeval tv = {.tv_sec = 0, .tv_usec = 200 * 1000};
        amqp_maybe_release_buffers(link->conn);
        amqp_rpc_reply_t reply = amqp_consume_message(link->conn, &envelope, &tv, 0);
        if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            reply.library_error == AMQP_STATUS_TIMEOUT)
            continue;
        if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
            /* connection.close (broker shutting down), EOF, socket error:
             * all mean "this session is over". */
            return amqp_link_fail(link, "connection lost while consuming");
        }

        char id[256] = "";
        if (envelope.message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG)
            snprintf(id, sizeof id, "%.*s", (int)envelope.message.properties.message_id.len,
                     (const char *)envelope.message.properties.message_id.bytes);
        int failed = handler(id, envelope.message.body.bytes, envelope.message.body.len,
                             envelope.redelivered, user);
        int rc = failed ? amqp_basic_reject(link->conn, AMQP_LINK_CHANNEL, envelope.delivery_tag, 1)
                        : amqp_basic_ack(link->conn, AMQP_LINK_CHANNEL, envelope.delivery_tag, 0);
        amqp_destroy_envelope(&envelope);
        if (rc != AMQP_STATUS_OK)
            return amqp_link_fail(link, "ack/reject: %s", amqp_error_string2(rc));
        if (!failed)
            (*acked)++;
    }
    return 0;
}

int work_run(const char *url, const struct work_options *opt, work_handler handler, void *user,
             char *err, size_t errlen)
{
    // connection; return the number of acked tasks once *stop is set.
    int give_up_ms = opt->give_up_ms > 0 ? opt->give_up_ms : 30000;
    int acked = 0;
    long long unreachable_since = -1;

    while (!(opt->stop && *opt->stop)) {
        struct amqp_link link;
        if (amqp_link_open(&link, url, 2000) != 0) {
            if (unreachable_since < 0)
                unreachable_since = now_ms();
            if (now_ms() - unreachable_since >= give_up_ms) {
                amqp_link_copy_error(&link, err, errlen);
                return -1;
            }
            usleep(200 * 1000);
            continue;
        }
        unreachable_since = -1;
        int rc = session(&link, opt, handler, user, &acked);
        amqp_link_close(&link);
        if (rc != 0)
            usleep(200 * 1000); /* broken: wait a little, then reconnect */
    }
    return acked;
}

/*
 * consumer.c - exercise "consumer": basic.consume with manual acks, reject
 * with requeue on failure, dead-letter on a second failure, clean stop.
 *
 * The receive loop waits at most 200 ms per amqp_consume_message call, so a
 * stop flag set by a signal handler is noticed quickly.
 */
#include "consumer.h"

#include <stdio.h>
#include <string.h>

int consumer_declare(struct amqp_link *link, const char *queue)
{
    // @student-begin: declare QUEUE.dead, then QUEUE with its dead-letter arguments.
    // Build an amqp_table_t of two amqp_table_entry_t (kind AMQP_FIELD_KIND_UTF8).
    char dead[256];
    snprintf(dead, sizeof dead, "%s%s", queue, CONSUMER_DEAD_SUFFIX);
    amqp_queue_declare(link->conn, AMQP_LINK_CHANNEL, amqp_cstring_bytes(dead), 0, 1, 0, 0,
                       amqp_empty_table);
    if (amqp_link_check(link, amqp_get_rpc_reply(link->conn), "queue.declare (dead letters)"))
        return -1;

    amqp_table_entry_t entries[2];
    entries[0].key = amqp_cstring_bytes("x-dead-letter-exchange");
    entries[0].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[0].value.value.bytes = amqp_cstring_bytes("");
    entries[1].key = amqp_cstring_bytes("x-dead-letter-routing-key");
    entries[1].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[1].value.value.bytes = amqp_cstring_bytes(dead);
    amqp_table_t arguments = {.num_entries = 2, .entries = entries};

    amqp_queue_declare(link->conn, AMQP_LINK_CHANNEL, amqp_cstring_bytes(queue), 0, 1, 0, 0,
                       arguments);
    return amqp_link_check(link, amqp_get_rpc_reply(link->conn), "queue.declare");
    // @student-stub
    // (void)queue;
    // return amqp_link_fail(link, "consumer_declare: not implemented yet");
    // @student-end
}

// @student-begin: the receive loop (a helper is a good idea).
// amqp_consume_message with a short timeout; AMQP_STATUS_TIMEOUT just means
// "nothing yet" (check the stop flag); AMQP_STATUS_UNEXPECTED_STATE means a
// non-delivery frame is waiting: read it (amqp_simple_wait_frame_noblock) - a
// channel.close or connection.close there is an error.
static int receive_loop(struct amqp_link *link, const struct consumer_options *opt,
                        consumer_handler handler, void *user)
{
    int settled = 0, handled = 0;
    while ((opt->max_messages == 0 || settled < opt->max_messages) && !(opt->stop && *opt->stop)) {
        amqp_envelope_t envelope;
        struct timeval tv = {.tv_sec = 0, .tv_usec = 200 * 1000};
        amqp_maybe_release_buffers(link->conn);
        amqp_rpc_reply_t reply = amqp_consume_message(link->conn, &envelope, &tv, 0);

        if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            reply.library_error == AMQP_STATUS_TIMEOUT)
            continue;
        if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
            amqp_frame_t frame;
            struct timeval wait = {.tv_sec = 1, .tv_usec = 0};
            int rc = amqp_simple_wait_frame_noblock(link->conn, &frame, &wait);
            if (rc != AMQP_STATUS_OK)
                return amqp_link_fail(link, "reading a frame: %s", amqp_error_string2(rc));
            if (frame.frame_type == AMQP_FRAME_METHOD &&
                (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
                 frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD))
                return amqp_link_fail(link, "the broker closed the %s while consuming",
                                      frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD
                                          ? "channel"
                                          : "connection");
            continue; /* e.g. a basic.cancel-ok or heartbeat: ignore */
        }
        if (amqp_link_check(link, reply, "amqp_consume_message") != 0)
            return -1;

        int failed = handler(&envelope, user);
        int rc;
        if (failed == 0) {
            rc = amqp_basic_ack(link->conn, AMQP_LINK_CHANNEL, envelope.delivery_tag, 0);
            handled++;
        } else {
            /* requeue on the first failure, dead-letter on the second */
            amqp_boolean_t requeue = envelope.redelivered ? 0 : 1;
            rc = amqp_basic_reject(link->conn, AMQP_LINK_CHANNEL, envelope.delivery_tag, requeue);
        }
        amqp_destroy_envelope(&envelope);
        if (rc != AMQP_STATUS_OK)
            return amqp_link_fail(link, "%s: %s", failed ? "amqp_basic_reject" : "amqp_basic_ack",
                                  amqp_error_string2(rc));
        settled++;
    }
    return handled;
}
// @student-stub
// @student-end

int consumer_run(const char *url, const struct consumer_options *opt, consumer_handler handler,
                 void *user, char *err, size_t errlen)
{
    struct amqp_link link;
    int result = -1;
    // @student-begin: connect, declare (unless opt->existing_queue), basic.qos, basic.consume
    // (no_ack = 0), receive loop.
    // On any failure copy link.error into err. Always close the link.
    if (amqp_link_open(&link, url, 5000) != 0) {
        amqp_link_copy_error(&link, err, errlen);
        return -1;
    }
    uint16_t prefetch = opt->prefetch > 0 ? (uint16_t)opt->prefetch : 10;
    if (opt->existing_queue || consumer_declare(&link, opt->queue) == 0) {
        amqp_basic_qos(link.conn, AMQP_LINK_CHANNEL, 0, prefetch, 0);
        if (amqp_link_check(&link, amqp_get_rpc_reply(link.conn), "amqp_basic_qos") == 0) {
            amqp_basic_consume(link.conn, AMQP_LINK_CHANNEL, amqp_cstring_bytes(opt->queue),
                               amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
            if (amqp_link_check(&link, amqp_get_rpc_reply(link.conn), "amqp_basic_consume") == 0)
                result = receive_loop(&link, opt, handler, user);
        }
    }
    if (result < 0)
        amqp_link_copy_error(&link, err, errlen);
    amqp_link_close(&link);
    // @student-stub
    // (void)url;
    // (void)opt;
    // (void)handler;
    // (void)user;
    // (void)link;
    // snprintf(err, errlen, "consumer_run: not implemented yet");
    // @student-end
    return result;
}

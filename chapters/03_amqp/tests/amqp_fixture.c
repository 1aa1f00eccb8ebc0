/*
 * amqp_fixture.c - direct broker access for chapter 03's tests.
 */
#include "amqp_fixture.h"

#include "wb_testkit.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *fx_url(void)
{
    const char *url = wb_env_or("AMQP_ADDR", NULL);
    cr_assert(url != NULL, "AMQP_ADDR is not set: the tests need a RabbitMQ broker. Start "
                           "one with scripts/broker-rabbitmq.sh up and export the AMQP_ADDR "
                           "line of build/brokers/rabbitmq/env (make test does both)");
    return url;
}

const char *fx_bad_password_url(void)
{
    static char url[512];
    const char *good = fx_url();
    const char *at = strrchr(good, '@');
    cr_assert(at != NULL, "AMQP_ADDR '%s' has no user:password@ part", good);
    snprintf(url, sizeof url, "amqp://guest:wrong-password%s", at);
    return url;
}

static void fx_open(struct amqp_link *link)
{
    cr_assert(amqp_link_open(link, fx_url(), 5000) == 0,
              "test fixture cannot reach the broker at %s: %s", fx_url(), link->error);
}

void fx_declare(const char *queue, bool durable)
{
    struct amqp_link link;
    fx_open(&link);
    amqp_queue_declare(link.conn, AMQP_LINK_CHANNEL, amqp_link_bytes(queue), 0, durable, 0, 0,
                       amqp_empty_table);
    int rc = amqp_link_check(&link, amqp_get_rpc_reply(link.conn), "queue.declare");
    amqp_link_close(&link);
    /* 406 here is the code under test's doing: it declared the queue first. */
    cr_assert(rc == 0 || !strstr(link.error, "PRECONDITION_FAILED"),
              "queue '%s' was declared by your code with other properties than the test expects "
              "(durable=%d, not exclusive, not auto-delete, no arguments); the broker refused "
              "the test's own declare with: %s. Everyone who declares a queue must declare it "
              "the same way",
              queue, durable, link.error);
    cr_assert(rc == 0, "test fixture: declaring queue '%s' (durable=%d) failed: %s", queue, durable,
              link.error);
}

void fx_publish(const char *queue, const char *body, const char *message_id)
{
    struct amqp_link link;
    fx_open(&link);
    amqp_basic_properties_t props;
    memset(&props, 0, sizeof props);
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    if (message_id) {
        props._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
        props.message_id = amqp_cstring_bytes(message_id);
    }
    int rc = amqp_basic_publish(link.conn, AMQP_LINK_CHANNEL, amqp_empty_bytes,
                                amqp_link_bytes(queue), 0, 0, &props, amqp_cstring_bytes(body));
    cr_assert(rc == AMQP_STATUS_OK, "test fixture: publishing to '%s' failed: %s", queue,
              amqp_error_string2(rc));
    /* A synchronous call on the same channel: once it returns, the broker has
     * routed the message published before it. */
    amqp_queue_declare(link.conn, AMQP_LINK_CHANNEL, amqp_link_bytes(queue), 1, 0, 0, 0,
                       amqp_empty_table);
    rc = amqp_link_check(&link, amqp_get_rpc_reply(link.conn), "queue.declare (passive)");
    amqp_link_close(&link);
    cr_assert(rc == 0, "test fixture: queue '%s' missing after publishing: %s", queue, link.error);
}

bool fx_get(const char *queue, struct fx_message *out, int timeout_ms)
{
    struct amqp_link link;
    fx_open(&link);
    memset(out, 0, sizeof *out);
    int64_t deadline = wb_now_ms() + timeout_ms;
    bool got = false;
    for (;;) {
        amqp_rpc_reply_t reply =
            amqp_basic_get(link.conn, AMQP_LINK_CHANNEL, amqp_link_bytes(queue), 1);
        int rc = amqp_link_check(&link, reply, "basic.get");
        cr_assert(rc == 0, "test fixture: basic.get on '%s' failed: %s", queue, link.error);
        if (reply.reply.id == AMQP_BASIC_GET_OK_METHOD) {
            amqp_basic_get_ok_t *ok = reply.reply.decoded;
            out->redelivered = ok->redelivered;
            amqp_message_t msg;
            rc = amqp_link_check(&link, amqp_read_message(link.conn, AMQP_LINK_CHANNEL, &msg, 0),
                                 "read_message");
            cr_assert(rc == 0, "test fixture: reading message from '%s' failed: %s", queue,
                      link.error);
            out->len = msg.body.len < sizeof out->body - 1 ? msg.body.len : sizeof out->body - 1;
            memcpy(out->body, msg.body.bytes, out->len);
            if (msg.properties._flags & AMQP_BASIC_DELIVERY_MODE_FLAG)
                out->delivery_mode = msg.properties.delivery_mode;
            if (msg.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG)
                snprintf(out->message_id, sizeof out->message_id, "%.*s",
                         (int)msg.properties.message_id.len,
                         (const char *)msg.properties.message_id.bytes);
            amqp_destroy_message(&msg);
            got = true;
            break;
        }
        if (wb_now_ms() >= deadline)
            break;
        usleep(50 * 1000);
    }
    amqp_link_close(&link);
    return got;
}

bool fx_queue_exists(const char *queue)
{
    struct amqp_link link;
    fx_open(&link);
    amqp_queue_declare(link.conn, AMQP_LINK_CHANNEL, amqp_link_bytes(queue), 1, 0, 0, 0,
                       amqp_empty_table);
    int rc = amqp_link_check(&link, amqp_get_rpc_reply(link.conn), "queue.declare (passive)");
    amqp_link_close(&link);
    /* 405 RESOURCE_LOCKED: it exists, as another connection's exclusive queue. */
    return rc == 0 || !strstr(link.error, "NOT_FOUND");
}

long fx_count(const char *queue)
{
    struct amqp_link link;
    fx_open(&link);
    amqp_queue_declare_ok_t *ok = amqp_queue_declare(
        link.conn, AMQP_LINK_CHANNEL, amqp_link_bytes(queue), 1, 0, 0, 0, amqp_empty_table);
    long count = ok ? (long)ok->message_count : -1;
    amqp_link_close(&link);
    return count;
}

void fx_delete(const char *queue)
{
    struct amqp_link link;
    fx_open(&link);
    amqp_queue_delete(link.conn, AMQP_LINK_CHANNEL, amqp_link_bytes(queue), 0, 0);
    amqp_link_close(&link); /* best effort: a missing queue is fine */
}

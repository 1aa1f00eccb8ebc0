/*
 * amqp_link.c - open/close one RabbitMQ connection and explain failures.
 *
 * The sequence is the one every librabbitmq program starts with:
 *   amqp_parse_url -> amqp_new_connection -> amqp_tcp_socket_new ->
 *   amqp_socket_open_noblock (bounded connect) -> amqp_login -> amqp_channel_open.
 * Handshake and RPC timeouts are set so a broker that stops answering gives
 * an error instead of a hang.
 */
#include "amqp_link.h"

#include <amqp_tcp_socket.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

int amqp_link_fail(struct amqp_link *link, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(link->error, sizeof link->error, fmt, ap);
    va_end(ap);
    return -1;
}

void amqp_link_copy_error(const struct amqp_link *link, char *buf, size_t len)
{
    if (buf && len > 0)
        snprintf(buf, len, "%s", link->error);
}

amqp_bytes_t amqp_link_bytes(const char *text)
{
    return amqp_cstring_bytes(text ? text : "");
}

int amqp_link_check(struct amqp_link *link, amqp_rpc_reply_t reply, const char *what)
{
    switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL: return 0;
    case AMQP_RESPONSE_NONE:
        return amqp_link_fail(link, "%s: no reply from the broker (missing RPC reply)", what);
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        return amqp_link_fail(link, "%s: %s", what, amqp_error_string2(reply.library_error));
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
            amqp_connection_close_t *m = reply.reply.decoded;
            return amqp_link_fail(link, "%s: broker closed the connection: %u %.*s", what,
                                  m->reply_code, (int)m->reply_text.len,
                                  (const char *)m->reply_text.bytes);
        }
        if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
            amqp_channel_close_t *m = reply.reply.decoded;
            return amqp_link_fail(link, "%s: broker closed the channel: %u %.*s", what,
                                  m->reply_code, (int)m->reply_text.len,
                                  (const char *)m->reply_text.bytes);
        }
        return amqp_link_fail(link, "%s: unexpected broker method 0x%08X", what,
                              (unsigned)reply.reply.id);
    }
    return amqp_link_fail(link, "%s: unknown reply type %d", what, (int)reply.reply_type);
}

int amqp_link_open(struct amqp_link *link, const char *url, int timeout_ms)
{
    link->conn = NULL;
    link->error[0] = '\0';
    if (!url || !*url)
        return amqp_link_fail(link, "no AMQP URL given (set AMQP_ADDR, e.g. "
                                    "amqp://guest:guest@127.0.0.1:5672/%%2f)");

    /* amqp_parse_url writes into the string it parses: give it a copy. */
    char *copy = strdup(url);
    if (!copy)
        return amqp_link_fail(link, "strdup: out of memory");
    struct amqp_connection_info info;
    amqp_default_connection_info(&info);
    int rc = amqp_parse_url(copy, &info);
    if (rc != AMQP_STATUS_OK) {
        free(copy);
        return amqp_link_fail(link,
                              "amqp_parse_url(\"%s\"): %s (expected "
                              "amqp://user:pass@host:port/vhost)",
                              url, amqp_error_string2(rc));
    }

    amqp_connection_state_t conn = amqp_new_connection();
    if (!conn) {
        free(copy);
        return amqp_link_fail(link, "amqp_new_connection: out of memory");
    }
    amqp_socket_t *socket = amqp_tcp_socket_new(conn);
    if (!socket) {
        amqp_destroy_connection(conn);
        free(copy);
        return amqp_link_fail(link, "amqp_tcp_socket_new: out of memory");
    }

    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    rc = amqp_socket_open_noblock(socket, info.host, info.port, &tv);
    if (rc != AMQP_STATUS_OK) {
        amqp_link_fail(link,
                       "cannot connect to %s:%d: %s - is the broker running? "
                       "(scripts/broker-rabbitmq.sh up, or check AMQP_ADDR)",
                       info.host, info.port, amqp_error_string2(rc));
        amqp_destroy_connection(conn);
        free(copy);
        return -1;
    }
    /* Bound every later wait: handshake/login, and each synchronous RPC. */
    struct timeval rpc_tv = {.tv_sec = 10, .tv_usec = 0};
    if (amqp_set_handshake_timeout(conn, &tv) != AMQP_STATUS_OK ||
        amqp_set_rpc_timeout(conn, &rpc_tv) != AMQP_STATUS_OK) {
        amqp_link_fail(link, "amqp_set_handshake_timeout/amqp_set_rpc_timeout failed");
        amqp_destroy_connection(conn);
        free(copy);
        return -1;
    }

    amqp_rpc_reply_t reply = amqp_login(conn, info.vhost, 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                                        info.user, info.password);
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
        char what[300];
        snprintf(what, sizeof what, "login to %s:%d as '%s' (vhost '%s')", info.host, info.port,
                 info.user, info.vhost);
        amqp_link_check(link, reply, what);
        if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            reply.library_error == AMQP_STATUS_CONNECTION_CLOSED) {
            /* Older brokers just drop the connection on bad credentials. */
            size_t used = strlen(link->error);
            snprintf(link->error + used, sizeof link->error - used,
                     " (ACCESS_REFUSED? check user and password)");
        }
        amqp_destroy_connection(conn);
        free(copy);
        return -1;
    }
    free(copy);

    amqp_channel_open(conn, AMQP_LINK_CHANNEL);
    link->conn = conn;
    if (amqp_link_check(link, amqp_get_rpc_reply(conn), "amqp_channel_open") != 0) {
        char saved[sizeof link->error];
        memcpy(saved, link->error, sizeof saved);
        amqp_link_close(link);
        memcpy(link->error, saved, sizeof saved);
        return -1;
    }
    return 0;
}

void amqp_link_close(struct amqp_link *link)
{
    if (!link->conn)
        return;
    /* Errors are ignored on purpose: the connection may already be gone. */
    amqp_channel_close(link->conn, AMQP_LINK_CHANNEL, AMQP_REPLY_SUCCESS);
    amqp_connection_close(link->conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(link->conn);
    link->conn = NULL;
}

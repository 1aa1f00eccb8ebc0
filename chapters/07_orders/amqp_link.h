/*
 * amqp_link.h - one connection + one channel to RabbitMQ, with readable errors.
 *
 * Both services of this chapter talk to the broker through a struct
 * amqp_link: amqp_link_open() parses an AMQP URL
 * ("amqp://user:pass@host:port/vhost"), connects with a time limit, logs in and
 * opens channel 1. When something fails, link->error says what, in words a
 * person can act on ("connection refused: is the broker running?").
 *
 * This file is given (instructor-owned); read it, you will call it.
 */
#ifndef AMQP_LINK_H
#define AMQP_LINK_H

#include <amqp.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/time.h> /* struct timeval, used by librabbitmq timeouts */

/* The channel every exercise uses. One channel is enough for one thread. */
#define AMQP_LINK_CHANNEL 1

struct amqp_link {
    amqp_connection_state_t conn; /* NULL when not connected */
    char error[512];              /* last error, "" if none */
};

/* Connects to url, logs in and opens AMQP_LINK_CHANNEL, waiting at most
 * timeout_ms for the TCP connect. Returns 0, or -1 with link->error set
 * (link->conn is then NULL). */
int amqp_link_open(struct amqp_link *link, const char *url, int timeout_ms);

/* Closes channel and connection politely if possible, frees everything.
 * Safe to call twice and on a link that never opened. */
void amqp_link_close(struct amqp_link *link);

/* Turns the reply of a synchronous librabbitmq call into 0, or -1 with
 * link->error = "WHAT: reason" (library error, or the broker's close code
 * and text such as "404 NOT_FOUND - no queue 'x'"). */
int amqp_link_check(struct amqp_link *link, amqp_rpc_reply_t reply, const char *what);

/* Sets link->error like printf and returns -1, for one-line error exits. */
int amqp_link_fail(struct amqp_link *link, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Copies link->error into buf (if buf is not NULL), for functions that report
 * errors through a caller's buffer. */
void amqp_link_copy_error(const struct amqp_link *link, char *buf, size_t len);

/* An amqp_bytes_t that points at a C string (no copy). */
amqp_bytes_t amqp_link_bytes(const char *text);

#endif

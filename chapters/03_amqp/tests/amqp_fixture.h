/*
 * amqp_fixture.h - what chapter 03's tests use to look at the broker directly:
 * declare, publish, get and count messages without going through the code
 * under test. Every call asserts (Criterion) on failure with a message that
 * says what broke. The broker address comes from AMQP_ADDR.
 */
#ifndef AMQP_FIXTURE_H
#define AMQP_FIXTURE_H

#include "amqp_link.h"

#include <stdbool.h>

struct fx_message {
    char body[1024];
    size_t len;
    int delivery_mode;    /* 2 = persistent, 0 = not set */
    char message_id[128]; /* "" when not set */
    bool redelivered;
};

/* AMQP_ADDR, or a failed assertion explaining how to start a broker. */
const char *fx_url(void);
/* The URL of our broker with a wrong password. */
const char *fx_bad_password_url(void);

void fx_declare(const char *queue, bool durable);
/* Publishes to the default exchange, persistent; message_id may be NULL. */
void fx_publish(const char *queue, const char *body, const char *message_id);
/* basic.get (auto-ack), polling up to timeout_ms. true when a message came. */
bool fx_get(const char *queue, struct fx_message *out, int timeout_ms);
/* Messages ready in queue (unacked ones are not counted), -1 if no such queue. */
long fx_count(const char *queue);
/* True when the broker has a queue of that name (a passive declare does not
 * answer 404 NOT_FOUND; another connection's exclusive queue counts). */
bool fx_queue_exists(const char *queue);
void fx_delete(const char *queue);

#endif

/*
 * nats_fixture.h - what chapter 05's tests share: the server's address, a
 * libnats connection made with the given nats_link, and the independent
 * peer (testkit/wb_nats.h, NATS's text protocol without libnats). Every call
 * asserts (Criterion) on failure with a message that says what broke.
 */
#ifndef NATS_FIXTURE_H
#define NATS_FIXTURE_H

#include "nats_link.h"
#include "wb_nats.h"

#include <jansson.h>

/* NATS_URL, or a failed assertion explaining how to start a server. */
const char *fx_url(void);

/* A libnats connection to NATS_URL (nats_link_connect, reconnecting). */
natsConnection *fx_connect(void);

/* The peer, connected to NATS_URL. Close with wb_nats_close. */
struct wb_nats *fx_peer(void);

/* Publishes body on subject through the peer and waits until the server has
 * it (PING/PONG). */
void fx_publish(struct wb_nats *peer, const char *subject, const char *body);

/* A JetStream API call through the peer ("STREAM.INFO.NAME", ...): the
 * parsed reply; asserts when there is none or it holds an error. */
json_t *fx_js(struct wb_nats *peer, const char *api, const char *body);

/* "<prefix>_<unique>" with only characters allowed in stream, consumer and
 * subject tokens (letters, digits, '_'). Static buffer, like wb_unique_name. */
const char *fx_name(const char *prefix);

/* Suite teardown: libnats's global state (threads, memory) is released with
 * nats_Close() once every connection of the test is gone. */
void fx_nats_close(void);

#endif

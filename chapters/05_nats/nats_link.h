/*
 * nats_link.h - connecting to a NATS server, and errors in words.
 *
 * nats_link_connect() checks the URL, connects with a time limit and sets the
 * reconnect policy every exercise of this chapter relies on: when the server
 * goes away, libnats reconnects by itself (every 100 ms, without end) and
 * re-creates the connection's subscriptions. While it is disconnected,
 * publishes are buffered and requests fail (or time out); your code retries.
 *
 * nats_link_error() turns a natsStatus into one sentence for an err buffer:
 * "WHAT: the library's text (its detail)".
 *
 * This file is given (instructor-owned); read it, you will call it.
 */
#ifndef NATS_LINK_H
#define NATS_LINK_H

#include <nats/nats.h>
#include <stddef.h>

/* Connects to url ("nats://HOST:PORT"), waiting at most timeout_ms for the
 * server. Returns 0 with *nc set (free with natsConnection_Destroy), or -1
 * with err saying what is wrong: a URL that is not nats://HOST:PORT, nothing
 * listening there ("is nats-server running?"), something that is not a NATS
 * server. */
int nats_link_connect(natsConnection **nc, const char *url, int timeout_ms, char *err,
                      size_t errlen);

/* Writes "what: <status text> (<library detail>)" into err and returns -1, for
 * one-line error exits: `return nats_link_error(s, "natsConnection_Flush", err, errlen);`.
 * jerr is the JetStream error code of a js_* call (0 when there is none). */
int nats_link_error(natsStatus s, int jerr, const char *what, char *err, size_t errlen);

#endif

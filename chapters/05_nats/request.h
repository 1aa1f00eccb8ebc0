/*
 * request.h - exercise "request": request/reply over NATS, with a time
 * limit, and "no responders" told apart from a timeout.
 *
 * A request is a publish with a reply subject: libnats subscribes a private
 * inbox ("_INBOX.<random>"), publishes the request with that inbox as reply
 * subject and waits for the first message on it. A responder is a plain
 * subscriber that publishes its answer to the request's reply subject
 * (natsConnection_RespondMsg). Responders in one queue group share the
 * requests: each goes to one of them.
 *
 * Two different failures:
 *   - nobody subscribes to the subject: the server answers at once with a
 *     "no responders" status (NATS_NO_RESPONDERS) - a wrong subject, or the
 *     service is down;
 *   - a responder got the request but did not answer within the time limit
 *     (NATS_TIMEOUT) - the service is slow or stuck.
 */
#ifndef REQUEST_H
#define REQUEST_H

#include "nats_link.h"

#include <signal.h>

#define REQUEST_TIMEOUT (-2)
#define REQUEST_NO_RESPONDERS (-3)

/* Sends request on subject through nc and waits up to timeout_ms for the
 * reply. Returns 0 with the reply in reply (NUL-terminated, truncated to
 * fit); REQUEST_NO_RESPONDERS when nobody listens on subject (err says so:
 * "no responders on SUBJECT"); REQUEST_TIMEOUT when no reply came in time
 * (err: "no reply on SUBJECT within N ms"); -1 on any other error. */
int request_call(natsConnection *nc, const char *subject, const char *request, char *reply,
                 size_t replylen, int timeout_ms, char *err, size_t errlen);

/* Computes the answer to one request into reply (NUL-terminated). */
typedef void (*request_handler)(const char *request, size_t len, char *reply, size_t replylen,
                                void *user);

struct request_server_options {
    const char *subject;
    const char *group;                 /* queue group, or NULL for none */
    const volatile sig_atomic_t *stop; /* return soon (< 1 s) once *stop != 0 */
    volatile sig_atomic_t *ready;      /* set to 1 once the server knows the subscription */
};

/* A responder: subscribes to opt->subject (in opt->group, if any), flushes,
 * sets *opt->ready, then answers every request with what handler computes,
 * until *opt->stop. A message without a reply subject cannot be answered:
 * skip it and go on. Returns the number of requests answered, or -1 with
 * err set. */
int request_serve(natsConnection *nc, const struct request_server_options *opt,
                  request_handler handler, void *user, char *err, size_t errlen);

#endif

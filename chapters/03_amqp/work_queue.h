/*
 * work_queue.h - exercise "work_queue": tasks shared fairly between workers,
 * and not one lost when the broker restarts.
 *
 * Fair dispatch: basic.qos(prefetch_count = N) caps the unacked messages a
 * worker holds, so a busy worker stops receiving and an idle one gets the
 * next task (without it, RabbitMQ deals messages round-robin up front).
 *
 * Surviving a restart takes every piece together:
 *   - the queue is durable and every task persistent (producer.c),
 *   - work_submit counts a task as sent only once confirmed, and retries
 *     (reconnecting) until then - so a task may be sent twice,
 *   - work_run reconnects when the connection drops, and tasks it handled but
 *     could not ack come again (redelivered) - so a task may be seen twice.
 * Each task therefore carries a message_id, and handlers must be idempotent:
 * seeing an id twice must not do the work twice.
 */
#ifndef WORK_QUEUE_H
#define WORK_QUEUE_H

#include "amqp_link.h"

#include <signal.h>
#include <stdbool.h>

/* Returns 0 when the task was done (then it is acked), non-zero on failure
 * (then it is requeued). message_id is "" when the task has none. */
typedef int (*work_handler)(const char *message_id, const void *body, size_t len, bool redelivered,
                            void *user);

struct work_options {
    const char *queue;
    int prefetch;                      /* basic.qos prefetch count, >= 1 */
    const volatile sig_atomic_t *stop; /* return soon (< 1 s) once *stop != 0 */
    int give_up_ms;                    /* return -1 when the broker stays unreachable
                                          this long (0 means 30000) */
};

/* Sends one task (durable queue, persistent, confirmed, message_id set) and
 * retries - reconnecting every 200 ms or so - until the broker confirmed it
 * or deadline_ms passed. Returns 0, or -1 with the last error in err. */
int work_submit(const char *url, const char *queue, const char *message_id, const char *text,
                int deadline_ms, char *err, size_t errlen);

/* A worker: connects, declares the durable queue, sets the prefetch, consumes
 * with manual acks, calls handler, acks. When the connection is lost it
 * reconnects and goes on. Returns the number of tasks acked once *stop is set,
 * or -1 with err set when the broker stayed unreachable for give_up_ms. */
int work_run(const char *url, const struct work_options *opt, work_handler handler, void *user,
             char *err, size_t errlen);

#endif

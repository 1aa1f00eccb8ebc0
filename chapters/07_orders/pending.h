/*
 * pending.h - exercise "end_to_end": the table of requests that wait for an
 * event (you write pending.c).
 *
 * order-front answers POST /orders only when order-core's order.confirmed
 * event comes back through the broker. The HTTP request runs on one thread
 * (libmicrohttpd gives each connection its own), the event arrives on
 * another (the AMQP consumer). The table is where they meet:
 *
 *     HTTP thread                               consumer thread
 *     pending_add(t, id)
 *     call order-core over gRPC
 *     pending_wait(t, id, deadline) ....        event for id arrives
 *         sleeps on a condition variable  <---- pending_complete(t, id, json)
 *     answer 201 with the json (or 504)
 *
 * Every function is safe to call from any thread at any time. Deadlines are
 * CLOCK_MONOTONIC milliseconds (pending_now_ms), never wall-clock time, so a
 * clock change cannot make a wait end early or never.
 */
#ifndef PENDING_H
#define PENDING_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct pending_table;

/* An empty table, or NULL when out of memory. */
struct pending_table *pending_create(void);

/* Frees the table and whatever results it still holds. No thread may be
 * waiting in it any more. */
void pending_destroy(struct pending_table *t);

/* Registers a request that is about to wait for id (copied). Returns 0, or -1
 * when a request already waits for id or memory ran out. Add before you send
 * the request on: the event can arrive before you start to wait. */
int pending_add(struct pending_table *t, const char *id);

/* Hands result (a JSON text, copied) to the request waiting for id and wakes
 * it. Returns 1 when a waiting request took it, 0 when none did: the id is
 * unknown, was already completed (a duplicate event) or its request gave up
 * (a late event). Never blocks for long; never fails on those cases. */
int pending_complete(struct pending_table *t, const char *id, const char *result);

/* Waits until id is completed or deadline_ms (pending_now_ms clock) passes.
 * Returns the result (heap, caller frees) or NULL when the deadline came
 * first or id was never added. Either way id is no longer in the table
 * afterwards, so a late event finds nobody (pending_complete returns 0). */
char *pending_wait(struct pending_table *t, const char *id, int64_t deadline_ms);

/* Removes id without waiting (the call to order-core failed). No-op when
 * id is unknown. */
void pending_remove(struct pending_table *t, const char *id);

/* Requests in the table right now (waiting or completed but not yet taken). */
size_t pending_count(struct pending_table *t);

/* Now, in milliseconds of CLOCK_MONOTONIC: the clock of every deadline. */
static inline int64_t pending_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif

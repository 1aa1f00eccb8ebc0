/* mistake: the condition variable keeps its default clock (CLOCK_REALTIME) while deadlines are CLOCK_MONOTONIC
 * rule: "Deadlines are CLOCK_MONOTONIC milliseconds (pending_now_ms), never wall-clock time"
 * caught-by: wait_wakes_when_completed_later
 */
/* Not post_returns_201_with_the_confirmed_order: this wait gives up at once,
 * so that test fails only when the handler waits before the event is back,
 * a race the event usually loses but not always (mistakes run, 2026-11-30). */
/*
 * pending.c - exercise "end_to_end": the table where an HTTP request waits
 * for its event (contract in pending.h).
 *
 * One mutex guards the whole table; each entry has its own condition
 * variable, so completing one order wakes exactly the request waiting for
 * it. The condition variables run on CLOCK_MONOTONIC like every deadline.
 */
#include "pending.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pending_entry {
    char *id;
    char *result; /* NULL until completed */
    pthread_cond_t done;
    struct pending_entry *next;
};

struct pending_table {
    pthread_mutex_t lock;
    struct pending_entry *head;
    size_t count;
};

/* The entry for id, or NULL. Call with the lock held. */
static struct pending_entry *find(struct pending_table *t, const char *id)
{
    for (struct pending_entry *e = t->head; e; e = e->next)
        if (strcmp(e->id, id) == 0)
            return e;
    return NULL;
}

/* Unlinks and frees e. Call with the lock held. */
static void drop(struct pending_table *t, struct pending_entry *e)
{
    for (struct pending_entry **p = &t->head; *p; p = &(*p)->next) {
        if (*p == e) {
            *p = e->next;
            break;
        }
    }
    pthread_cond_destroy(&e->done);
    free(e->id);
    free(e->result);
    free(e);
    t->count--;
}

struct pending_table *pending_create(void)
{
    struct pending_table *t = calloc(1, sizeof *t);
    if (!t) {
        fprintf(stderr, "pending_create: calloc failed\n");
        return NULL;
    }
    if (pthread_mutex_init(&t->lock, NULL) != 0) {
        fprintf(stderr, "pending_create: pthread_mutex_init failed\n");
        free(t);
        return NULL;
    }
    return t;
}

void pending_destroy(struct pending_table *t)
{
    if (!t)
        return;
    while (t->head)
        drop(t, t->head);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

int pending_add(struct pending_table *t, const char *id)
{
    // @student-begin: under the lock: refuse (-1) an id that is already in the table;
    // otherwise add an entry with a copy of id, no result yet, and a condition variable
    // that uses CLOCK_MONOTONIC (pthread_condattr_setclock). Count it.
    struct pending_entry *e = calloc(1, sizeof *e);
    pthread_condattr_t attr;
    if (!e || !(e->id = strdup(id))) {
        fprintf(stderr, "pending_add: out of memory\n");
        free(e);
        return -1;
    }
    if (pthread_condattr_init(&attr) != 0 || pthread_cond_init(&e->done, &attr) != 0) {
        fprintf(stderr, "pending_add: cannot make a CLOCK_MONOTONIC condition variable\n");
        free(e->id);
        free(e);
        return -1;
    }
    pthread_condattr_destroy(&attr);
    pthread_mutex_lock(&t->lock);
    if (find(t, id)) {
        pthread_mutex_unlock(&t->lock);
        pthread_cond_destroy(&e->done);
        free(e->id);
        free(e);
        return -1;
    }
    e->next = t->head;
    t->head = e;
    t->count++;
    pthread_mutex_unlock(&t->lock);
    return 0;
    // @student-stub
    // (void)t;
    // (void)id;
    // return -1;
    // @student-end
}

int pending_complete(struct pending_table *t, const char *id, const char *result)
{
    // @student-begin: under the lock: find id; when it is missing or already has a result,
    // return 0 (a late or duplicate event). Otherwise store a copy of result, signal the
    // entry's condition variable and return 1.
    char *copy = strdup(result);
    if (!copy) {
        fprintf(stderr, "pending_complete: out of memory\n");
        return 0;
    }
    pthread_mutex_lock(&t->lock);
    struct pending_entry *e = find(t, id);
    if (!e || e->result) {
        pthread_mutex_unlock(&t->lock);
        free(copy);
        return 0;
    }
    e->result = copy;
    pthread_cond_signal(&e->done);
    pthread_mutex_unlock(&t->lock);
    return 1;
    // @student-stub
    // (void)t;
    // (void)id;
    // (void)result;
    // return 0;
    // @student-end
}

char *pending_wait(struct pending_table *t, const char *id, int64_t deadline_ms)
{
    // @student-begin: under the lock: find id (NULL if absent); wait on its condition
    // variable with pthread_cond_timedwait until it has a result or deadline_ms passes
    // (loop: wake-ups can be spurious). Take the result, drop the entry, return it.
    struct timespec until = {.tv_sec = deadline_ms / 1000,
                             .tv_nsec = (long)(deadline_ms % 1000) * 1000000L};
    pthread_mutex_lock(&t->lock);
    struct pending_entry *e = find(t, id);
    if (!e) {
        pthread_mutex_unlock(&t->lock);
        return NULL;
    }
    while (!e->result) {
        int rc = pthread_cond_timedwait(&e->done, &t->lock, &until);
        if (rc == ETIMEDOUT)
            break;
    }
    char *result = e->result;
    e->result = NULL;
    drop(t, e);
    pthread_mutex_unlock(&t->lock);
    return result;
    // @student-stub
    // (void)t;
    // (void)id;
    // (void)deadline_ms;
    // (void)drop;
    // return NULL;
    // @student-end
}

void pending_remove(struct pending_table *t, const char *id)
{
    // @student-begin: under the lock: drop the entry of id when there is one.
    pthread_mutex_lock(&t->lock);
    struct pending_entry *e = find(t, id);
    if (e)
        drop(t, e);
    pthread_mutex_unlock(&t->lock);
    // @student-stub
    // (void)t;
    // (void)id;
    // (void)find;
    // @student-end
}

size_t pending_count(struct pending_table *t)
{
    pthread_mutex_lock(&t->lock);
    size_t n = t->count;
    pthread_mutex_unlock(&t->lock);
    return n;
}

/*
 * test_work_queue.c - tests of exercise "work_queue" (work_queue.c, producer.c).
 * Needs a RabbitMQ broker at AMQP_ADDR; the restart test also needs
 * WB_BROKER_SCRIPT_RABBITMQ (the broker script the Makefile/grader used).
 */
#include "tests/amqp_fixture.h"
#include "wb_testkit.h"
#include "work_queue.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

WB_SUITE(work_queue);

#define MAX_TASKS 100

/* Shared by the workers of one test: which task ids were done, by whom. */
struct board {
    pthread_mutex_t lock;
    int done[MAX_TASKS]; /* times each task's handler ran */
    int distinct;
    int duplicates;
    int bad_ids;
};

struct worker {
    pthread_t thread;
    struct board *board;
    int sleep_ms;
    int handled;
    struct work_options opt;
    int result;
    char err[512];
};

static int handle(const char *message_id, const void *body, size_t len, bool redelivered,
                  void *user)
{
    (void)body;
    (void)len;
    (void)redelivered;
    struct worker *w = user;
    int n = -1;
    if (sscanf(message_id, "task-%d", &n) != 1 || n < 0 || n >= MAX_TASKS)
        n = -1;
    pthread_mutex_lock(&w->board->lock);
    if (n < 0)
        w->board->bad_ids++;
    else if (w->board->done[n]++ == 0) /* idempotent: count each task once */
        w->board->distinct++;
    else
        w->board->duplicates++;
    pthread_mutex_unlock(&w->board->lock);
    w->handled++;
    if (w->sleep_ms)
        usleep((useconds_t)w->sleep_ms * 1000);
    return 0;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    w->result = work_run(fx_url(), &w->opt, handle, w, w->err, sizeof w->err);
    return NULL;
}

static void start_worker(struct worker *w, struct board *b, const char *queue, int prefetch,
                         int sleep_ms, volatile sig_atomic_t *stop)
{
    memset(w, 0, sizeof *w);
    w->board = b;
    w->sleep_ms = sleep_ms;
    w->opt = (struct work_options){
        .queue = queue, .prefetch = prefetch, .stop = stop, .give_up_ms = 30000};
    cr_assert_eq(pthread_create(&w->thread, NULL, worker_main, w), 0, "pthread_create failed");
}

static int distinct(struct board *b)
{
    pthread_mutex_lock(&b->lock);
    int n = b->distinct;
    pthread_mutex_unlock(&b->lock);
    return n;
}

/* Tasks that reached a handler, counted once each, with or without a
 * usable message_id. */
static int arrived(struct board *b)
{
    pthread_mutex_lock(&b->lock);
    int n = b->distinct + b->bad_ids;
    pthread_mutex_unlock(&b->lock);
    return n;
}

/* True once expected distinct tasks were handled. The wait also ends when
 * that many arrived at all: tasks without their message_id cannot become
 * distinct, and the test reports them rather than wait out its deadline. */
static bool wait_distinct(struct board *b, int expected, int timeout_ms)
{
    int64_t deadline = wb_now_ms() + timeout_ms;
    while (arrived(b) < expected && wb_now_ms() < deadline)
        usleep(50 * 1000);
    return distinct(b) >= expected;
}

static void submit(const char *queue, int i, int deadline_ms)
{
    char id[32], text[64], err[512] = "";
    snprintf(id, sizeof id, "task-%03d", i);
    snprintf(text, sizeof text, "work item %d", i);
    int rc = work_submit(fx_url(), queue, id, text, deadline_ms, err, sizeof err);
    cr_assert_eq(rc, 0,
                 "work_submit(\"%s\", id \"%s\", deadline %d ms) returned %d: %s (a submit must "
                 "retry, reconnecting, until the broker confirms or the deadline passes)",
                 queue, id, deadline_ms, rc, err);
}

Test(work_queue, submit_is_persistent_with_id)
{
    char queue[128];
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-work"));
    submit(queue, 7, 5000);
    struct fx_message m;
    cr_assert(fx_get(queue, &m, 2000), "queue '%s' empty after work_submit returned 0", queue);
    cr_assert_eq(m.delivery_mode, 2, "task has delivery_mode %d, expected 2 (persistent)",
                 m.delivery_mode);
    cr_assert_str_eq(m.message_id, "task-007", "task has message_id \"%s\", expected \"task-007\"",
                     m.message_id);
    fx_declare(queue, true); /* 406 unless the queue is durable */
    fx_delete(queue);
}

Test(work_queue, prefetch_gives_fair_dispatch)
{
    char queue[128];
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-work"));
    fx_declare(queue, true);
    for (int i = 0; i < 20; i++)
        submit(queue, i, 5000);
    struct board b = {.lock = PTHREAD_MUTEX_INITIALIZER};
    volatile sig_atomic_t stop = 0;
    struct worker slow, fast;
    start_worker(&slow, &b, queue, 1, 700, &stop);
    usleep(300 * 1000); /* the slow worker subscribes first */
    start_worker(&fast, &b, queue, 1, 0, &stop);
    bool all = wait_distinct(&b, 20, 8000);
    stop = 1;
    pthread_join(slow.thread, NULL);
    pthread_join(fast.thread, NULL);
    cr_assert_eq(b.bad_ids, 0, "%d task(s) arrived without their message_id", b.bad_ids);
    cr_assert(all, "only %d of 20 tasks were handled by two workers (slow: %s / fast: %s)",
              b.distinct, slow.err, fast.err);
    cr_assert(slow.handled <= 5,
              "the slow worker (0.7 s per task) got %d of 20 tasks and the fast one %d: with "
              "basic.qos prefetch_count = 1 a busy worker receives no more tasks",
              slow.handled, fast.handled);
    fx_delete(queue);
}

Test(work_queue, stop_flag_ends_worker)
{
    char queue[128];
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-work"));
    fx_declare(queue, true);
    submit(queue, 1, 5000);
    struct board b = {.lock = PTHREAD_MUTEX_INITIALIZER};
    volatile sig_atomic_t stop = 0;
    struct worker w;
    start_worker(&w, &b, queue, 1, 0, &stop);
    bool got = wait_distinct(&b, 1, 5000);
    stop = 1;
    int64_t start = wb_now_ms();
    pthread_join(w.thread, NULL);
    cr_assert_eq(b.bad_ids, 0, "the task arrived without its message_id");
    cr_assert(got, "work_run did not handle the 1 task in 5 s (%s)", w.err);
    cr_assert_eq(w.result, 1, "work_run returned %d after *stop = 1, expected 1 task acked (%s)",
                 w.result, w.err);
    cr_assert(wb_now_ms() - start < 3000, "work_run took more than 3 s to stop");
    cr_assert_eq(fx_count(queue), 0, "task still in the queue: was it acked?");
    fx_delete(queue);
}

Test(work_queue, unreachable_broker_gives_clear_error)
{
    char url[128], err[512] = "";
    snprintf(url, sizeof url, "amqp://guest:guest@127.0.0.1:%u/%%2f", wb_refusing_port());
    int rc = work_submit(url, "tasks", "task-001", "x", 1000, err, sizeof err);
    cr_assert_eq(rc, -1,
                 "work_submit to %s (nothing listens) returned %d, expected -1 after "
                 "its 1 s deadline",
                 url, rc);
    cr_assert(strstr(err, "refused") != NULL || strstr(err, "connect") != NULL,
              "error is \"%s\"; expected it to say the connection was refused", err);
}

/* ---- the broker restarts in the middle ------------------------------------ */

struct restarter {
    pthread_t thread;
    struct wb_run_result result;
    int rc;
};

static void *restart_broker(void *arg)
{
    struct restarter *r = arg;
    char *argv[] = {getenv("WB_BROKER_SCRIPT_RABBITMQ"), "restart", NULL};
    r->rc = wb_run(argv, NULL, 60000, &r->result);
    return NULL;
}

/* True once a fresh connection to the broker fails (it is restarting). */
static bool wait_broker_down(int timeout_ms)
{
    int64_t deadline = wb_now_ms() + timeout_ms;
    while (wb_now_ms() < deadline) {
        struct amqp_link link;
        if (amqp_link_open(&link, fx_url(), 1000) != 0)
            return true;
        amqp_link_close(&link);
        usleep(20 * 1000);
    }
    return false;
}

#define RESTART_TASKS 60

Test(work_queue, no_task_lost_when_broker_restarts, .timeout = 90,
     .description = "the broker restart and all 60 tasks to be handled (submits retrying through "
                    "the outage, workers reconnecting)")
{
    const char *script = getenv("WB_BROKER_SCRIPT_RABBITMQ");
    cr_assert(script && *script,
              "this test restarts the broker and needs WB_BROKER_SCRIPT_RABBITMQ (set by make "
              "test / the grader). With your own broker in AMQP_ADDR it cannot run: counted "
              "as failed");
    char queue[128];
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-work-restart"));
    struct board b = {.lock = PTHREAD_MUTEX_INITIALIZER};
    volatile sig_atomic_t stop = 0;
    struct worker w1, w2;

    for (int i = 0; i < RESTART_TASKS / 2; i++)
        submit(queue, i, 30000);
    start_worker(&w1, &b, queue, 2, 20, &stop);
    start_worker(&w2, &b, queue, 2, 20, &stop);
    wait_distinct(&b, 5, 5000); /* restart while tasks are in flight */

    struct restarter r = {0};
    cr_assert_eq(pthread_create(&r.thread, NULL, restart_broker, &r), 0, "pthread_create");
    /* Submit only once the broker is really gone, so that every one of these
     * submits starts during the outage and must retry to get through. */
    bool went_down = wait_broker_down(30000);
    for (int i = RESTART_TASKS / 2; went_down && i < RESTART_TASKS; i++)
        submit(queue, i, 45000);
    pthread_join(r.thread, NULL);
    cr_assert(went_down, "test setup: the broker never went down during '%s restart' (%s)", script,
              r.result.output ? r.result.output : "no output");
    cr_assert(r.rc == 0 && r.result.exit_code == 0, "'%s restart' failed: %s", script,
              r.result.output ? r.result.output : "(no output)");
    wb_run_result_free(&r.result);

    bool all = wait_distinct(&b, RESTART_TASKS, 30000);
    stop = 1;
    pthread_join(w1.thread, NULL);
    pthread_join(w2.thread, NULL);
    cr_assert_eq(b.bad_ids, 0, "%d task(s) arrived without their message_id", b.bad_ids);
    if (!all) {
        char missing[400] = "";
        for (int i = 0; i < RESTART_TASKS && strlen(missing) < 380; i++)
            if (!b.done[i])
                snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %d", i);
        cr_assert_fail("%d of %d tasks handled after the broker restart; missing:%s. workers "
                       "said: '%s' / '%s'. Durable queue + persistent + confirmed submit + "
                       "reconnecting worker is what keeps them.",
                       b.distinct, RESTART_TASKS, missing, w1.err, w2.err);
    }
    cr_assert(w1.result >= 0 && w2.result >= 0, "a worker gave up: '%s' / '%s'", w1.err, w2.err);
    long left = fx_count(queue);
    cr_assert_eq(left, 0, "%ld task(s) still in the queue after all were handled: acks lost?",
                 left);
    cr_log_info("restart test: %d tasks, %d duplicate deliveries handled idempotently",
                RESTART_TASKS, b.duplicates);
    fx_delete(queue);
}

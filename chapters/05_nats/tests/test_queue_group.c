/*
 * test_queue_group.c - tests of exercise "queue_group" (queue_group.c).
 * Needs a nats-server at NATS_URL. The test's peer (testkit/wb_nats.c, no
 * libnats) publishes the messages, and in one test joins the group itself.
 */
#include "queue_group.h"
#include "tests/nats_fixture.h"
#include "wb_testkit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

WB_SUITE(queue_group, .fini = fx_nats_close);

#define MAX_MESSAGES 400

/* What the workers of one test saw. */
struct board {
    pthread_mutex_t lock;
    int seen[MAX_MESSAGES]; /* handler calls per message number */
    int calls;
    int bad;
};

struct worker {
    pthread_t thread;
    natsConnection *nc;
    struct board *board;
    struct qworker_options opt;
    volatile sig_atomic_t ready;
    int handled; /* handler calls on this worker */
    int result;
    char err[512];
    /* stop_drains_buffered_messages: the first call waits for `release` */
    bool hold_first;
    pthread_mutex_t hold_lock;
    pthread_cond_t hold_cond;
    bool released, holding;
};

static void record(struct board *b, const char *body, size_t len)
{
    int n = -1;
    char text[32];
    snprintf(text, sizeof text, "%.*s", (int)(len < 31 ? len : 31), body);
    if (sscanf(text, "msg-%d", &n) != 1 || n < 0 || n >= MAX_MESSAGES)
        n = -1;
    pthread_mutex_lock(&b->lock);
    if (n < 0)
        b->bad++;
    else
        b->seen[n]++;
    b->calls++;
    pthread_mutex_unlock(&b->lock);
}

static void handle(const char *body, size_t len, void *user)
{
    struct worker *w = user;
    if (w->hold_first && w->handled == 0) {
        pthread_mutex_lock(&w->hold_lock);
        w->holding = true;
        pthread_cond_broadcast(&w->hold_cond);
        while (!w->released)
            pthread_cond_wait(&w->hold_cond, &w->hold_lock);
        pthread_mutex_unlock(&w->hold_lock);
    }
    w->handled++;
    record(w->board, body, len);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    w->result = qworker_run(w->nc, &w->opt, handle, w, w->err, sizeof w->err);
    w->ready = 1; /* also when it failed: the test stops waiting */
    return NULL;
}

static void start_worker(struct worker *w, struct board *b, const char *subject, const char *group,
                         volatile sig_atomic_t *stop, bool hold_first)
{
    memset(w, 0, sizeof *w);
    w->board = b;
    w->hold_first = hold_first;
    pthread_mutex_init(&w->hold_lock, NULL);
    pthread_cond_init(&w->hold_cond, NULL);
    w->nc = fx_connect();
    w->opt = (struct qworker_options){
        .subject = subject, .group = group, .stop = stop, .ready = &w->ready};
    cr_assert_eq(pthread_create(&w->thread, NULL, worker_main, w), 0, "pthread_create");
    int64_t deadline = wb_now_ms() + 5000;
    while (!w->ready && wb_now_ms() < deadline)
        usleep(10 * 1000);
    cr_assert(w->ready, "qworker_run did not set *ready within 5 s");
    cr_assert(w->result == 0, "qworker_run returned %d at once: %s", w->result, w->err);
}

static void join_worker(struct worker *w)
{
    pthread_join(w->thread, NULL);
    natsConnection_Destroy(w->nc);
    pthread_mutex_destroy(&w->hold_lock);
    pthread_cond_destroy(&w->hold_cond);
}

static void publish_numbered(struct wb_nats *peer, const char *subject, int count)
{
    for (int i = 0; i < count; i++) {
        char body[32];
        snprintf(body, sizeof body, "msg-%03d", i);
        cr_assert(wb_nats_pub(peer, subject, NULL, body, strlen(body), NULL) == 0, "peer PUB: %s",
                  wb_nats_error(peer));
    }
    cr_assert(wb_nats_flush(peer, 5000) == 0, "peer flush: %s", wb_nats_error(peer));
}

/* After the publisher's flush, a flush on each worker's connection: its PONG
 * comes after every message the server sent that worker. */
static void flush_workers(struct worker *w, int n)
{
    for (int i = 0; i < n; i++)
        cr_assert(natsConnection_FlushTimeout(w[i].nc, 5000) == NATS_OK,
                  "flush of worker %d's connection failed", i);
}

/* "no loss, no duplicate": a sentence naming the first problems found. */
static void assert_each_once(struct board *b, int count, const char *who)
{
    char lost[200] = "", twice[200] = "";
    int nlost = 0, ntwice = 0;
    for (int i = 0; i < count; i++) {
        if (b->seen[i] == 0 && nlost++ < 10)
            snprintf(lost + strlen(lost), sizeof lost - strlen(lost), " %d", i);
        if (b->seen[i] > 1 && ntwice++ < 10)
            snprintf(twice + strlen(twice), sizeof twice - strlen(twice), " %d(x%d)", i,
                     b->seen[i]);
    }
    cr_assert_eq(b->bad, 0, "%d message(s) with a body the test never sent", b->bad);
    cr_assert_eq(ntwice, 0,
                 "%d of %d messages were handled more than once (%s):%s. In a queue group each "
                 "message goes to exactly one member",
                 ntwice, count, who, twice);
    cr_assert_eq(nlost, 0, "%d of %d messages were never handled (%s):%s", nlost, count, who, lost);
}

Test(queue_group, each_message_to_exactly_one_worker)
{
    char subject[192], group[160];
    snprintf(subject, sizeof subject, "wb.%s.jobs", fx_name("qg"));
    snprintf(group, sizeof group, "%s", fx_name("workers"));
    struct board b = {.lock = PTHREAD_MUTEX_INITIALIZER};
    volatile sig_atomic_t stop = 0;
    struct worker w[3];
    for (int i = 0; i < 3; i++)
        start_worker(&w[i], &b, subject, group, &stop, false);
    struct wb_nats *peer = fx_peer();
    publish_numbered(peer, subject, 300);
    wb_nats_close(peer);
    flush_workers(w, 3);
    stop = 1;
    int returned = 0;
    for (int i = 0; i < 3; i++) {
        join_worker(&w[i]);
        cr_assert(w[i].result >= 0, "worker %d: qworker_run returned %d: %s", i, w[i].result,
                  w[i].err);
        returned += w[i].result;
    }
    assert_each_once(&b, 300, "three workers in one group");
    int busy = (w[0].handled > 0) + (w[1].handled > 0) + (w[2].handled > 0);
    cr_assert(busy > 1,
              "one worker handled all 300 messages (%d / %d / %d): the group should spread them",
              w[0].handled, w[1].handled, w[2].handled);
    cr_assert_eq(returned, 300,
                 "the workers' return values add up to %d (%d + %d + %d); expected 300, the "
                 "messages handled",
                 returned, w[0].result, w[1].result, w[2].result);
}

Test(queue_group, peer_member_shares_the_group)
{
    char subject[192], group[160];
    snprintf(subject, sizeof subject, "wb.%s.jobs", fx_name("qg"));
    snprintf(group, sizeof group, "%s", fx_name("workers"));
    struct board b = {.lock = PTHREAD_MUTEX_INITIALIZER};
    volatile sig_atomic_t stop = 0;
    struct worker w[2];
    for (int i = 0; i < 2; i++)
        start_worker(&w[i], &b, subject, group, &stop, false);
    /* A third member that is not libnats: the peer, same subject, same group. */
    struct wb_nats *member = fx_peer();
    cr_assert(wb_nats_sub(member, subject, group) > 0 && wb_nats_flush(member, 5000) == 0,
              "peer SUB %s %s: %s", subject, group, wb_nats_error(member));
    struct wb_nats *peer = fx_peer();
    publish_numbered(peer, subject, 200);
    wb_nats_close(peer);
    flush_workers(w, 2);
    stop = 1;
    for (int i = 0; i < 2; i++)
        join_worker(&w[i]);
    cr_assert(wb_nats_flush(member, 5000) == 0, "peer member flush: %s", wb_nats_error(member));
    int peer_got = 0;
    struct wb_nats_msg m;
    while (wb_nats_next(member, &m, 300) == 1) {
        record(&b, m.data, m.len);
        wb_nats_msg_free(&m);
        peer_got++;
    }
    wb_nats_close(member);
    assert_each_once(&b, 200, "two qworker_run workers and the peer in one group");
    cr_assert(peer_got > 0 && w[0].handled + w[1].handled > 0,
              "the peer member got %d and your workers %d + %d of 200: all should share them",
              peer_got, w[0].handled, w[1].handled);
}

Test(queue_group, stop_drains_buffered_messages)
{
    char subject[192], group[160];
    snprintf(subject, sizeof subject, "wb.%s.jobs", fx_name("qg"));
    snprintf(group, sizeof group, "%s", fx_name("workers"));
    struct board b = {.lock = PTHREAD_MUTEX_INITIALIZER};
    volatile sig_atomic_t stop = 0;
    struct worker w;
    start_worker(&w, &b, subject, group, &stop, true);
    struct wb_nats *peer = fx_peer();
    publish_numbered(peer, subject, 20);
    wb_nats_close(peer);
    /* The worker is inside its first handler call; the other 19 messages
     * are in its libnats buffer once this flush is back. */
    pthread_mutex_lock(&w.hold_lock);
    int64_t deadline = wb_now_ms() + 5000;
    while (!w.holding && wb_now_ms() < deadline) {
        pthread_mutex_unlock(&w.hold_lock);
        usleep(10 * 1000);
        pthread_mutex_lock(&w.hold_lock);
    }
    bool holding = w.holding;
    pthread_mutex_unlock(&w.hold_lock);
    flush_workers(&w, 1);
    stop = 1;
    pthread_mutex_lock(&w.hold_lock);
    w.released = true;
    pthread_cond_broadcast(&w.hold_cond);
    pthread_mutex_unlock(&w.hold_lock);
    join_worker(&w);
    cr_assert(holding, "the worker's handler was not called within 5 s of publishing 20 messages");
    cr_assert_eq(w.result, 20,
                 "qworker_run returned %d (%s) after *stop was set with 19 messages already "
                 "received and waiting; expected 20: drain, and handle what you already have",
                 w.result, w.err);
    assert_each_once(&b, 20, "one worker told to stop");
}

Test(queue_group, empty_subject_gives_error)
{
    volatile sig_atomic_t stop = 0, ready = 0;
    struct qworker_options opt = {
        .subject = "", .group = "workers", .stop = &stop, .ready = &ready};
    struct board b = {.lock = PTHREAD_MUTEX_INITIALIZER};
    struct worker w = {.board = &b};
    natsConnection *nc = fx_connect();
    char err[512] = "";
    int rc = qworker_run(nc, &opt, handle, &w, err, sizeof err);
    natsConnection_Destroy(nc);
    cr_assert_eq(rc, -1, "qworker_run with subject \"\" returned %d, expected -1", rc);
    cr_assert(strstr(err, "ubject") != NULL,
              "error is \"%s\"; expected it to say the subject is invalid", err);
    cr_assert_eq(ready, 0, "*ready was set although the subscription failed");
}

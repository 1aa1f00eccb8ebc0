/*
 * test_jetstream.c - tests of exercise "jetstream" (jetstream.c).
 * Needs a nats-server with JetStream at NATS_URL; the restart test starts
 * and restarts one of its own (testkit/wb_nats_server.c). The test
 * looks at streams and consumers through JetStream's own API ($JS.API.>),
 * spoken by the peer (testkit/wb_nats.c, no libnats).
 */
#define _GNU_SOURCE /* strcasestr */
#include "jetstream.h"
#include "tests/nats_fixture.h"
#include "wb_nats.h"
#include "wb_testkit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

WB_SUITE(jetstream, .fini = fx_nats_close);

#define MAX_TASKS 100

/* A stream for one test: unique name, subjects "wb.<name>.>". */
struct fx_stream {
    char name[128];
    char subjects[192];
};

static void make_stream(struct fx_stream *st, natsConnection *nc)
{
    snprintf(st->name, sizeof st->name, "%s", fx_name("WB"));
    snprintf(st->subjects, sizeof st->subjects, "wb.%s.>", st->name);
    char err[512] = "";
    int rc = stream_create(nc, st->name, st->subjects, err, sizeof err);
    cr_assert_eq(rc, 0, "stream_create(\"%s\", \"%s\") returned %d: %s", st->name, st->subjects, rc,
                 err);
}

static void delete_stream(const struct fx_stream *st)
{
    struct wb_nats *peer = fx_peer();
    char api[256], err[256];
    snprintf(api, sizeof api, "STREAM.DELETE.%s", st->name);
    json_decref(wb_nats_js(peer, api, "", err, sizeof err)); /* best effort */
    wb_nats_close(peer);
}

/* Field `key` (an integer) of $JS.API.<api>, e.g. state.messages. */
static json_int_t js_number(const char *api, const char *object, const char *key)
{
    struct wb_nats *peer = fx_peer();
    json_t *info = fx_js(peer, api, "");
    json_t *value = json_object_get(object ? json_object_get(info, object) : info, key);
    cr_assert(json_is_integer(value), "%s: no integer %s%s%s in the answer", api,
              object ? object : "", object ? "." : "", key);
    json_int_t n = json_integer_value(value);
    json_decref(info);
    wb_nats_close(peer);
    return n;
}

static json_int_t stream_messages(const struct fx_stream *st)
{
    char api[256];
    snprintf(api, sizeof api, "STREAM.INFO.%s", st->name);
    return js_number(api, "state", "messages");
}

static void publish_ok(natsConnection *nc, const struct fx_stream *st, const char *id,
                       const char *text, uint64_t *seq, bool *duplicate)
{
    char subject[256], err[512] = "";
    snprintf(subject, sizeof subject, "wb.%s.tasks", st->name);
    uint64_t s = 0;
    bool d = false;
    int rc = stream_publish(nc, subject, id, text, 30000, &s, &d, err, sizeof err);
    cr_assert_eq(rc, 0, "stream_publish(\"%s\", id \"%s\") returned %d: %s", subject, id, rc, err);
    if (seq)
        *seq = s;
    if (duplicate)
        *duplicate = d;
}

/* ---- stream and publishing ----------------------------------------------- */

Test(jetstream, stream_is_file_backed)
{
    natsConnection *nc = fx_connect();
    struct fx_stream st;
    make_stream(&st, nc);
    char err[512] = "";
    int again = stream_create(nc, st.name, st.subjects, err, sizeof err);
    natsConnection_Destroy(nc);
    struct wb_nats *peer = fx_peer();
    char api[256];
    snprintf(api, sizeof api, "STREAM.INFO.%s", st.name);
    json_t *info = fx_js(peer, api, "");
    json_t *config = json_object_get(info, "config");
    const char *storage = json_string_value(json_object_get(config, "storage"));
    const char *subject = json_string_value(json_array_get(json_object_get(config, "subjects"), 0));
    json_int_t window = json_integer_value(json_object_get(config, "duplicate_window"));
    char storage_copy[32], subject_copy[192];
    snprintf(storage_copy, sizeof storage_copy, "%s", storage ? storage : "(none)");
    snprintf(subject_copy, sizeof subject_copy, "%s", subject ? subject : "(none)");
    json_decref(info);
    wb_nats_close(peer);
    delete_stream(&st);
    cr_assert_str_eq(storage_copy, "file",
                     "stream %s has storage \"%s\"; expected \"file\" (js_FileStorage): memory "
                     "streams are gone when the server restarts",
                     st.name, storage_copy);
    cr_assert_str_eq(subject_copy, st.subjects, "stream %s captures \"%s\", expected \"%s\"",
                     st.name, subject_copy, st.subjects);
    cr_assert(window >= (json_int_t)60 * 1000 * 1000 * 1000,
              "stream %s has a duplicate window of %lld ns; expected 2 minutes", st.name,
              (long long)window);
    cr_assert_eq(again, 0, "stream_create a second time with the same settings returned %d: %s",
                 again, err);
}

Test(jetstream, same_msg_id_is_stored_once)
{
    natsConnection *nc = fx_connect();
    struct fx_stream st;
    make_stream(&st, nc);
    uint64_t seq1 = 0, seq2 = 0, seq3 = 0;
    bool dup1 = true, dup2 = false, dup3 = true;
    publish_ok(nc, &st, "order-1", "first", &seq1, &dup1);
    publish_ok(nc, &st, "order-1", "first, sent again", &seq2, &dup2);
    publish_ok(nc, &st, "order-2", "second", &seq3, &dup3);
    natsConnection_Destroy(nc);
    /* The peer sends "order-1" once more with its own Nats-Msg-Id header. */
    struct wb_nats *peer = fx_peer();
    char subject[256];
    snprintf(subject, sizeof subject, "wb.%s.tasks", st.name);
    struct wb_nats_msg ack;
    int rc = wb_nats_request(peer, subject, "x", 1, "Nats-Msg-Id: order-1\r\n", &ack, 5000);
    cr_assert_eq(rc, 1, "the peer's publish got no PubAck: %s", wb_nats_error(peer));
    json_t *pub_ack = json_loads(ack.data, 0, NULL);
    bool peer_dup = pub_ack && json_is_true(json_object_get(pub_ack, "duplicate"));
    json_decref(pub_ack);
    char ack_text[256];
    snprintf(ack_text, sizeof ack_text, "%s", ack.data);
    wb_nats_msg_free(&ack);
    wb_nats_close(peer);
    json_int_t stored = stream_messages(&st);
    delete_stream(&st);
    cr_assert(!dup1, "the first publish of id \"order-1\" was reported as a duplicate");
    cr_assert(dup2 && seq2 == seq1,
              "publishing id \"order-1\" again gave duplicate=%d, sequence %llu (first copy: "
              "%llu); expected duplicate=1 and the first copy's sequence: set "
              "jsPubOptions.MsgId",
              dup2, (unsigned long long)seq2, (unsigned long long)seq1);
    cr_assert(!dup3 && seq3 == seq1 + 1,
              "id \"order-2\" got sequence %llu (duplicate=%d), expected %llu",
              (unsigned long long)seq3, dup3, (unsigned long long)seq1 + 1);
    cr_assert(peer_dup,
              "the peer published with header \"Nats-Msg-Id: order-1\" and the stream answered "
              "%s: your first publish did not carry that id in the Nats-Msg-Id header",
              ack_text);
    cr_assert_eq(stored, 2, "the stream holds %lld messages, expected 2 (order-1 once, order-2)",
                 (long long)stored);
}

Test(jetstream, missing_stream_is_named_in_error)
{
    natsConnection *nc = fx_connect();
    char name[128], subject[192], err[512] = "";
    snprintf(name, sizeof name, "%s", fx_name("NOSUCH"));
    snprintf(subject, sizeof subject, "wb.%s.tasks", name);
    volatile sig_atomic_t stop = 0;
    struct stream_work_options opt = {
        .stream = name, .durable = "worker", .max_deliver = 3, .stop = &stop, .give_up_ms = 2000};
    int rc = stream_work(nc, &opt, NULL, NULL, err, sizeof err);
    char work_err[512];
    snprintf(work_err, sizeof work_err, "%s", err);
    uint64_t seq = 0;
    bool dup = false;
    err[0] = '\0';
    int prc = stream_publish(nc, subject, "id-1", "lost?", 500, &seq, &dup, err, sizeof err);
    natsConnection_Destroy(nc);
    cr_assert_eq(rc, -1, "stream_work on stream \"%s\", which does not exist, returned %d", name,
                 rc);
    cr_assert(strstr(work_err, name) &&
                  (strcasestr(work_err, "not exist") || strcasestr(work_err, "not found")),
              "error is \"%s\"; expected it to name stream %s and say it does not exist", work_err,
              name);
    cr_assert_eq(prc, -1, "stream_publish on %s, which no stream captures, returned %d", subject,
                 prc);
    cr_assert(strcasestr(err, "stream") || strstr(err, subject),
              "stream_publish's error is \"%s\"; expected it to say no stream captures %s", err,
              subject);
}

/* ---- workers --------------------------------------------------------------- */

/* What the handlers of one test saw. */
struct board {
    pthread_mutex_t lock;
    int done[MAX_TASKS];       /* successful handler calls per task */
    int deliveries[MAX_TASKS]; /* handler calls per task */
    int last_delivery[MAX_TASKS];
    int distinct, duplicates, bad_ids, calls;
    int fail_first;     /* fail the first delivery of every task */
    int always_fail_id; /* this task always fails (-1: none) */
};

static int handle(const char *msg_id, const char *data, size_t len, int delivery, void *user)
{
    (void)data;
    (void)len;
    struct board *b = user;
    int n = -1;
    if (sscanf(msg_id, "task-%d", &n) != 1 || n < 0 || n >= MAX_TASKS)
        n = -1;
    int fail = 0;
    pthread_mutex_lock(&b->lock);
    b->calls++;
    if (n < 0) {
        b->bad_ids++;
    } else {
        b->deliveries[n]++;
        b->last_delivery[n] = delivery;
        if (n == b->always_fail_id || (b->fail_first && b->deliveries[n] == 1))
            fail = 1;
        else if (b->done[n]++ == 0) /* idempotent: count each task once */
            b->distinct++;
        else
            b->duplicates++;
    }
    pthread_mutex_unlock(&b->lock);
    return fail;
}

static int board_get(struct board *b, const int *field)
{
    pthread_mutex_lock(&b->lock);
    int v = *field;
    pthread_mutex_unlock(&b->lock);
    return v;
}

static bool wait_for(struct board *b, const int *field, int expected, int timeout_ms)
{
    int64_t deadline = wb_now_ms() + timeout_ms;
    while (board_get(b, field) < expected && wb_now_ms() < deadline)
        usleep(20 * 1000);
    return board_get(b, field) >= expected;
}

struct worker {
    pthread_t thread;
    natsConnection *nc;
    struct board *board;
    struct stream_work_options opt;
    int result;
    char err[512];
    atomic_bool finished; /* stream_work has returned */
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    w->result = stream_work(w->nc, &w->opt, handle, w->board, w->err, sizeof w->err);
    atomic_store(&w->finished, true);
    return NULL;
}

/* The options every worker of these tests runs with. */
static struct stream_work_options worker_options(const char *stream, const char *durable,
                                                 int max_deliver, volatile sig_atomic_t *stop)
{
    return (struct stream_work_options){.stream = stream,
                                        .durable = durable,
                                        .max_deliver = max_deliver,
                                        .ack_wait_ms = 2000,
                                        .stop = stop,
                                        .give_up_ms = 30000};
}

static void start_worker(struct worker *w, struct board *b, const char *stream, const char *durable,
                         int max_deliver, volatile sig_atomic_t *stop)
{
    memset(w, 0, sizeof *w);
    w->board = b;
    w->nc = fx_connect();
    w->opt = worker_options(stream, durable, max_deliver, stop);
    cr_assert_eq(pthread_create(&w->thread, NULL, worker_main, w), 0, "pthread_create");
}

static void join_worker(struct worker *w)
{
    pthread_join(w->thread, NULL);
    natsConnection_Destroy(w->nc);
}

static void publish_tasks(natsConnection *nc, const struct fx_stream *st, int from, int to)
{
    for (int i = from; i < to; i++) {
        char id[32], text[64];
        snprintf(id, sizeof id, "task-%03d", i);
        snprintf(text, sizeof text, "work item %d", i);
        publish_ok(nc, st, id, text, NULL, NULL);
    }
}

/* num_ack_pending and num_pending of the consumer, through the peer. */
static void consumer_state(const struct fx_stream *st, const char *durable, json_int_t *ack_pending,
                           json_int_t *pending)
{
    char api[256];
    snprintf(api, sizeof api, "CONSUMER.INFO.%s.%s", st->name, durable);
    *ack_pending = js_number(api, NULL, "num_ack_pending");
    *pending = js_number(api, NULL, "num_pending");
}

Test(jetstream, durable_consumer_remembers_acks, .timeout = 30,
     .description = "stream_work to handle 5 messages and return once stop is set")
{
    natsConnection *nc = fx_connect();
    struct fx_stream st;
    make_stream(&st, nc);
    publish_tasks(nc, &st, 0, 5);
    struct board b = {.lock = PTHREAD_MUTEX_INITIALIZER, .always_fail_id = -1};
    volatile sig_atomic_t stop = 0;
    struct worker w;
    start_worker(&w, &b, st.name, "keeper", 5, &stop);
    bool all = wait_for(&b, &b.distinct, 5, 10000);
    stop = 1;
    join_worker(&w);
    cr_assert(w.result >= 0, "stream_work returned %d: %s", w.result, w.err);
    cr_assert(all, "the worker handled %d of 5 messages in 10 s (%s)", b.distinct, w.err);
    cr_assert_eq(w.result, 5, "stream_work returned %d after acking 5 messages", w.result);
    json_int_t ack_pending = -1, pending = -1;
    consumer_state(&st, "keeper", &ack_pending, &pending);
    cr_assert(ack_pending == 0 && pending == 0,
              "consumer \"keeper\" still has %lld unacknowledged and %lld undelivered "
              "messages after the worker handled all 5; were they acked (natsMsg_AckSync)?",
              (long long)ack_pending, (long long)pending);

    /* The same durable again: the 5 acked messages must not come back. */
    struct board b2 = {.lock = PTHREAD_MUTEX_INITIALIZER, .always_fail_id = -1};
    stop = 0;
    start_worker(&w, &b2, st.name, "keeper", 5, &stop);
    publish_tasks(nc, &st, 5, 6);
    bool late = wait_for(&b2, &b2.distinct, 1, 10000);
    usleep(1000 * 1000); /* room for wrongly redelivered old messages to show up */
    stop = 1;
    join_worker(&w);
    natsConnection_Destroy(nc);
    delete_stream(&st);
    cr_assert(late && b2.done[5] == 1, "the second run did not get the new message task-005 (%s)",
              w.err);
    cr_assert_eq(b2.calls, 1,
                 "the second run with durable name \"keeper\" handled %d messages; expected "
                 "only the new one: the durable consumer remembers the 5 acked before",
                 b2.calls);
}

Test(jetstream, nak_redelivers, .timeout = 30,
     .description =
         "stream_work to handle 3 messages nak'ed once each, and to return once stop is set")
{
    natsConnection *nc = fx_connect();
    struct fx_stream st;
    make_stream(&st, nc);
    publish_tasks(nc, &st, 0, 3);
    natsConnection_Destroy(nc);
    struct board b = {.lock = PTHREAD_MUTEX_INITIALIZER, .fail_first = 1, .always_fail_id = -1};
    volatile sig_atomic_t stop = 0;
    struct worker w;
    start_worker(&w, &b, st.name, "retrier", 5, &stop);
    /* A nak asks for redelivery now; waiting for AckWait (2 s) would be slower. */
    bool all = wait_for(&b, &b.distinct, 3, 15000);
    stop = 1;
    join_worker(&w);
    delete_stream(&st);
    cr_assert(all,
              "%d of 3 messages were handled; the handler fails each message's first "
              "delivery, so each must come again (nak): %s",
              b.distinct, w.err);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(b.last_delivery[i], 2,
                     "task-%03d succeeded on delivery %d (as passed to the handler); expected "
                     "2: the second delivery, after one nak",
                     i, b.last_delivery[i]);
    cr_assert_eq(w.result, 3, "stream_work returned %d, expected 3 acked", w.result);
}

Test(jetstream, max_deliver_stops_redelivery, .timeout = 30,
     .description =
         "three deliveries of the poison message, then stream_work to return once stop is set")
{
    natsConnection *nc = fx_connect();
    struct fx_stream st;
    make_stream(&st, nc);
    publish_tasks(nc, &st, 0, 2); /* task-000 is poison: its handler always fails */
    natsConnection_Destroy(nc);
    struct board b = {.lock = PTHREAD_MUTEX_INITIALIZER, .always_fail_id = 0};
    volatile sig_atomic_t stop = 0;
    struct worker w;
    start_worker(&w, &b, st.name, "capped", 3, &stop);
    bool good = wait_for(&b, &b.distinct, 1, 10000);
    bool three = wait_for(&b, &b.deliveries[0], 3, 15000);
    usleep(1500 * 1000); /* a fourth delivery would come within ms of a nak */
    stop = 1;
    join_worker(&w);
    delete_stream(&st);
    cr_assert(good, "the good message task-001 was not handled (%s)", w.err);
    cr_assert(three,
              "the poison message was delivered %d times; expected 3 (max_deliver 3, "
              "each delivery nak'ed)",
              b.deliveries[0]);
    cr_assert_eq(b.deliveries[0], 3,
                 "the poison message was delivered %d times with max_deliver 3: set the "
                 "consumer's MaxDeliver",
                 b.deliveries[0]);
}

/* ---- the server restarts in the middle ----------------------------------- */

/* This test restarts a nats-server of its own (same port, same store, as
 * scripts/broker-nats.sh restart does), so it runs beside the others. */
static struct wb_nats_server own = {.pid = -1};

static void stop_own_server(void)
{
    wb_nats_server_stop(&own);
}

struct restarter {
    pthread_t thread;
    bool ok;
    char why[512];
};

static void *restart_server(void *arg)
{
    struct restarter *r = arg;
    r->ok = wb_nats_server_restart(&own, r->why, sizeof r->why);
    return NULL;
}

#define RESTART_TASKS 60

/* How many pull requests wait on the consumer (num_waiting): a worker that
 * has set up and is fetching keeps one waiting. 0 while the consumer does
 * not exist yet. */
static json_int_t pullers_waiting(const struct fx_stream *st, const char *durable)
{
    char api[256], err[512] = "";
    snprintf(api, sizeof api, "CONSUMER.INFO.%s.%s", st->name, durable);
    struct wb_nats *peer = fx_peer();
    json_t *info = wb_nats_js(peer, api, "", err, sizeof err);
    json_t *value = json_object_get(info, "num_waiting");
    json_int_t n = json_is_integer(value) ? json_integer_value(value) : 0;
    json_decref(info);
    wb_nats_close(peer);
    return n;
}

/* Both workers must be fetching before the restart: one still setting up
 * when the server goes away would only meet the outage in js_AddConsumer,
 * and whether it does would depend on how fast this machine is. False at
 * once when a worker has returned. */
static bool wait_for_pullers(const struct fx_stream *st, const char *durable,
                             struct worker *const *workers, int expected, int timeout_ms)
{
    int64_t deadline = wb_now_ms() + timeout_ms;
    while (pullers_waiting(st, durable) < expected) {
        for (int i = 0; i < expected; i++)
            if (atomic_load(&workers[i]->finished))
                return false;
        if (wb_now_ms() >= deadline)
            return false;
        usleep(50 * 1000);
    }
    return true;
}

Test(jetstream, nothing_acked_is_lost_when_server_restarts, .timeout = 120, .fini = stop_own_server,
     .description = "the nats-server restart and all 60 tasks to be handled (workers "
                    "reconnecting), then stream_work to return once stop is set")
{
    char why[512] = ""; /* cr_assert formats its message even when it holds */
    cr_assert(wb_nats_server_start(&own, why, sizeof why), "test setup: %s", why);
    setenv("NATS_URL", own.url, 1); /* the fixture and the workers use it */
    natsConnection *nc = fx_connect();
    struct fx_stream st;
    make_stream(&st, nc);

    struct board b = {.lock = PTHREAD_MUTEX_INITIALIZER, .always_fail_id = -1};
    volatile sig_atomic_t stop = 0;
    struct worker w1, w2;
    start_worker(&w1, &b, st.name, "survivor", 10, &stop);
    start_worker(&w2, &b, st.name, "survivor", 10, &stop);
    bool pulling = wait_for_pullers(&st, "survivor", (struct worker *const[]){&w1, &w2}, 2, 15000);
    if (!pulling) {
        stop = 1;
        join_worker(&w1);
        join_worker(&w2);
        cr_assert_fail("two workers on consumer \"survivor\" were not both waiting on a "
                       "fetch within 15 s, before any message (workers said: '%s' / '%s'): "
                       "does stream_work bind a pull subscription and fetch in a loop?",
                       w1.err, w2.err);
    }
    publish_tasks(nc, &st, 0, RESTART_TASKS / 2);
    wait_for(&b, &b.distinct, 5, 10000); /* restart while messages are in flight */

    struct restarter r = {0};
    cr_assert_eq(pthread_create(&r.thread, NULL, restart_server, &r), 0, "pthread_create");
    publish_tasks(nc, &st, RESTART_TASKS / 2, RESTART_TASKS); /* through the outage */
    pthread_join(r.thread, NULL);
    cr_assert(r.ok, "test setup: the restart of nats-server failed: %s", r.why);

    bool all = wait_for(&b, &b.distinct, RESTART_TASKS, 30000);
    /* An ack lost in the restart leaves its message unacknowledged until
     * AckWait (2 s) brings it back to a worker: give that time to happen. */
    json_int_t ack_pending = -1, pending = -1;
    int64_t deadline = wb_now_ms() + 20000;
    do {
        consumer_state(&st, "survivor", &ack_pending, &pending);
        if (ack_pending == 0 && pending == 0)
            break;
        usleep(200 * 1000);
    } while (all && wb_now_ms() < deadline);
    stop = 1;
    join_worker(&w1);
    join_worker(&w2);
    natsConnection_Destroy(nc);
    cr_assert_eq(b.bad_ids, 0, "%d message(s) arrived without their Nats-Msg-Id", b.bad_ids);
    if (!all) {
        char missing[400] = "";
        for (int i = 0; i < RESTART_TASKS && strlen(missing) < 380; i++)
            if (!b.done[i])
                snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %d", i);
        cr_assert_fail("%d of %d messages handled after the server restart; missing:%s. "
                       "workers said: '%s' / '%s'. A file-backed stream, publishes that wait "
                       "for the PubAck and retry, and a durable consumer keep them all.",
                       b.distinct, RESTART_TASKS, missing, w1.err, w2.err);
    }
    cr_assert(w1.result >= 0 && w2.result >= 0, "a worker gave up: '%s' / '%s'", w1.err, w2.err);
    json_int_t stored = stream_messages(&st);
    cr_assert_eq(stored, RESTART_TASKS,
                 "the stream holds %lld messages for %d distinct ids: retried publishes were "
                 "stored twice (same Nats-Msg-Id on every try?)",
                 (long long)stored, RESTART_TASKS);
    consumer_state(&st, "survivor", &ack_pending, &pending);
    cr_assert(ack_pending == 0 && pending == 0,
              "consumer \"survivor\" still has %lld unacknowledged and %lld undelivered "
              "messages 20 s after all were handled: are acks confirmed (natsMsg_AckSync), "
              "and are messages whose ack was lost handled again?",
              (long long)ack_pending, (long long)pending);
    cr_log_info("restart test: %d messages, %d duplicate deliveries handled idempotently",
                RESTART_TASKS, b.duplicates);
    delete_stream(&st);
}

/* Stopped while it waits out an outage during its set-up: that is a stop,
 * not a failure. *stop is set before the worker starts, so no timing is
 * involved; an implementation that looks at *stop first returns 0 too. */
Test(jetstream, stop_while_server_away_is_not_an_error, .timeout = 60, .fini = stop_own_server,
     .description = "stream_work to return 0 when stopped while the server is away")
{
    char why[512] = "";
    cr_assert(wb_nats_server_start(&own, why, sizeof why), "test setup: %s", why);
    setenv("NATS_URL", own.url, 1);
    natsConnection *nc = fx_connect();
    struct fx_stream st;
    make_stream(&st, nc);
    natsConnection_Destroy(nc);

    struct board b = {.lock = PTHREAD_MUTEX_INITIALIZER, .always_fail_id = -1};
    volatile sig_atomic_t stop = 1;
    /* A connection that does not reconnect: when the server goes, it is
     * closed, and every call on it says so at once (a reconnecting one
     * would hold each JetStream request for its whole timeout). */
    natsOptions *no_reconnect = NULL;
    struct worker w = {.board = &b};
    cr_assert(natsOptions_Create(&no_reconnect) == NATS_OK &&
                  natsOptions_SetURL(no_reconnect, own.url) == NATS_OK &&
                  natsOptions_SetAllowReconnect(no_reconnect, false) == NATS_OK &&
                  natsConnection_Connect(&w.nc, no_reconnect) == NATS_OK,
              "test setup: cannot connect to %s", own.url);
    natsOptions_Destroy(no_reconnect);
    w.opt = worker_options(st.name, "stopped", 3, &stop);
    wb_nats_server_stop(&own);
    for (int i = 0; i < 500 && natsConnection_Status(w.nc) != NATS_CONN_STATUS_CLOSED; i++)
        usleep(10 * 1000); /* libnats notices the server's end in its own thread */
    cr_assert_eq(pthread_create(&w.thread, NULL, worker_main, &w), 0, "pthread_create");
    join_worker(&w);
    cr_assert_eq(w.result, 0,
                 "stream_work was stopped (*stop = 1) while the server was away; expected 0 "
                 "(nothing acked, and a stop is not a failure), got %d (err: '%s')",
                 w.result, w.err);
}

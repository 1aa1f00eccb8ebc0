/*
 * test_consumer.c - tests of exercise "consumer" (consumer.c).
 * Needs a RabbitMQ broker at AMQP_ADDR (make test starts one).
 */
#include "consumer.h"
#include "tests/amqp_fixture.h"
#include "wb_testkit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

WB_SUITE(consumer);

/* What the test handler saw. */
struct seen {
    int calls;
    int fail_first_n; /* fail this many calls, then succeed */
    char bodies[8][128];
    bool redelivered[8];
    volatile sig_atomic_t *stop_after_first;
};

static int record(const amqp_envelope_t *envelope, void *user)
{
    struct seen *s = user;
    if (s->calls < 8) {
        snprintf(s->bodies[s->calls], sizeof s->bodies[0], "%.*s", (int)envelope->message.body.len,
                 (const char *)envelope->message.body.bytes);
        s->redelivered[s->calls] = envelope->redelivered;
    }
    s->calls++;
    if (s->stop_after_first)
        *s->stop_after_first = 1;
    return s->calls <= s->fail_first_n ? -1 : 0;
}

/* Declares the queue through the code under test, as a real deployment would. */
static void declare(const char *queue)
{
    struct amqp_link link;
    cr_assert_eq(amqp_link_open(&link, fx_url(), 5000), 0, "cannot connect: %s", link.error);
    int rc = consumer_declare(&link, queue);
    char error[sizeof link.error] = "";
    snprintf(error, sizeof error, "%s", link.error);
    amqp_link_close(&link);
    cr_assert_eq(rc, 0, "consumer_declare(link, \"%s\") returned %d: %s", queue, rc, error);
}

static long wait_count(const char *queue, long expected)
{
    long n = fx_count(queue);
    for (int i = 0; i < 20 && n != expected; i++) {
        usleep(50 * 1000);
        n = fx_count(queue);
    }
    return n;
}

static void cleanup(const char *queue)
{
    char dead[256];
    snprintf(dead, sizeof dead, "%s%s", queue, CONSUMER_DEAD_SUFFIX);
    fx_delete(queue);
    fx_delete(dead);
}

Test(consumer, handles_and_acks_in_order)
{
    char queue[128], err[512] = "";
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-consumer"));
    declare(queue);
    fx_publish(queue, "one", NULL);
    fx_publish(queue, "two", NULL);
    fx_publish(queue, "three", NULL);
    struct seen s = {0};
    struct consumer_options opt = {.queue = queue, .max_messages = 3};
    int n = consumer_run(fx_url(), &opt, record, &s, err, sizeof err);
    cr_assert_eq(n, 3, "consumer_run(max_messages = 3) on 3 messages returned %d (%s)", n, err);
    cr_assert_str_eq(s.bodies[0], "one", "first message handled was \"%s\", expected \"one\"",
                     s.bodies[0]);
    cr_assert_str_eq(s.bodies[2], "three", "third message was \"%s\", expected \"three\"",
                     s.bodies[2]);
    long left = wait_count(queue, 0);
    cr_assert_eq(left, 0,
                 "%ld message(s) back in the queue after consumer_run: were they "
                 "acked (amqp_basic_ack) after handling?",
                 left);
    cleanup(queue);
}

Test(consumer, failure_requeues_then_succeeds)
{
    char queue[128], err[512] = "";
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-consumer"));
    declare(queue);
    fx_publish(queue, "flaky", NULL);
    struct seen s = {.fail_first_n = 1};
    struct consumer_options opt = {.queue = queue, .max_messages = 2};
    int n = consumer_run(fx_url(), &opt, record, &s, err, sizeof err);
    cr_assert_eq(s.calls, 2,
                 "handler failed once on \"flaky\"; expected it to be called again "
                 "after basic.reject with requeue, but it was called %d time(s) (%s)",
                 s.calls, err);
    cr_assert(s.redelivered[1], "the second delivery should carry redelivered = true");
    cr_assert_eq(n, 1, "consumer_run returned %d, expected 1 message handled", n);
    cr_assert_eq(wait_count(queue, 0), 0, "queue not empty after the retry succeeded");
    cleanup(queue);
}

Test(consumer, second_failure_dead_letters)
{
    char queue[128], dead[256], err[512] = "";
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-consumer"));
    snprintf(dead, sizeof dead, "%s%s", queue, CONSUMER_DEAD_SUFFIX);
    declare(queue);
    fx_publish(queue, "poison", NULL);
    struct seen s = {.fail_first_n = 100};
    struct consumer_options opt = {.queue = queue, .max_messages = 2};
    int n = consumer_run(fx_url(), &opt, record, &s, err, sizeof err);
    cr_assert_eq(n, 0,
                 "consumer_run returned %d, expected 0 handled (the handler always fails; %s)", n,
                 err);
    cr_assert_eq(s.calls, 2,
                 "handler called %d time(s) on a failing message, expected 2 "
                 "(first try + one redelivery)",
                 s.calls);
    struct fx_message m;
    cr_assert(fx_get(dead, &m, 2000),
              "after two failures \"poison\" should be in '%s' "
              "(reject with requeue = 0 on a redelivery); it is not",
              dead);
    cr_assert_str_eq(m.body, "poison", "dead-letter queue holds \"%s\"", m.body);
    cr_assert_eq(wait_count(queue, 0), 0, "the failing message is still in '%s'", queue);
    cleanup(queue);
}

Test(consumer, stop_flag_ends_run_and_keeps_the_rest)
{
    char queue[128], err[512] = "";
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-consumer"));
    declare(queue);
    fx_publish(queue, "a", NULL);
    fx_publish(queue, "b", NULL);
    fx_publish(queue, "c", NULL);
    volatile sig_atomic_t stop = 0;
    struct seen s = {.stop_after_first = &stop};
    struct consumer_options opt = {.queue = queue, .stop = &stop};
    int64_t start = wb_now_ms();
    int n = consumer_run(fx_url(), &opt, record, &s, err, sizeof err);
    cr_assert(wb_now_ms() - start < 5000, "consumer_run did not return within 5 s of *stop = 1");
    cr_assert_eq(n, 1,
                 "the handler set *stop after the first message; consumer_run returned "
                 "%d (%s), expected 1",
                 n, err);
    long left = wait_count(queue, 2);
    cr_assert_eq(left, 2,
                 "%ld message(s) left in the queue, expected the 2 unhandled ones "
                 "(never ack what you did not handle)",
                 left);
    cleanup(queue);
}

static void *raise_stop_later(void *arg)
{
    usleep(300 * 1000);
    *(volatile sig_atomic_t *)arg = 1;
    return NULL;
}

Test(consumer, stop_flag_ends_idle_run)
{
    char queue[128], err[512] = "";
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-consumer"));
    volatile sig_atomic_t stop = 0;
    struct seen s = {0};
    struct consumer_options opt = {.queue = queue, .stop = &stop};
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, raise_stop_later, (void *)&stop), 0, "pthread_create");
    int64_t start = wb_now_ms();
    int n = consumer_run(fx_url(), &opt, record, &s, err, sizeof err);
    int64_t took = wb_now_ms() - start;
    pthread_join(t, NULL);
    cr_assert_eq(n, 0, "consumer_run on an empty queue returned %d (%s), expected 0", n, err);
    cr_assert(took < 3000,
              "consumer_run took %lld ms to notice *stop = 1 on an idle queue: "
              "use a short timeout in amqp_consume_message and check the flag",
              (long long)took);
    cleanup(queue);
}

Test(consumer, refused_port_gives_clear_error)
{
    char url[128], err[512] = "";
    snprintf(url, sizeof url, "amqp://guest:guest@127.0.0.1:%u/%%2f", wb_refusing_port());
    struct seen s = {0};
    struct consumer_options opt = {.queue = "hello", .max_messages = 1};
    int n = consumer_run(url, &opt, record, &s, err, sizeof err);
    cr_assert_eq(n, -1, "consumer_run against %s (nothing listens) returned %d, expected -1", url,
                 n);
    cr_assert(strstr(err, "refused") != NULL || strstr(err, "connect") != NULL,
              "error is \"%s\"; expected it to say the connection was refused", err);
}

Test(consumer, takes_from_amqp_publish)
{
    char queue[128], err[512] = "", url_arg[600];
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-consumer-tools"));
    declare(queue);
    snprintf(url_arg, sizeof url_arg, "--url=%s", fx_url());
    char *argv[] = {"amqp-publish", url_arg, "-r", queue, "-p", "-b", "from amqp-publish", NULL};
    struct wb_run_result r;
    cr_assert_eq(wb_run(argv, NULL, 8000, &r), 0, "cannot run amqp-publish: %s", r.output);
    cr_assert_eq(r.exit_code, 0, "amqp-publish failed: %s", r.output);
    wb_run_result_free(&r);
    struct seen s = {0};
    struct consumer_options opt = {.queue = queue, .max_messages = 1};
    int n = consumer_run(fx_url(), &opt, record, &s, err, sizeof err);
    cr_assert_eq(n, 1, "consumer_run returned %d (%s), expected the 1 message amqp-publish sent", n,
                 err);
    cr_assert_str_eq(s.bodies[0], "from amqp-publish", "handler got \"%s\"", s.bodies[0]);
    cleanup(queue);
}

Test(consumer, takes_from_pika)
{
    char queue[128], err[512] = "";
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-consumer-pika"));
    declare(queue);
    char *argv[] = {"/usr/bin/python3",
                    (char *)wb_chapter_path("peers/pika_publish.py"),
                    (char *)fx_url(),
                    queue,
                    "py-1",
                    "py-2",
                    NULL};
    struct wb_run_result r;
    cr_assert_eq(wb_run(argv, NULL, 8000, &r), 0, "cannot run pika_publish.py: %s", r.output);
    cr_assert_eq(r.exit_code, 0, "pika_publish.py failed: %s", r.output);
    wb_run_result_free(&r);
    struct seen s = {0};
    struct consumer_options opt = {.queue = queue, .max_messages = 2};
    int n = consumer_run(fx_url(), &opt, record, &s, err, sizeof err);
    cr_assert_eq(n, 2, "consumer_run returned %d (%s), expected the 2 messages pika sent", n, err);
    cr_assert(strcmp(s.bodies[0], "py-1") == 0 && strcmp(s.bodies[1], "py-2") == 0,
              "handler got \"%s\", \"%s\"; expected \"py-1\", \"py-2\"", s.bodies[0], s.bodies[1]);
    cleanup(queue);
}

/* Looks, from outside, at how many messages the broker still holds back. */
struct held_back {
    const char *queue;
    long ready; /* messages still "ready" in the queue while the first is handled */
};

static int count_ready_while_busy(const amqp_envelope_t *envelope, void *user)
{
    (void)envelope;
    struct held_back *h = user;
    if (h->ready < 0) {
        /* Give the broker time to push whatever it is allowed to push. */
        usleep(500 * 1000);
        h->ready = fx_count(h->queue);
    }
    return 0;
}

Test(consumer, prefetch_limits_unacked_deliveries)
{
    char queue[128], err[512] = "";
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-consumer-qos"));
    declare(queue);
    enum { N = 30, PREFETCH = 5 };
    for (int i = 0; i < N; i++)
        fx_publish(queue, "task", NULL);
    struct held_back h = {.queue = queue, .ready = -1};
    struct consumer_options opt = {.queue = queue, .max_messages = 1, .prefetch = PREFETCH};
    int n = consumer_run(fx_url(), &opt, count_ready_while_busy, &h, err, sizeof err);
    cleanup(queue);
    cr_assert_eq(n, 1, "consumer_run(max_messages = 1) returned %d (%s)", n, err);
    cr_assert(h.ready >= N - PREFETCH,
              "while the handler worked on its first message, only %ld of %d messages were "
              "still waiting in the queue: with basic.qos prefetch_count = %d the broker sends "
              "at most %d unacked messages, so at least %d must wait. Call amqp_basic_qos with "
              "opt->prefetch before amqp_basic_consume",
              h.ready, N, PREFETCH, PREFETCH, N - PREFETCH);
}

Test(consumer, consumes_a_queue_declared_elsewhere)
{
    char queue[128], err[512] = "";
    snprintf(queue, sizeof queue, "%s", wb_unique_name("wb-consumer-theirs"));
    /* Declared by "another program" the way the source document does: not durable. */
    fx_declare(queue, false);
    fx_publish(queue, "from the document", NULL);
    struct seen s = {0};
    struct consumer_options opt = {.queue = queue, .max_messages = 1, .existing_queue = true};
    int n = consumer_run(fx_url(), &opt, record, &s, err, sizeof err);
    fx_delete(queue);
    cr_assert_eq(n, 1,
                 "consumer_run with existing_queue = true on non-durable queue '%s' returned %d "
                 "(%s), expected 1: with existing_queue, skip consumer_declare (declaring the "
                 "queue durable again makes the broker answer 406 PRECONDITION_FAILED)",
                 queue, n, err);
    cr_assert_str_eq(s.bodies[0], "from the document", "handler got \"%s\"", s.bodies[0]);
}

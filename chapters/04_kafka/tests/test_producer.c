/*
 * test_producer.c - exercise `producer`.
 *
 * Each test gets its own 3-broker mock cluster (or uses KAFKA_BROKERS) and a
 * topic name of its own; results are read back by independent clients:
 * kcat, kafka-python and the test kit's reader.
 */
#include "producer.h"
#include "wb_kafka.h"
#include "wb_testkit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct wb_kafka kafka;

static void setup(void)
{
    cr_assert(wb_kafka_start(&kafka), "could not start the Kafka mock cluster for this test");
}

static void teardown(void)
{
    wb_kafka_stop(&kafka);
}

WB_SUITE(producer, .init = setup, .fini = teardown);

Test(producer, hello_reaches_kcat)
{
    char topic[128];
    snprintf(topic, sizeof topic, "%s", wb_unique_name("hello"));
    int rc = send_hello(kafka.brokers, topic, 10000);
    cr_assert_eq(rc, 0,
                 "send_hello(\"%s\", \"%s\", 10000) returned %d, expected 0 "
                 "(the broker acknowledged the message)",
                 kafka.brokers, topic, rc);

    char *argv[] = {"kcat", "-C", "-b", kafka.brokers, "-t", topic,      "-o", "beginning",
                    "-c",   "1",  "-e", "-q",          "-f", "%k|%s\\n", NULL};
    struct wb_run_result r;
    cr_assert_eq(wb_run(argv, NULL, 15000, &r), 0, "could not run kcat: %s", r.output);
    cr_expect(strstr(r.output, "key|Hello, Kafka!") != NULL,
              "kcat -C read topic %s and expected a message with key \"key\" and value "
              "\"Hello, Kafka!\" (printed as key|value); kcat printed:\n%s",
              topic, r.output);
    wb_run_result_free(&r);
}

Test(producer, hello_reaches_kafka_python)
{
    char topic[128];
    snprintf(topic, sizeof topic, "%s", wb_unique_name("hello-py"));
    int rc = send_hello(kafka.brokers, topic, 10000);
    cr_assert_eq(rc, 0, "send_hello(\"%s\", \"%s\", 10000) returned %d, expected 0", kafka.brokers,
                 topic, rc);

    const char *script =
        "import sys\n"
        "from kafka import KafkaConsumer\n"
        "c = KafkaConsumer(sys.argv[2], bootstrap_servers=sys.argv[1].split(','),\n"
        "                  auto_offset_reset='earliest', consumer_timeout_ms=8000)\n"
        "for m in c:\n"
        "    print('%s|%s' % (m.key.decode(), m.value.decode()))\n"
        "    break\n"
        "c.close()\n";
    char *argv[] = {"/usr/bin/python3", "-c", (char *)script, kafka.brokers, topic, NULL};
    struct wb_run_result r;
    cr_assert_eq(wb_run(argv, NULL, 20000, &r), 0, "could not run python3: %s", r.output);
    cr_expect(strstr(r.output, "key|Hello, Kafka!") != NULL,
              "kafka-python read topic %s and expected key \"key\", value \"Hello, Kafka!\"; "
              "it printed:\n%s",
              topic, r.output);
    wb_run_result_free(&r);
}

Test(producer, every_message_gets_a_delivery_report)
{
    char err[512] = "";
    const char *topic = wb_unique_name("reports");
    char topic_copy[128];
    snprintf(topic_copy, sizeof topic_copy, "%s", topic);
    struct kafka_producer *p = producer_create(kafka.brokers, 10000, err, sizeof err);
    cr_assert_not_null(p, "producer_create(\"%s\", 10000, ...) returned NULL: %s", kafka.brokers,
                       err);

    enum { N = 50 };
    for (int i = 0; i < N; i++) {
        char value[32];
        snprintf(value, sizeof value, "message-%d", i);
        int rc = producer_send(p, topic_copy, "same-key", value);
        cr_assert_eq(rc, 0, "producer_send(topic %s, \"%s\") returned %d, expected 0", topic_copy,
                     value, rc);
    }
    int rc = producer_flush(p, 15000);
    long delivered = producer_delivered(p), failed = producer_failed(p);
    producer_destroy(p);
    cr_assert_eq(rc, 0, "producer_flush(p, 15000) returned %d after %d sends, expected 0", rc, N);
    cr_assert_eq(delivered, N,
                 "after sending %d messages and flushing, producer_delivered() "
                 "gave %ld (failed: %ld); every delivery report must be counted",
                 N, delivered, failed);
    cr_assert_eq(failed, 0, "producer_failed() gave %ld on a healthy broker, expected 0", failed);

    struct wb_kafka_msgs got;
    wb_kafka_read_all(kafka.brokers, topic_copy, N, 15000, 0, false, &got);
    int count = got.count;
    bool keyed = true;
    for (int i = 0; i < got.count; i++)
        if (!got.items[i].key || strcmp(got.items[i].key, "same-key") != 0)
            keyed = false;
    wb_kafka_msgs_free(&got);
    cr_assert_eq(count, N, "read %d messages back from topic %s, expected the %d that were sent",
                 count, topic_copy, N);
    cr_assert(keyed, "some message read back from %s did not carry the key \"same-key\"",
              topic_copy);
}

Test(producer, failed_delivery_is_reported)
{
    /* Nothing listens on this port: no message can ever be delivered. */
    char brokers[64], err[512] = "";
    snprintf(brokers, sizeof brokers, "127.0.0.1:%u", (unsigned)wb_refusing_port());
    struct kafka_producer *p = producer_create(brokers, 500, err, sizeof err);
    cr_assert_not_null(p, "producer_create(\"%s\", 500, ...) returned NULL: %s", brokers, err);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(producer_send(p, "nowhere", NULL, "lost"), 0,
                     "producer_send should queue the message even when the broker is down "
                     "(delivery fails later, in the delivery report)");
    int rc = producer_flush(p, 8000);
    long delivered = producer_delivered(p), failed = producer_failed(p);
    char last[256];
    snprintf(last, sizeof last, "%s", producer_last_error(p));
    producer_destroy(p);
    cr_assert_eq(rc, 0,
                 "producer_flush(p, 8000) returned %d: with message.timeout.ms=500 every "
                 "message should have failed (and been reported) well before 8 s",
                 rc);
    cr_assert_eq(failed, 3,
                 "3 messages sent to an unreachable broker: producer_failed() gave %ld "
                 "(delivered %ld), expected 3 failures reported",
                 failed, delivered);
    cr_assert(last[0] != '\0', "producer_last_error() is empty after failed deliveries; it should "
                               "hold the reason (e.g. \"Local: Message timed out\")");
}

Test(producer, flush_is_bounded)
{
    char brokers[64], err[512] = "";
    snprintf(brokers, sizeof brokers, "127.0.0.1:%u", (unsigned)wb_refusing_port());
    struct kafka_producer *p = producer_create(brokers, 60000, err, sizeof err);
    cr_assert_not_null(p, "producer_create(\"%s\", 60000, ...) returned NULL: %s", brokers, err);
    cr_assert_eq(producer_send(p, "nowhere", "k", "waiting"), 0,
                 "producer_send should queue the message");
    int rc = producer_flush(p, 1000);
    long failed = producer_failed(p);
    producer_destroy(p);
    cr_assert_eq(rc, -1,
                 "producer_flush(p, 1000) with an unreachable broker returned %d, expected -1: "
                 "the message is still waiting when the bound expires",
                 rc);
    cr_assert_eq(failed, 0,
                 "producer_failed() gave %ld, but the 60 s delivery timeout has not "
                 "passed yet",
                 failed);
}

Test(producer, broker_error_is_reported_per_message)
{
    wb_kafka_require_mock();
    char topic[128], err[512] = "";
    snprintf(topic, sizeof topic, "%s", wb_unique_name("rejected"));
    cr_assert(wb_kafka_create_topic(&kafka, topic, 1), "could not create topic %s", topic);
    struct kafka_producer *p = producer_create(kafka.brokers, 10000, err, sizeof err);
    cr_assert_not_null(p, "producer_create(\"%s\", 10000, ...) returned NULL: %s", kafka.brokers,
                       err);

    /* The broker refuses the next Produce request with a permanent error. */
    wb_kafka_fail_produce(&kafka, 1, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
    cr_assert_eq(producer_send(p, topic, "k", "refused"), 0,
                 "producer_send(\"refused\") should queue");
    int rc1 = producer_flush(p, 10000);
    cr_assert_eq(producer_send(p, topic, "k", "accepted"), 0,
                 "producer_send(\"accepted\") should queue");
    int rc2 = producer_flush(p, 10000);
    long delivered = producer_delivered(p), failed = producer_failed(p);
    char last[256];
    snprintf(last, sizeof last, "%s", producer_last_error(p));
    producer_destroy(p);
    cr_assert(rc1 == 0 && rc2 == 0, "producer_flush returned %d then %d, expected 0 both times",
              rc1, rc2);
    cr_assert_eq(failed, 1,
                 "the broker refused the first message (MSG_SIZE_TOO_LARGE): "
                 "producer_failed() gave %ld, expected 1",
                 failed);
    cr_assert_eq(delivered, 1,
                 "the second message was accepted: producer_delivered() gave %ld, "
                 "expected 1",
                 delivered);
    cr_assert(last[0] != '\0', "producer_last_error() is empty after a refused message");
}

/* A send_hello that fails in the bad case must also succeed in the good one. */
static void hello_works(const char *why)
{
    char topic[128];
    snprintf(topic, sizeof topic, "%s", wb_unique_name("hello-first"));
    int rc = send_hello(kafka.brokers, topic, 10000);
    cr_assert_eq(rc, 0,
                 "send_hello(\"%s\", \"%s\", 10000) on a healthy broker returned %d, "
                 "expected 0 (before checking that it fails %s)",
                 kafka.brokers, topic, rc, why);
}

Test(producer, hello_fails_when_nothing_is_delivered)
{
    hello_works("when nothing is delivered");
    char brokers[64];
    snprintf(brokers, sizeof brokers, "127.0.0.1:%u", (unsigned)wb_refusing_port());
    int rc = send_hello(brokers, "nowhere", 500);
    cr_assert_eq(rc, -1,
                 "send_hello(\"%s\" (nothing listens), \"nowhere\", 500) returned %d, expected "
                 "-1: succeed only when the delivery report said the broker has the message",
                 brokers, rc);
}

Test(producer, hello_fails_when_the_broker_refuses_it)
{
    wb_kafka_require_mock();
    hello_works("when the broker refuses the message");
    char topic[128];
    snprintf(topic, sizeof topic, "%s", wb_unique_name("hello-refused"));
    cr_assert(wb_kafka_create_topic(&kafka, topic, 1), "could not create topic %s", topic);
    /* The broker refuses the Produce request with a permanent error. */
    wb_kafka_fail_produce(&kafka, 1, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
    int rc = send_hello(kafka.brokers, topic, 10000);
    cr_assert_eq(rc, -1,
                 "the broker refused \"Hello, Kafka!\" (MSG_SIZE_TOO_LARGE) but send_hello "
                 "returned %d, expected -1: a flush that returns 0 only says no message is left "
                 "waiting; the delivery report says whether it arrived",
                 rc);
}

/* QUEUE_FULL: with every broker down nothing leaves the producer's local
 * queue, which holds 100000 messages by default (queue.buffering.max.messages);
 * the next rd_kafka_producev is refused with RD_KAFKA_RESP_ERR__QUEUE_FULL until
 * deliveries make room. A helper brings the brokers back once the queue is full. */
enum { QUEUE_LIMIT = 100000, OVER_LIMIT = 500 };

struct brokers_back {
    pthread_t thread;
    volatile int sent; /* messages queued so far, written by the test thread */
};

static void *bring_brokers_back(void *arg)
{
    struct brokers_back *b = arg;
    int64_t deadline = wb_now_ms() + 20000;
    while (b->sent < QUEUE_LIMIT && wb_now_ms() < deadline)
        usleep(10 * 1000);
    usleep(300 * 1000); /* the next send finds the queue full meanwhile */
    for (int32_t id = 1; id <= 3; id++)
        wb_kafka_broker_up(&kafka, id);
    return NULL;
}

Test(producer, full_queue_is_waited_out, .timeout = 30,
     .description = "producer_send to get past the full local queue once the brokers came back, "
                    "then producer_flush")
{
    wb_kafka_require_mock();
    char topic[128], err[512] = "";
    snprintf(topic, sizeof topic, "%s", wb_unique_name("full"));
    cr_assert(wb_kafka_create_topic(&kafka, topic, 1), "could not create topic %s", topic);
    for (int32_t id = 1; id <= 3; id++)
        wb_kafka_broker_down(&kafka, id);
    struct kafka_producer *p = producer_create(kafka.brokers, 30000, err, sizeof err);
    cr_assert_not_null(p, "producer_create returned NULL: %s", err);
    struct brokers_back back = {.sent = 0};
    cr_assert_eq(pthread_create(&back.thread, NULL, bring_brokers_back, &back), 0,
                 "pthread_create failed");
    int failed_at = -1;
    for (int i = 0; i < QUEUE_LIMIT + OVER_LIMIT && failed_at < 0; i++) {
        if (producer_send(p, topic, NULL, "x") != 0)
            failed_at = i;
        else
            back.sent = i + 1;
    }
    back.sent = QUEUE_LIMIT; /* let the helper finish in any case */
    pthread_join(back.thread, NULL);
    int rc = failed_at < 0 ? producer_flush(p, 20000) : -1;
    long delivered = producer_delivered(p);
    producer_destroy(p);
    cr_assert_eq(failed_at, -1,
                 "producer_send returned -1 for message %d while the brokers were away: the "
                 "local queue holds %d messages, then rd_kafka_producev says "
                 "RD_KAFKA_RESP_ERR__QUEUE_FULL; poll (rd_kafka_poll(rk, 100)) and try again "
                 "instead of giving up",
                 failed_at + 1, QUEUE_LIMIT);
    cr_assert_eq(rc, 0, "producer_flush(p, 20000) returned %d after the brokers came back", rc);
    cr_assert_eq(delivered, QUEUE_LIMIT + OVER_LIMIT,
                 "%ld of %d messages reported delivered after the brokers came back", delivered,
                 QUEUE_LIMIT + OVER_LIMIT);
}

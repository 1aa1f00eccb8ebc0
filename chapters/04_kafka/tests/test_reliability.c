/*
 * test_reliability.c - exercise `reliability`.
 *
 * On the mock cluster the tests inject faults (refused Produce requests, a
 * broker outage) and check nothing is lost. The mock does not deduplicate
 * an idempotent producer's retries and keeps nothing on disk, so "no
 * duplicates", durability across a broker restart and transactions are
 * checked on a real broker (KAFKA_BROKERS) only.
 */
#include "reliable.h"
#include "wb_kafka.h"
#include "wb_testkit.h"

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

WB_SUITE(reliability, .init = setup, .fini = teardown);

/* Reads topic back and counts how many of "s0".."s<n-1>" arrived at least
 * once, and how many arrived more than once. */
static void check_sequence(const char *topic, int n, int linger_ms, int *present, int *duplicated)
{
    struct wb_kafka_msgs got;
    wb_kafka_read_all(kafka.brokers, topic, n, 15000, linger_ms, false, &got);
    unsigned char *seen = calloc((size_t)n, 1);
    cr_assert_not_null(seen, "out of memory");
    *present = *duplicated = 0;
    for (int i = 0; i < got.count; i++) {
        int k;
        if (sscanf(got.items[i].value, "s%d", &k) == 1 && k >= 0 && k < n && seen[k] < 255)
            seen[k]++;
    }
    for (int k = 0; k < n; k++) {
        *present += seen[k] > 0;
        *duplicated += seen[k] > 1;
    }
    free(seen);
    wb_kafka_msgs_free(&got);
}

static void send_sequence(struct reliable_producer *p, const char *topic, int from, int to)
{
    for (int i = from; i < to; i++) {
        char value[32], key[16];
        snprintf(value, sizeof value, "s%d", i);
        snprintf(key, sizeof key, "k%d", i % 8);
        int rc = reliable_send(p, topic, key, value);
        cr_assert_eq(rc, 0, "reliable_send(topic %s, \"%s\") returned %d, expected 0", topic, value,
                     rc);
    }
}

Test(reliability, producer_is_idempotent_with_acks_all)
{
    char err[512] = "";
    struct reliable_producer *p = reliable_create(kafka.brokers, NULL, 30000, err, sizeof err);
    cr_assert_not_null(p, "reliable_create(\"%s\", NULL, 30000) returned NULL: %s", kafka.brokers,
                       err);
    rd_kafka_t *rk = reliable_handle(p);
    cr_assert_not_null(rk, "reliable_handle returned NULL");
    char idem[16] = "", acks[16] = "";
    size_t n1 = sizeof idem, n2 = sizeof acks;
    const rd_kafka_conf_t *conf = rd_kafka_conf(rk);
    rd_kafka_conf_res_t r1 = rd_kafka_conf_get(conf, "enable.idempotence", idem, &n1);
    rd_kafka_conf_res_t r2 = rd_kafka_conf_get(conf, "acks", acks, &n2);
    reliable_destroy(p);
    cr_assert(r1 == RD_KAFKA_CONF_OK && strcmp(idem, "true") == 0,
              "enable.idempotence is \"%s\", expected \"true\"", idem);
    cr_assert(r2 == RD_KAFKA_CONF_OK && (strcmp(acks, "-1") == 0 || strcmp(acks, "all") == 0),
              "acks is \"%s\", expected all (-1): wait for every in-sync replica", acks);
}

Test(reliability, failed_delivery_makes_flush_fail, .timeout = 15,
     .description = "reliable_flush to return after every message failed (0.5 s delivery timeout)")
{
    /* Nothing listens on this port: every message fails after its 0.5 s timeout
     * (librdkafka looks for expired messages once a second). */
    char brokers[64], err[512] = "";
    snprintf(brokers, sizeof brokers, "127.0.0.1:%u", (unsigned)wb_refusing_port());
    struct reliable_producer *p = reliable_create(brokers, NULL, 500, err, sizeof err);
    cr_assert_not_null(p, "reliable_create(\"%s\", NULL, 500) returned NULL: %s", brokers, err);
    send_sequence(p, "nowhere", 0, 3);
    int rc = reliable_flush(p, 8000);
    long delivered = reliable_delivered(p), failed = reliable_failed(p);
    reliable_destroy(p);
    cr_assert_eq(rc, -1,
                 "reliable_flush returned %d although no broker ever took the 3 messages "
                 "(delivered %ld, failed %ld); expected -1: success means every message sent "
                 "was delivered",
                 rc, delivered, failed);
    cr_assert_eq(failed, 3, "reliable_failed() gave %ld for 3 undeliverable messages, expected 3",
                 failed);
}

Test(reliability, survives_refused_requests, .timeout = 20,
     .description = "reliable_flush to deliver 2000 messages through 6 refused requests")
{
    wb_kafka_require_mock();
    char topic[128], err[512] = "";
    snprintf(topic, sizeof topic, "%s", wb_unique_name("refused"));
    cr_assert(wb_kafka_create_topic(&kafka, topic, 4), "test setup: could not create topic %s",
              topic);
    struct reliable_producer *p = reliable_create(kafka.brokers, NULL, 30000, err, sizeof err);
    cr_assert_not_null(p, "reliable_create returned NULL: %s", err);
    enum { N = 2000 };
    /* The next 6 Produce requests fail with errors a producer should retry. */
    wb_kafka_fail_produce(&kafka, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
    wb_kafka_fail_produce(&kafka, 3, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT);
    send_sequence(p, topic, 0, N);
    int rc = reliable_flush(p, 25000);
    long delivered = reliable_delivered(p), failed = reliable_failed(p);
    reliable_destroy(p);
    cr_assert_eq(rc, 0,
                 "reliable_flush returned %d after 6 injected retriable errors "
                 "(delivered %ld, failed %ld of %d), expected 0: retries should hide them",
                 rc, delivered, failed, N);
    /* Counted from the delivery reports, not read back from the topic:
     * librdkafka 2.0.2's mock checks idempotent sequences loosely (a batch
     * whose sequence falls inside the window of its last five requests but
     * is not the one expected is acknowledged as a duplicate and not
     * written, rdkafka_mock.c), so with retried batches in flight on two
     * busy cores the log lacked one batch in about 1 run of 40 while every
     * report said delivered. no_duplicates_on_real_broker reads the topic
     * back on a real broker. */
    cr_assert(delivered == N && failed == 0,
              "after reliable_flush returned 0, the delivery reports say %ld of the %d messages "
              "were delivered and %ld failed: every message needs its report counted once",
              delivered, N, failed);
}

Test(reliability, survives_broker_outage, .timeout = 20,
     .description = "reliable_flush to deliver 1000 messages after a 1 s leader outage")
{
    wb_kafka_require_mock();
    char topic[128], err[512] = "";
    snprintf(topic, sizeof topic, "%s", wb_unique_name("outage"));
    cr_assert(wb_kafka_create_topic(&kafka, topic, 4), "test setup: could not create topic %s",
              topic);
    wb_kafka_set_leader(&kafka, topic, 4, 1);
    struct reliable_producer *p = reliable_create(kafka.brokers, NULL, 30000, err, sizeof err);
    cr_assert_not_null(p, "reliable_create returned NULL: %s", err);
    enum { N = 1000 };
    send_sequence(p, topic, 0, N / 2);
    /* The leader of every partition goes away for 1 s while we keep sending. */
    wb_kafka_broker_down(&kafka, 1);
    send_sequence(p, topic, N / 2, N);
    int first = reliable_flush(p, 1000); /* cannot finish: the leader is down */
    wb_kafka_broker_up(&kafka, 1);
    int rc = reliable_flush(p, 25000);
    long delivered = reliable_delivered(p), failed = reliable_failed(p);
    reliable_destroy(p);
    cr_assert_eq(first, -1,
                 "reliable_flush(p, 1000) returned %d while the leader was down and messages "
                 "were still waiting; expected -1 (not every message was acknowledged)",
                 first);
    cr_assert_eq(rc, 0,
                 "reliable_flush returned %d after the leader came back (delivered %ld, "
                 "failed %ld of %d), expected 0: with a 30 s delivery timeout a 1 s outage must "
                 "not fail anything",
                 rc, delivered, failed, N);
    int present, duplicated;
    check_sequence(topic, N, 0, &present, &duplicated);
    cr_assert_eq(present, N, "only %d of the %d messages survived the outage in topic %s", present,
                 N, topic);
}

Test(reliability, no_duplicates_on_real_broker, .timeout = 40,
     .description = "reliable_flush of 3000 messages and their read-back")
{
    wb_kafka_require_real();
    char topic[128], err[512] = "";
    snprintf(topic, sizeof topic, "%s", wb_unique_name("exactly"));
    cr_assert(wb_kafka_create_topic(&kafka, topic, 4), "test setup: could not create topic %s",
              topic);
    struct reliable_producer *p = reliable_create(kafka.brokers, NULL, 30000, err, sizeof err);
    cr_assert_not_null(p, "reliable_create returned NULL: %s", err);
    enum { N = 3000 };
    send_sequence(p, topic, 0, N);
    int rc = reliable_flush(p, 25000);
    reliable_destroy(p);
    cr_assert_eq(rc, 0, "reliable_flush returned %d, expected 0 (all %d acknowledged)", rc, N);
    int present, duplicated;
    check_sequence(topic, N, 1500, &present, &duplicated);
    cr_assert_eq(present, N, "only %d of %d messages are in topic %s", present, N, topic);
    cr_assert_eq(duplicated, 0,
                 "%d messages appear more than once in %s: an idempotent producer "
                 "must not duplicate",
                 duplicated, topic);
}

/* Restarts the project's Kafka node through its script, whose supervisor
 * (not this test) starts the new broker process. */
static void restart_broker(void)
{
    const char *script = getenv("WB_BROKER_SCRIPT_KAFKA");
    cr_assert(script && *script,
              "this test restarts the broker, which only works with the project's own Kafka "
              "node (make grade KAFKA=real); with your own cluster in KAFKA_BROKERS it cannot run");
    char *argv[] = {"sh", (char *)script, "restart", NULL};
    struct wb_run_result r;
    int rc = wb_run(argv, NULL, 90000, &r);
    cr_assert(rc == 0 && r.exit_code == 0, "test setup: %s restart failed (exit %d): %s", script,
              r.exit_code, r.output);
    wb_run_result_free(&r);
}

Test(reliability, acknowledged_messages_survive_broker_restart, .timeout = 120,
     .description = "500 acknowledged messages, the broker restart and the read-back")
{
    wb_kafka_require_real();
    char topic[128], err[512] = "";
    snprintf(topic, sizeof topic, "%s", wb_unique_name("durable"));
    cr_assert(wb_kafka_create_topic(&kafka, topic, 4), "test setup: could not create topic %s",
              topic);
    struct reliable_producer *p = reliable_create(kafka.brokers, NULL, 30000, err, sizeof err);
    cr_assert_not_null(p, "reliable_create returned NULL: %s", err);
    enum { N = 500 };
    send_sequence(p, topic, 0, N);
    int rc = reliable_flush(p, 25000);
    reliable_destroy(p);
    cr_assert_eq(rc, 0, "reliable_flush returned %d, expected 0 (all %d acknowledged)", rc, N);

    restart_broker();

    int present, duplicated;
    check_sequence(topic, N, 1500, &present, &duplicated);
    cr_assert_eq(present, N,
                 "after the broker restarted only %d of the %d acknowledged messages are in "
                 "%s: with acks=all an acknowledged message must survive",
                 present, N, topic);
}

Test(reliability, aborted_transaction_stays_invisible, .timeout = 40,
     .description = "two transactions (one aborted, one committed) and the read-back")
{
    wb_kafka_require_real();
    char topic[128], txn[128], err[512] = "";
    snprintf(topic, sizeof topic, "%s", wb_unique_name("txn"));
    snprintf(txn, sizeof txn, "%s", wb_unique_name("txn-id"));
    cr_assert(wb_kafka_create_topic(&kafka, topic, 4), "test setup: could not create topic %s",
              topic);
    struct reliable_producer *p = reliable_create(kafka.brokers, txn, 30000, err, sizeof err);
    cr_assert_not_null(p, "reliable_create(..., transactional_id \"%s\") returned NULL: %s", txn,
                       err);
    const char *aborted[] = {"abort-1", "abort-2", "abort-3"};
    const char *committed[] = {"commit-1", "commit-2"};
    int rc1 = reliable_send_transaction(p, topic, aborted, 3, false);
    int rc2 = reliable_send_transaction(p, topic, committed, 2, true);
    reliable_destroy(p);
    cr_assert_eq(rc1, 0,
                 "reliable_send_transaction(3 values, commit=false) returned %d, expected 0", rc1);
    cr_assert_eq(rc2, 0, "reliable_send_transaction(2 values, commit=true) returned %d, expected 0",
                 rc2);
    struct wb_kafka_msgs got;
    wb_kafka_read_all(kafka.brokers, topic, 2, 15000, 1500, true, &got);
    int n_commit = 0, n_abort = 0;
    for (int i = 0; i < got.count; i++) {
        n_commit += strncmp(got.items[i].value, "commit-", 7) == 0;
        n_abort += strncmp(got.items[i].value, "abort-", 6) == 0;
    }
    wb_kafka_msgs_free(&got);
    cr_assert_eq(n_abort, 0, "a read_committed reader saw %d message(s) of the aborted transaction",
                 n_abort);
    cr_assert_eq(n_commit, 2, "a read_committed reader saw %d of the 2 committed messages",
                 n_commit);
}

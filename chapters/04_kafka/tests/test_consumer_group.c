/*
 * test_consumer_group.c - exercise `consumer_group`.
 *
 * Messages are written by independent producers (kcat, the test kit's
 * producer); the student's consumer reads them in a group of its own. Each
 * first join of a group costs about 3 s on the mock cluster, hence the
 * longer time limits.
 */
#include "consumer.h"
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

WB_SUITE(consumer_group, .init = setup, .fini = teardown);

/* What a handler saw: values in order, and an optional value to refuse. */
struct seen {
    char values[64][32];
    int count;
    const char *refuse; /* handler returns -1 on this value */
    int32_t refused_partition;
    int64_t refused_offset; /* where the refused value was, -1 before */
};

static int remember(const struct consumed_message *msg, void *arg)
{
    struct seen *s = arg;
    char value[32];
    snprintf(value, sizeof value, "%.*s", (int)msg->value_len, msg->value ? msg->value : "");
    if (s->refuse && strcmp(value, s->refuse) == 0) {
        s->refused_partition = msg->partition;
        s->refused_offset = msg->offset;
        return -1;
    }
    if (s->count < 64)
        snprintf(s->values[s->count++], sizeof s->values[0], "%s", value);
    return 0;
}

static bool contains(const struct seen *s, const char *value)
{
    for (int i = 0; i < s->count; i++)
        if (strcmp(s->values[i], value) == 0)
            return true;
    return false;
}

#define NOTHING_RECEIVED_CAUSES WB_KAFKA_NOTHING_RECEIVED_CAUSES

Test(consumer_group, reads_what_kcat_produced, .timeout = 20,
     .description =
         "the group to form (about 3 s on the mock) and consumer_run to return 3 messages")
{
    char topic[128], group[128], path[] = "/tmp/wb-kcat-XXXXXX", err[512] = "";
    snprintf(topic, sizeof topic, "%s", wb_unique_name("from-kcat"));
    snprintf(group, sizeof group, "%s", wb_unique_name("group"));
    int fd = mkstemp(path);
    cr_assert(fd >= 0, "mkstemp failed");
    const char *lines = "k1:first\nk2:second\nk3:third\n";
    cr_assert_eq(write(fd, lines, strlen(lines)), (ssize_t)strlen(lines), "write to %s failed",
                 path);
    close(fd);
    char *argv[] = {"kcat", "-P", "-b", kafka.brokers, "-t", topic, "-K", ":", "-l", path, NULL};
    struct wb_run_result r;
    cr_assert_eq(wb_run(argv, NULL, 15000, &r), 0, "could not run kcat: %s", r.output);
    unlink(path);
    cr_assert_eq(r.exit_code, 0, "kcat -P failed to produce to %s:\n%s", topic, r.output);
    wb_run_result_free(&r);

    struct kafka_consumer *c = consumer_create(kafka.brokers, group, topic, err, sizeof err);
    cr_assert_not_null(c, "consumer_create(\"%s\", \"%s\", \"%s\") returned NULL: %s",
                       kafka.brokers, group, topic, err);
    struct seen seen = {0};
    int n = consumer_run(c, 3, 15000, remember, &seen);
    int closed = consumer_close(c);
    cr_assert_eq(n, 3,
                 "kcat produced 3 messages to %s; consumer_run(c, 3, 15000, ...) returned %d "
                 "(the handler saw %d). %s",
                 topic, n, seen.count, seen.count == 0 ? NOTHING_RECEIVED_CAUSES : "");
    cr_assert(
        contains(&seen, "first") && contains(&seen, "second") && contains(&seen, "third"),
        "expected the values first, second, third; the handler saw %d value(s), first one \"%s\"",
        seen.count, seen.count ? seen.values[0] : "");
    cr_assert_eq(closed, 0, "consumer_close returned %d, expected 0", closed);
}

Test(consumer_group, restart_resumes_from_committed_offset, .timeout = 25,
     .description =
         "two consumers of one group to form and consumer_run to return (4, then 6 messages)")
{
    char topic[128], group[128], err[512] = "";
    snprintf(topic, sizeof topic, "%s", wb_unique_name("resume"));
    snprintf(group, sizeof group, "%s", wb_unique_name("group"));
    char bufs[10][16];
    const char *values[10];
    for (int i = 0; i < 10; i++) {
        snprintf(bufs[i], sizeof bufs[i], "m%d", i);
        values[i] = bufs[i];
    }
    cr_assert_eq(wb_kafka_produce(kafka.brokers, topic, NULL, values, 10, 10000), 10,
                 "test setup: could not produce 10 messages to %s", topic);

    struct kafka_consumer *c = consumer_create(kafka.brokers, group, topic, err, sizeof err);
    cr_assert_not_null(c, "consumer_create returned NULL: %s", err);
    struct seen first = {0};
    int n1 = consumer_run(c, 4, 15000, remember, &first);
    consumer_close(c);
    cr_assert_eq(n1, 4, "first run: consumer_run(c, 4, ...) returned %d, expected 4 handled%s%s",
                 n1, first.count == 0 ? ". The handler saw nothing: " : "",
                 first.count == 0 ? NOTHING_RECEIVED_CAUSES : "");

    c = consumer_create(kafka.brokers, group, topic, err, sizeof err);
    cr_assert_not_null(c, "second consumer_create returned NULL: %s", err);
    struct seen second = {0};
    int n2 = consumer_run(c, 6, 15000, remember, &second);
    /* Then nothing more may come: a seventh message would be one the first
     * consumer handled but did not commit. */
    int extra = n2 == 6 ? consumer_run(c, 1, 1000, remember, &second) : 0;
    consumer_close(c);
    cr_assert(n2 >= 0 && extra >= 0, "the restarted consumer's consumer_run failed (%d, %d)", n2,
              extra);
    n2 += extra;
    cr_assert_eq(n2, 6,
                 "after 4 of 10 messages were handled and committed, a restarted consumer in "
                 "group %s handled %d, expected exactly the 6 others (more = commits missing, "
                 "fewer = messages skipped)",
                 group, n2);
    for (int i = 0; i < second.count; i++)
        cr_assert(!contains(&first, second.values[i]),
                  "message %s was handled (and committed) by the first consumer, yet the restarted "
                  "one got it again: the commit did not happen",
                  second.values[i]);
}

Test(consumer_group, unhandled_message_is_read_again, .timeout = 25,
     .description =
         "two consumers of one group to form and consumer_run to return (2, then 3 messages)")
{
    char topic[128], group[128], err[512] = "";
    snprintf(topic, sizeof topic, "%s", wb_unique_name("redeliver"));
    snprintf(group, sizeof group, "%s", wb_unique_name("group"));
    const char *values[] = {"a0", "a1", "a2", "a3", "a4"};
    /* One key: all five in one partition, in this order. */
    cr_assert_eq(wb_kafka_produce(kafka.brokers, topic, "one-key", values, 5, 10000), 5,
                 "test setup: could not produce 5 messages to %s", topic);

    struct kafka_consumer *c = consumer_create(kafka.brokers, group, topic, err, sizeof err);
    cr_assert_not_null(c, "consumer_create returned NULL: %s", err);
    struct seen first = {.refuse = "a2"};
    int n1 = consumer_run(c, 5, 15000, remember, &first);
    consumer_close(c);
    cr_assert_eq(n1, 2,
                 "the handler handled a0, a1 and refused a2: consumer_run should stop there "
                 "and return 2, it returned %d%s%s",
                 n1, first.count == 0 ? ". The handler saw nothing: " : "",
                 first.count == 0 ? NOTHING_RECEIVED_CAUSES : "");

    c = consumer_create(kafka.brokers, group, topic, err, sizeof err);
    cr_assert_not_null(c, "second consumer_create returned NULL: %s", err);
    struct seen second = {0};
    int n2 = consumer_run(c, 3, 15000, remember, &second);
    consumer_close(c);
    cr_assert_eq(n2, 3, "the restarted consumer should handle a2, a3, a4; consumer_run returned %d",
                 n2);
    cr_assert_str_eq(second.values[0], "a2",
                     "a2 was refused, so never committed: the restarted "
                     "consumer must start with it (at-least-once), but started with %s",
                     second.values[0]);
}

Test(consumer_group, empty_topic_returns_at_deadline, .timeout = 15,
     .description = "consumer_run(c, 5, 1000) on an empty topic to return at its 1 s deadline")
{
    char topic[128], group[128], err[512] = "";
    snprintf(topic, sizeof topic, "%s", wb_unique_name("empty"));
    snprintf(group, sizeof group, "%s", wb_unique_name("group"));
    cr_assert(wb_kafka_create_topic(&kafka, topic, 2), "test setup: could not create topic %s",
              topic);
    struct kafka_consumer *c = consumer_create(kafka.brokers, group, topic, err, sizeof err);
    cr_assert_not_null(c, "consumer_create returned NULL: %s", err);
    struct seen seen = {0};
    int n = consumer_run(c, 5, 1000, remember, &seen);
    int closed = consumer_close(c);
    cr_assert_eq(n, 0,
                 "topic %s is empty: consumer_run(c, 5, 1000, ...) returned %d, expected 0 "
                 "after its 1 s deadline",
                 topic, n);
    cr_assert_eq(closed, 0, "consumer_close returned %d, expected 0", closed);
}

Test(consumer_group, refused_message_comes_back_in_the_next_run, .timeout = 25,
     .description = "the group to form and two consumer_run calls on one consumer to return")
{
    char topic[128], group[128], err[512] = "";
    snprintf(topic, sizeof topic, "%s", wb_unique_name("again"));
    snprintf(group, sizeof group, "%s", wb_unique_name("group"));
    const char *values[] = {"b0", "b1", "b2", "b3", "b4"};
    cr_assert_eq(wb_kafka_produce(kafka.brokers, topic, "one-key", values, 5, 10000), 5,
                 "test setup: could not produce 5 messages to %s", topic);

    /* One consumer, two runs, as consumer_main.c does in its loop. */
    struct kafka_consumer *c = consumer_create(kafka.brokers, group, topic, err, sizeof err);
    cr_assert_not_null(c, "consumer_create returned NULL: %s", err);
    struct seen first = {.refuse = "b2", .refused_offset = -1};
    int n1 = consumer_run(c, 5, 15000, remember, &first);
    int64_t committed = first.refused_offset >= 0 ? wb_kafka_committed(kafka.brokers, group, topic,
                                                                       first.refused_partition)
                                                  : -2;
    struct seen second = {0};
    int n2 = n1 == 2 ? consumer_run(c, 3, 15000, remember, &second) : -1;
    consumer_close(c);
    cr_assert_eq(n1, 2,
                 "the handler handled b0, b1 and refused b2: the first consumer_run should stop "
                 "there and return 2, it returned %d%s",
                 n1,
                 first.count == 0 ? " (the handler saw nothing: " NOTHING_RECEIVED_CAUSES ")" : "");
    cr_assert_eq(committed, first.refused_offset,
                 "after b2 (offset %lld) was refused, group %s has committed offset %lld for its "
                 "partition; expected %lld: the refused message must stay the next one to read",
                 (long long)first.refused_offset, group, (long long)committed,
                 (long long)first.refused_offset);
    cr_assert_eq(n2, 3,
                 "the second consumer_run on the same consumer should handle b2, b3, b4; it "
                 "returned %d",
                 n2);
    cr_assert_str_eq(second.values[0], "b2",
                     "the second consumer_run on the same consumer started with %s, expected "
                     "the refused b2: after a refusal, rewind to the message "
                     "(rd_kafka_seek_partitions), or the next poll skips it",
                     second.values[0]);
}

Test(consumer_group, commit_error_is_reported, .timeout = 20,
     .description = "the group to form and consumer_run to return after the refused commit")
{
    wb_kafka_require_mock();
    char topic[128], group[128], err[512] = "";
    snprintf(topic, sizeof topic, "%s", wb_unique_name("commit-fails"));
    snprintf(group, sizeof group, "%s", wb_unique_name("group"));
    const char *values[] = {"c0", "c1", "c2"};
    cr_assert_eq(wb_kafka_produce(kafka.brokers, topic, "one-key", values, 3, 10000), 3,
                 "test setup: could not produce 3 messages to %s", topic);
    struct kafka_consumer *c = consumer_create(kafka.brokers, group, topic, err, sizeof err);
    cr_assert_not_null(c, "consumer_create returned NULL: %s", err);
    /* The broker refuses the first commit with an error no retry can fix. */
    wb_kafka_fail_requests(&kafka, WB_KAFKA_API_OFFSET_COMMIT, 1,
                           RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED);
    struct seen seen = {0};
    int n = consumer_run(c, 3, 15000, remember, &seen);
    consumer_close(c);
    cr_assert(seen.count > 0, "the handler saw no message of %s: %s", topic,
              NOTHING_RECEIVED_CAUSES);
    cr_assert_eq(
        n, -1,
        "the broker refused the commit of the first message (GROUP_AUTHORIZATION_FAILED) "
        "but consumer_run returned %d, expected -1: check what rd_kafka_commit_message "
        "returns, and commit synchronously (async = 0) so that there is an answer to check",
        n);
}

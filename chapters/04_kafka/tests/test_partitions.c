/*
 * test_partitions.c - exercise `partitions`.
 *
 * Topics are created with 4 partitions. Order is checked per partition by
 * an independent reader; sharing and rebalancing drive two members of one
 * group from a single thread, polling each in turn.
 */
#include "partitions.h"
#include "wb_kafka.h"
#include "wb_testkit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct wb_kafka kafka;

static void setup(void)
{
    cr_assert(wb_kafka_start(&kafka), "could not start the Kafka mock cluster for this test");
}

static void teardown(void)
{
    wb_kafka_stop(&kafka);
}

WB_SUITE(partitions, .init = setup, .fini = teardown);

static const char *const keys[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta"};
enum { NKEYS = 6, PER_KEY = 30 };

Test(partitions, each_key_keeps_its_partition_and_order, .timeout = 30,
     .description = "send_keyed_sequences to deliver 180 messages, then the read-back")
{
    char topic[128];
    snprintf(topic, sizeof topic, "%s", wb_unique_name("keyed"));
    cr_assert(wb_kafka_create_topic(&kafka, topic, 4), "test setup: could not create topic %s",
              topic);
    int sent = send_keyed_sequences(kafka.brokers, topic, keys, NKEYS, PER_KEY);
    cr_assert_eq(sent, NKEYS * PER_KEY,
                 "send_keyed_sequences(%d keys x %d) returned %d, expected %d "
                 "delivered",
                 NKEYS, PER_KEY, sent, NKEYS * PER_KEY);

    struct wb_kafka_msgs got;
    wb_kafka_read_all(kafka.brokers, topic, NKEYS * PER_KEY, 15000, 0, false, &got);
    int next[NKEYS] = {0};
    int32_t part[NKEYS] = {-1, -1, -1, -1, -1, -1};
    char problem[256] = "";
    /* The reader returns each partition in offset order. */
    for (int i = 0; i < got.count && !problem[0]; i++) {
        const struct wb_kafka_msg *m = &got.items[i];
        int k = 0;
        while (k < NKEYS && (!m->key || strcmp(m->key, keys[k]) != 0))
            k++;
        if (k == NKEYS) {
            snprintf(problem, sizeof problem, "a message with unexpected key %s",
                     m->key ? m->key : "(none)");
            break;
        }
        char want[64];
        snprintf(want, sizeof want, "%s-%d", keys[k], next[k]);
        if (part[k] >= 0 && part[k] != m->partition)
            snprintf(problem, sizeof problem,
                     "key %s was found in partitions %d and %d: one key "
                     "must always map to one partition",
                     keys[k], part[k], m->partition);
        else if (strcmp(m->value, want) != 0)
            snprintf(problem, sizeof problem,
                     "in partition %d, after %d messages of key %s the next "
                     "was %s, expected %s (order lost)",
                     m->partition, next[k], keys[k], m->value, want);
        part[k] = m->partition;
        next[k]++;
    }
    int count = got.count;
    wb_kafka_msgs_free(&got);
    cr_assert(!problem[0], "%s", problem);
    cr_assert_eq(count, NKEYS * PER_KEY, "read back %d messages from %s, expected %d", count, topic,
                 NKEYS * PER_KEY);
}

/* A set of values seen by handlers, for counting what arrived. */
struct tally {
    char (*values)[32];
    int count, capacity;
};

static int record(const struct consumed_message *msg, void *arg)
{
    struct tally *t = arg;
    if (t->count < t->capacity)
        snprintf(t->values[t->count++], 32, "%.*s", (int)msg->value_len,
                 msg->value ? msg->value : "");
    return 0;
}

static int distinct_of(const struct tally *t, const char *prefix, int n)
{
    int found = 0;
    for (int i = 0; i < n; i++) {
        char want[32];
        snprintf(want, sizeof want, "%s%d", prefix, i);
        for (int j = 0; j < t->count; j++)
            if (strcmp(t->values[j], want) == 0) {
                found++;
                break;
            }
    }
    return found;
}

/* The rebalance is through: both members own partitions, all 4 between them. */
static bool both_own_partitions(const struct group_member *a, const struct group_member *b)
{
    int na = member_assignment_count(a), nb = member_assignment_count(b);
    return na > 0 && nb > 0 && na + nb == 4;
}

Test(partitions, two_members_share_the_partitions, .timeout = 30,
     .description = "member_poll to serve the rebalances until both members own partitions")
{
    char topic[128], group[128], err[512] = "";
    snprintf(topic, sizeof topic, "%s", wb_unique_name("shared"));
    snprintf(group, sizeof group, "%s", wb_unique_name("group"));
    cr_assert(wb_kafka_create_topic(&kafka, topic, 4), "test setup: could not create topic %s",
              topic);
    struct tally t = {calloc(64, 32), 0, 64};
    struct group_member *a = member_create(kafka.brokers, group, topic, err, sizeof err);
    cr_assert_not_null(a, "member_create(A) returned NULL: %s", err);
    int64_t deadline = wb_now_ms() + 10000;
    while (member_assignment_count(a) < 4 && wb_now_ms() < deadline)
        member_poll(a, 100, record, &t);
    int a_alone = member_assignment_count(a);

    struct group_member *b = member_create(kafka.brokers, group, topic, err, sizeof err);
    cr_assert_not_null(b, "member_create(B) returned NULL: %s", err);
    deadline = wb_now_ms() + 15000;
    while (wb_now_ms() < deadline && !both_own_partitions(a, b)) {
        member_poll(a, 50, record, &t);
        member_poll(b, 50, record, &t);
    }
    int na = member_assignment_count(a), nb = member_assignment_count(b);
    member_close(b);
    member_close(a);
    free(t.values);
    cr_assert_eq(a_alone, 4,
                 "member A alone in group %s should own all 4 partitions of %s, "
                 "member_assignment_count says %d (is the rebalance callback assigning them?)",
                 group, topic, a_alone);
    cr_assert(na > 0 && nb > 0 && na + nb == 4,
              "after B joined, A owns %d and B owns %d partitions; "
              "expected both > 0 and 4 in total",
              na, nb);
}

/* Produces n unkeyed messages (they spread over all partitions) named
 * <prefix>0 .. <prefix>n-1; returns how many were delivered. */
static int produce_numbered(const char *topic, char prefix, int n)
{
    char(*buf)[16] = calloc((size_t)n, 16);
    const char **values = calloc((size_t)n, sizeof *values);
    cr_assert(buf && values, "out of memory");
    for (int i = 0; i < n; i++) {
        snprintf(buf[i], 16, "%c%d", prefix, i);
        values[i] = buf[i];
    }
    int delivered = wb_kafka_produce(kafka.brokers, topic, NULL, values, n, 10000);
    free(values);
    free(buf);
    return delivered;
}

/* Polls both members until every <prefix>0..n-1 was handled or within_ms
 * passed. Each member is drained while it has messages at hand, so the
 * pace is librdkafka's, not the test's. */
static void poll_both_until_seen(struct group_member *a, struct group_member *b, struct tally *t,
                                 const char *prefix, int n, int within_ms)
{
    int64_t deadline = wb_now_ms() + within_ms;
    while (distinct_of(t, prefix, n) < n && wb_now_ms() < deadline) {
        int handled = 0;
        while (member_poll(a, 0, record, t) == 1)
            handled++;
        while (member_poll(b, 0, record, t) == 1)
            handled++;
        if (!handled) {
            member_poll(a, 5, record, t);
            member_poll(b, 5, record, t);
        }
    }
}

enum { BACKLOG = 240, LATER = 60 };

/* Names a new group and a new 4-partition topic (prefix-...) and fills the
 * topic with BACKLOG unkeyed messages x0 .. x<BACKLOG-1>. */
static void backlog_in_new_topic(const char *prefix, char topic[128], char group[128])
{
    snprintf(topic, 128, "%s", wb_unique_name(prefix));
    snprintf(group, 128, "%s", wb_unique_name("group"));
    cr_assert(wb_kafka_create_topic(&kafka, topic, 4), "test setup: could not create topic %s",
              topic);
    cr_assert_eq(produce_numbered(topic, 'x', BACKLOG), BACKLOG,
                 "test setup: could not produce %d messages", BACKLOG);
}

Test(partitions, a_joining_member_loses_nothing, .timeout = 45,
     .description = "member_poll to hand out every message while a second member joins")
{
    char topic[128], group[128], err[512] = "";
    backlog_in_new_topic("joining", topic, group);
    struct tally t = {calloc(2 * BACKLOG + 64, 32), 0, 2 * BACKLOG + 64};
    struct group_member *a = member_create(kafka.brokers, group, topic, err, sizeof err);
    cr_assert_not_null(a, "member_create(A) returned NULL: %s", err);
    /* A reads a part of the backlog alone, so B's arrival takes partitions
     * away from a member in the middle of its work... */
    int64_t deadline = wb_now_ms() + 10000;
    while (t.count < BACKLOG / 3 && wb_now_ms() < deadline)
        member_poll(a, 100, record, &t);
    struct group_member *b = member_create(kafka.brokers, group, topic, err, sizeof err);
    cr_assert_not_null(b, "member_create(B) returned NULL: %s", err);
    /* ...at one message a turn: each turn waits 20 ms on B, which has
     * nothing until the rebalances (2 s each on the mock) are through, so A
     * can read at most about a hundred more before it must give up two
     * partitions, and the backlog is larger. */
    deadline = wb_now_ms() + 15000;
    while (wb_now_ms() < deadline && !both_own_partitions(a, b)) {
        member_poll(a, 20, record, &t);
        member_poll(b, 20, record, &t);
    }
    /* Then both read until everything was seen. */
    poll_both_until_seen(a, b, &t, "x", BACKLOG, 15000);
    int seen = distinct_of(&t, "x", BACKLOG);
    member_close(b);
    member_close(a);
    free(t.values);
    cr_assert_eq(seen, BACKLOG,
                 "while B joined group %s, only %d of the %d messages were handled: the "
                 "rebalance lost some%s",
                 group, seen, BACKLOG,
                 seen == 0 ? " (none at all: " WB_KAFKA_NOTHING_RECEIVED_CAUSES ")" : "");
}

Test(partitions, a_leaving_member_hands_over_its_partitions, .timeout = 45,
     .description = "member_poll to go on from the leaver's commits once a member leaves")
{
    char topic[128], group[128], err[512] = "";
    backlog_in_new_topic("leaving", topic, group);
    struct tally t = {calloc(2 * (BACKLOG + LATER) + 64, 32), 0, 2 * (BACKLOG + LATER) + 64};
    /* Both start together: they usually form the group's first generation
     * side by side (one join instead of a join and two rebalances); a later
     * B only makes the test slower. */
    struct group_member *a = member_create(kafka.brokers, group, topic, err, sizeof err);
    cr_assert_not_null(a, "member_create(A) returned NULL: %s", err);
    struct group_member *b = member_create(kafka.brokers, group, topic, err, sizeof err);
    cr_assert_not_null(b, "member_create(B) returned NULL: %s", err);
    poll_both_until_seen(a, b, &t, "x", BACKLOG, 20000);
    int backlog_seen = distinct_of(&t, "x", BACKLOG);
    /* A leaves; B must take over A's partitions from A's commits. */
    member_close(a);
    int produced = produce_numbered(topic, 'y', LATER);
    int64_t deadline = wb_now_ms() + 15000;
    while ((distinct_of(&t, "y", LATER) < LATER || member_assignment_count(b) != 4) &&
           wb_now_ms() < deadline)
        member_poll(b, 50, record, &t);
    int later_seen = distinct_of(&t, "y", LATER);
    int b_owns = member_assignment_count(b);
    member_close(b);
    free(t.values);
    cr_assert_eq(produced, LATER, "test setup: could not produce the second batch");
    cr_assert_eq(backlog_seen, BACKLOG,
                 "with A and B in group %s, only %d of the %d messages were handled%s", group,
                 backlog_seen, BACKLOG,
                 backlog_seen == 0 ? " (none at all: " WB_KAFKA_NOTHING_RECEIVED_CAUSES ")" : "");
    cr_assert_eq(b_owns, 4, "after A left, B should own all 4 partitions, it owns %d", b_owns);
    cr_assert_eq(later_seen, LATER,
                 "after A left, B handled %d of the %d new messages, expected all", later_seen,
                 LATER);
}

Test(partitions, keyed_producer_is_idempotent, .timeout = 20,
     .description = "send_keyed_sequences to deliver 10 messages")
{
    wb_kafka_require_mock();
    char topic[128];
    snprintf(topic, sizeof topic, "%s", wb_unique_name("idempotent"));
    cr_assert(wb_kafka_create_topic(&kafka, topic, 4), "test setup: could not create topic %s",
              topic);
    /* An idempotent producer first asks a broker for its producer id
     * (InitProducerId); the mock counts such requests for us. */
    wb_kafka_mark_requests(&kafka, WB_KAFKA_API_INIT_PRODUCER_ID);
    int sent = send_keyed_sequences(kafka.brokers, topic, keys, 2, 5);
    int left = wb_kafka_markers_left(&kafka, WB_KAFKA_API_INIT_PRODUCER_ID);
    cr_assert_eq(sent, 10, "send_keyed_sequences(2 keys x 5) returned %d, expected 10 delivered",
                 sent);
    cr_assert(left < 3,
              "send_keyed_sequences never asked the broker for a producer id: the producer is "
              "not idempotent, so a retried batch can land after a later one and break the "
              "order of a key (set enable.idempotence=true)");
}

/* Refuses the value `refuse` the first time it comes, accepts everything else. */
struct refuse_once {
    const char *refuse;
    bool refused;
    int32_t partition;
    int64_t offset;
    char order[8][16]; /* values accepted, in order */
    int count;
};

static int refuse_first_time(const struct consumed_message *msg, void *arg)
{
    struct refuse_once *r = arg;
    char value[16];
    snprintf(value, sizeof value, "%.*s", (int)msg->value_len, msg->value ? msg->value : "");
    if (!r->refused && strcmp(value, r->refuse) == 0) {
        r->refused = true;
        r->partition = msg->partition;
        r->offset = msg->offset;
        return -1;
    }
    if (r->count < 8)
        snprintf(r->order[r->count++], sizeof r->order[0], "%s", value);
    return 0;
}

Test(partitions, refused_message_is_polled_again, .timeout = 25,
     .description = "member_poll to hand out e0, the refused e1 again, and e2")
{
    char topic[128], group[128], err[512] = "";
    snprintf(topic, sizeof topic, "%s", wb_unique_name("refused"));
    snprintf(group, sizeof group, "%s", wb_unique_name("group"));
    cr_assert(wb_kafka_create_topic(&kafka, topic, 4), "test setup: could not create topic %s",
              topic);
    const char *values[] = {"e0", "e1", "e2"};
    cr_assert_eq(wb_kafka_produce(kafka.brokers, topic, "one-key", values, 3, 10000), 3,
                 "test setup: could not produce 3 messages to %s", topic);
    struct group_member *m = member_create(kafka.brokers, group, topic, err, sizeof err);
    cr_assert_not_null(m, "member_create returned NULL: %s", err);
    struct refuse_once r = {.refuse = "e1", .offset = -1};
    int64_t deadline = wb_now_ms() + 15000;
    int64_t committed_after_refusal = -2;
    while (r.count < 3 && wb_now_ms() < deadline) {
        bool was_refused = r.refused;
        if (member_poll(m, 100, refuse_first_time, &r) < 0)
            break;
        if (!was_refused && r.refused)
            committed_after_refusal = wb_kafka_committed(kafka.brokers, group, topic, r.partition);
    }
    member_close(m);
    cr_assert(r.refused, "the handler never saw e1 within 15 s (it accepted %d message(s))%s",
              r.count, r.count == 0 ? "; " WB_KAFKA_NOTHING_RECEIVED_CAUSES : "");
    /* Below e1's offset: e0 was handled and is not committed (a batch not
     * yet written, or an asynchronous commit still on its way), so a member
     * that takes the partition over now reads e0 again. */
    cr_assert_geq(committed_after_refusal, r.offset,
                  "right after e1 (offset %lld) was refused, group %s had committed offset %lld "
                  "for its partition, expected %lld: e0 was handled but not yet committed. "
                  "Commit each handled message before member_poll returns; a partition can be "
                  "taken away at any poll, and its next owner starts from the last commit",
                  (long long)r.offset, group, (long long)committed_after_refusal,
                  (long long)r.offset);
    cr_assert_eq(committed_after_refusal, r.offset,
                 "right after e1 (offset %lld) was refused, group %s had committed offset %lld "
                 "for its partition, expected %lld: never commit a refused message",
                 (long long)r.offset, group, (long long)committed_after_refusal,
                 (long long)r.offset);
    cr_assert(r.count == 3 && strcmp(r.order[1], "e1") == 0 && strcmp(r.order[2], "e2") == 0,
              "after the handler refused e1 once, member_poll handed out %d message(s): %s %s %s; "
              "expected e0 e1 e2 (rewind to a refused message with rd_kafka_seek_partitions, or "
              "the next poll skips it)",
              r.count, r.count > 0 ? r.order[0] : "", r.count > 1 ? r.order[1] : "",
              r.count > 2 ? r.order[2] : "");
}

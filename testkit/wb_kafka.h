/*
 * wb_kafka.h - Kafka helpers for chapter 04's tests.
 *
 * By default a test gets a private 3-broker cluster from librdkafka's mock
 * (rdkafka_mock.h): a Kafka-protocol broker living inside the test process,
 * reachable over 127.0.0.1 by any client (the student's code, kcat, python).
 * When KAFKA_BROKERS is set (the real broker pass, or a user's own cluster),
 * tests use that instead and the fault-injection helpers are unavailable.
 *
 * The test side also gets a plain producer and a group-less reader, so tests
 * never depend on the student's own producer or consumer to check results.
 */
#ifndef WB_KAFKA_H
#define WB_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wb_kafka {
    char brokers[512];             /* bootstrap list to hand to the code under test */
    bool real;                     /* true: KAFKA_BROKERS, no mock */
    rd_kafka_t *owner;             /* handle that hosts the mock cluster */
    rd_kafka_mock_cluster_t *mock; /* NULL on a real broker */
};

/* True when KAFKA_BROKERS is set: tests run against a real cluster. */
bool wb_kafka_real(void);

/* Skips the test (cr_skip) unless the right kind of broker is in use. Call
 * first thing in tests marked "needs": "real-kafka" / "mock-kafka". */
void wb_kafka_require_real(void);
void wb_kafka_require_mock(void);

/* Starts a 3-broker mock cluster, or takes KAFKA_BROKERS when set. Returns
 * false (reason on stderr) when the mock cannot start. */
bool wb_kafka_start(struct wb_kafka *k);
void wb_kafka_stop(struct wb_kafka *k);

/* Makes sure topic exists with `partitions` partitions (mock: create; real:
 * CreateTopics, fine if it exists already). Returns false on failure. */
bool wb_kafka_create_topic(struct wb_kafka *k, const char *topic, int partitions);

/* ---- test-side producer and reader -------------------------------------- */

/* Produces one message per value (key may be NULL) and waits for every
 * delivery report (up to timeout_ms). Returns how many were delivered. */
int wb_kafka_produce(const char *brokers, const char *topic, const char *key,
                     const char *const values[], int count, int timeout_ms);

struct wb_kafka_msg {
    int32_t partition;
    int64_t offset;
    char *key;     /* NUL-terminated copy, NULL when the message had none */
    char *value;   /* NUL-terminated copy */
    char *headers; /* "name=value\n" per header, in order ("" when none) */
};

/* What to look at when a consumer group member received nothing (or too
 * little), for the tests' messages. */
#define WB_KAFKA_NOTHING_RECEIVED_CAUSES                                                           \
    "likely causes: auto.offset.reset not \"earliest\" (a new group then starts at the end "       \
    "and misses what was produced before it joined), a group.id other than the one given, a "      \
    "subscription to another topic, or a poll loop that stops before the group has formed "        \
    "(the first join takes about 3 s on the mock cluster)"

struct wb_kafka_msgs {
    struct wb_kafka_msg *items;
    int count;
};

/* Reads topic from the beginning of every partition, without a consumer
 * group, until `expected` messages arrived AND every partition was read to
 * its end (so duplicates among the first `expected` cannot hide a message
 * that comes later), or timeout_ms passed; then reads on for linger_ms more
 * to catch messages still on their way. With
 * read_committed, aborted transactional messages are hidden. Returns the
 * number read (0 also when the topic does not exist). */
int wb_kafka_read_all(const char *brokers, const char *topic, int expected, int timeout_ms,
                      int linger_ms, bool read_committed, struct wb_kafka_msgs *out);
void wb_kafka_msgs_free(struct wb_kafka_msgs *msgs);

/* The offset that group has committed for topic/partition (the next message
 * the group will read), RD_KAFKA_OFFSET_INVALID when it has committed none,
 * or -2 when the broker could not be asked (reason on stderr). Asks like any
 * client of the group would (OffsetFetch), without joining it. */
int64_t wb_kafka_committed(const char *brokers, const char *group, const char *topic,
                           int32_t partition);

/* ---- fault injection (mock only) ---------------------------------------- */

/* Kafka protocol request kinds (ApiKey) the tests inject faults into. */
enum {
    WB_KAFKA_API_PRODUCE = 0,
    WB_KAFKA_API_OFFSET_COMMIT = 8,
    WB_KAFKA_API_INIT_PRODUCER_ID = 22
};

/* Makes the next `count` requests of kind api_key fail with err (any broker). */
void wb_kafka_fail_requests(struct wb_kafka *k, int16_t api_key, int count,
                            rd_kafka_resp_err_t err);

/* Puts one harmless marker (no error, no delay) on every broker for the next
 * request of kind api_key; wb_kafka_markers_left counts those still there.
 * Fewer than 3 left means some client sent such a request. */
void wb_kafka_mark_requests(struct wb_kafka *k, int16_t api_key);
int wb_kafka_markers_left(struct wb_kafka *k, int16_t api_key);

/* Moves the leadership of every partition of topic to broker `id` (1..3). */
void wb_kafka_set_leader(struct wb_kafka *k, const char *topic, int partitions, int32_t id);

/* Makes the next `count` Produce requests fail with err (any broker). */
void wb_kafka_fail_produce(struct wb_kafka *k, int count, rd_kafka_resp_err_t err);

/* Takes broker `id` down / brings it back. */
void wb_kafka_broker_down(struct wb_kafka *k, int32_t id);
void wb_kafka_broker_up(struct wb_kafka *k, int32_t id);

#endif

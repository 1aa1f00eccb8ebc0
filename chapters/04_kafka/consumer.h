/*
 * consumer.h - exercise `consumer_group`: read a topic as a member of a group.
 *
 * The consumer subscribes to a topic in a consumer group; the group's
 * coordinator hands it partitions, and the group's committed offsets say
 * where to start. Committing only after a message was handled gives
 * at-least-once delivery: a crash before the commit means the message is
 * read again by whoever takes over, never lost.
 */
#ifndef CONSUMER_H
#define CONSUMER_H

#include <stddef.h>
#include <stdint.h>

/* One message as handed to a handler. The pointers are valid only during
 * the handler call. key is NULL when the message had none. */
struct consumed_message {
    const char *topic;
    int32_t partition;
    int64_t offset;
    const char *key;
    size_t key_len;
    const char *value;
    size_t value_len;
};

/* Handles one message. Return 0 when done with it (it may be committed),
 * non-zero when it could not be handled (it must not be committed). */
typedef int (*message_handler)(const struct consumed_message *msg, void *arg);

struct kafka_consumer;

/* Creates a consumer in group group_id and subscribes it to topic. Offsets
 * are committed by hand (never automatically); a group without a committed
 * offset starts from the earliest message. Returns NULL and a reason in
 * errbuf on error. */
struct kafka_consumer *consumer_create(const char *brokers, const char *group_id, const char *topic,
                                       char *errbuf, size_t errlen);

/* Polls and hands each message to handle(msg, arg), committing its offset
 * after handle returns 0. Stops after max_messages handled, when timeout_ms
 * have passed, or as soon as handle returns non-zero (that message is not
 * committed, and the consumer is rewound to it with rd_kafka_seek_partitions,
 * so the next consumer_run on this consumer starts with it again instead of
 * with the messages after it). Returns how many messages were handled and
 * committed, or -1 on a consumer, commit or seek error. */
int consumer_run(struct kafka_consumer *c, int max_messages, int timeout_ms, message_handler handle,
                 void *arg);

/* Leaves the group cleanly (rd_kafka_consumer_close) and frees everything.
 * NULL is fine. Returns 0, or -1 when closing reported an error. */
int consumer_close(struct kafka_consumer *c);

#endif

/*
 * partitions.h - exercise `partitions`: keys, partitions and sharing them.
 *
 * A topic is split into partitions; the producer picks one by hashing the
 * key, so all messages of one key land in one partition, in the order they
 * were sent (if the producer never reorders on retry). The members of one
 * consumer group share a topic's partitions; when a member joins or leaves
 * the group rebalances, and a member must commit what it handled before a
 * partition is taken away, or the next owner reads it again (or, worse,
 * past it).
 */
#ifndef PARTITIONS_H
#define PARTITIONS_H

#include "consumer.h" /* struct consumed_message, message_handler */

#include <stddef.h>

/* For each key in keys[0..nkeys), sends `count` messages with that key and
 * the values "<key>-0", "<key>-1", ... in that order, so that each key's
 * order survives retries. Waits for every delivery report (bounded).
 * Returns how many messages were delivered, -1 on a setup error. */
int send_keyed_sequences(const char *brokers, const char *topic, const char *const keys[],
                         int nkeys, int count);

struct group_member;

/* Creates a member of group group_id subscribed to topic, using the
 * cooperative-sticky assignor (a rebalance only moves the partitions that
 * must move) and manual commits. Returns NULL and a reason on error. */
struct group_member *member_create(const char *brokers, const char *group_id, const char *topic,
                                   char *errbuf, size_t errlen);

/* One round of the poll loop: waits up to timeout_ms for one message or
 * event (rebalances are served here too). A message goes to handle() and is
 * committed when handle returns 0; when handle refuses it, it is not
 * committed and the member is rewound to it (the next poll returns it
 * again). Returns 1 when a message was handled, 0 when none came or the
 * message was refused, -1 on error. */
int member_poll(struct group_member *m, int timeout_ms, message_handler handle, void *arg);

/* How many partitions this member owns right now. */
int member_assignment_count(const struct group_member *m);

/* Leaves the group (its partitions go to the others) and frees m. */
int member_close(struct group_member *m);

#endif

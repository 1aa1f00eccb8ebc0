/*
 * jetstream.h - exercise "jetstream": a stream on disk, a durable pull
 * consumer, acks and naks, a cap on deliveries, de-duplicated publishing,
 * and nothing acknowledged lost when the server restarts.
 *
 * JetStream is NATS's persistence layer, inside the same server (-js). A
 * stream captures every message published on its subjects and stores it
 * (on disk with js_FileStorage); publishing through JetStream (js_Publish)
 * waits for the stream's PubAck, which carries the message's sequence
 * number. A consumer is the server's record of one reader's progress: what
 * was delivered, how often, what was acknowledged. A durable consumer has a
 * name and outlives its subscribers, and the server's restarts too.
 *
 * A pull consumer delivers only when asked (natsSubscription_Fetch), so a
 * worker takes work at its own pace. Each message must then be answered:
 *   ack - done, never deliver again;
 *   nak - failed, deliver again (soon);
 *   nothing within AckWait - the server assumes the worker died and
 *   delivers again.
 * MaxDeliver caps the deliveries of one message, so a message that always
 * fails (a "poison" message) does not come back forever.
 *
 * At least once, so duplicates are possible on both sides, and each has its
 * remedy: a publisher that retries sends the same message id (header
 * Nats-Msg-Id, jsPubOptions.MsgId) and the stream keeps one copy (within its
 * Duplicates window); a worker may see a message twice (its ack was lost in
 * a restart) and must make handling it twice harmless.
 */
#ifndef JETSTREAM_H
#define JETSTREAM_H

#include "nats_link.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* Adds stream `name` capturing `subject` (wildcards allowed): file storage,
 * a duplicate window of 2 minutes. A stream that exists with the same
 * settings is fine (js_AddStream is idempotent then). 0, or -1 with err. */
int stream_create(natsConnection *nc, const char *name, const char *subject, char *err,
                  size_t errlen);

/* Publishes text on subject through JetStream with message id msg_id and
 * waits for the PubAck. When that fails (the server is restarting, no
 * answer in time) it tries again with the same id, about every 100 ms, until
 * deadline_ms have passed. Returns 0 with *seq = the message's sequence in
 * the stream and *duplicate = true when the stream already had that id
 * (then *seq is the first copy's); -1 with the last error in err, e.g. no
 * stream captures subject. */
int stream_publish(natsConnection *nc, const char *subject, const char *msg_id, const char *text,
                   int deadline_ms, uint64_t *seq, bool *duplicate, char *err, size_t errlen);

/* Handles one message. msg_id is its Nats-Msg-Id ("" if none), delivery
 * counts from 1 (2 = the second time this message is delivered). Returns 0
 * when done (the message is acked), non-zero on failure (nak: deliver it
 * again). */
typedef int (*stream_handler)(const char *msg_id, const char *data, size_t len, int delivery,
                              void *user);

struct stream_work_options {
    const char *stream;
    const char *durable;               /* the consumer's name */
    int max_deliver;                   /* deliveries of one message at most, >= 1 */
    int ack_wait_ms;                   /* no answer this long: redeliver (0 means 30000) */
    const volatile sig_atomic_t *stop; /* return soon (< 2 s) once *stop != 0 */
    int give_up_ms;                    /* server unreachable this long: -1 (0 means 30000) */
};

/* A worker: adds (or finds) the durable pull consumer opt->durable on
 * opt->stream - explicit acks, MaxDeliver, AckWait -, binds a pull
 * subscription to it and fetches batches (up to 10 messages, waiting up to
 * 500 ms) until *opt->stop. Each message goes to handler: 0 -> ack and wait
 * until the server confirms it (natsMsg_AckSync); otherwise nak. Errors
 * while the server is away are waited out (libnats reconnects by itself)
 * for up to give_up_ms. The consumer stays on the server afterwards: a
 * later stream_work with the same durable name goes on where this one
 * stopped. Returns the number of messages acked (0 when stopped before the
 * server came back); -1 with err on failure, e.g. "stream 'X' does not
 * exist". */
int stream_work(natsConnection *nc, const struct stream_work_options *opt, stream_handler handler,
                void *user, char *err, size_t errlen);

#endif

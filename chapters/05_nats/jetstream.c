/*
 * jetstream.c - exercise "jetstream": stream, de-duplicated publish with
 * retries, durable pull consumer with ack / nak / MaxDeliver.
 */
#include "jetstream.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Monotonic milliseconds, for deadlines. ("unused": the skeleton has no caller yet.) */
__attribute__((unused)) static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int stream_create(natsConnection *nc, const char *name, const char *subject, char *err,
                  size_t errlen)
{
    // TODO: natsConnection_JetStream, jsStreamConfig_Init; Name, Subjects (an array
    // of one), SubjectsLen, Storage = js_FileStorage, Duplicates (nanoseconds);
    // js_AddStream; free what you got (jsStreamInfo_Destroy, jsCtx_Destroy).
    (void)nc;
    (void)name;
    (void)subject;
    snprintf(err, errlen, "stream_create: not implemented yet");
    return -1;
}

int stream_publish(natsConnection *nc, const char *subject, const char *msg_id, const char *text,
                   int deadline_ms, uint64_t *seq, bool *duplicate, char *err, size_t errlen)
{
    // TODO: jsPubOptions with MsgId = msg_id; loop: js_Publish, on success copy
    // pa->Sequence / pa->Duplicate, jsPubAck_Destroy, return 0; on failure remember the
    // error (NATS_NO_RESPONDERS: no stream captures the subject), sleep 100 ms, try again
    // until the deadline.
    (void)nc;
    (void)subject;
    (void)msg_id;
    (void)text;
    (void)deadline_ms;
    (void)seq;
    (void)duplicate;
    snprintf(err, errlen, "stream_publish: not implemented yet");
    return -1;
}

// TODO: helpers for stream_work: the consumer (js_AddConsumer with Durable,
// AckPolicy = js_AckExplicit, MaxDeliver, AckWait in nanoseconds), and one message
// handed to the handler and answered (ack or nak).

int stream_work(natsConnection *nc, const struct stream_work_options *opt, stream_handler handler,
                void *user, char *err, size_t errlen)
{
    // TODO: JetStream context, add_consumer, js_PullSubscribe bound to it
    // (jsSubOptions: Stream, Consumer); loop until *stop: natsSubscription_Fetch (10,
    // 500 ms); NATS_TIMEOUT = nothing yet; other errors: the server is away, wait and
    // retry until give_up_ms; handle each message, natsMsgList_Destroy. Destroy (do not
    // unsubscribe) the subscription at the end: the durable stays.
    (void)nc;
    (void)opt;
    (void)handler;
    (void)user;
    snprintf(err, errlen, "stream_work: not implemented yet");
    return -1;
}

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
    // @student-begin: natsConnection_JetStream, jsStreamConfig_Init; Name, Subjects (an array
    // of one), SubjectsLen, Storage = js_FileStorage, Duplicates (nanoseconds);
    // js_AddStream; free what you got (jsStreamInfo_Destroy, jsCtx_Destroy).
    jsCtx *js = NULL;
    natsStatus s = natsConnection_JetStream(&js, nc, NULL);
    if (s != NATS_OK)
        return nats_link_error(s, 0, "natsConnection_JetStream", err, errlen);
    const char *subjects[] = {subject};
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = name;
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    cfg.Duplicates = (int64_t)120 * 1000 * 1000 * 1000; /* 2 minutes, in nanoseconds */
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    s = js_AddStream(&si, js, &cfg, NULL, &jerr);
    jsStreamInfo_Destroy(si);
    jsCtx_Destroy(js);
    if (s != NATS_OK) {
        char what[300];
        snprintf(what, sizeof what, "js_AddStream(\"%s\" on \"%s\")", name, subject);
        return nats_link_error(s, (int)jerr, what, err, errlen);
    }
    return 0;
    // @student-stub
    // (void)nc;
    // (void)name;
    // (void)subject;
    // snprintf(err, errlen, "stream_create: not implemented yet");
    // return -1;
    // @student-end
}

int stream_publish(natsConnection *nc, const char *subject, const char *msg_id, const char *text,
                   int deadline_ms, uint64_t *seq, bool *duplicate, char *err, size_t errlen)
{
    // @student-begin: jsPubOptions with MsgId = msg_id; loop: js_Publish, on success copy
    // pa->Sequence / pa->Duplicate, jsPubAck_Destroy, return 0; on failure remember the
    // error (NATS_NO_RESPONDERS: no stream captures the subject), sleep 100 ms, try again
    // until the deadline.
    jsCtx *js = NULL;
    natsStatus s = natsConnection_JetStream(&js, nc, NULL);
    if (s != NATS_OK)
        return nats_link_error(s, 0, "natsConnection_JetStream", err, errlen);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = msg_id;
    po.MaxWait = 2000;
    long long deadline = now_ms() + deadline_ms;
    int result = -1;
    for (;;) {
        jsPubAck *pa = NULL;
        jsErrCode jerr = 0;
        s = js_Publish(&pa, js, subject, text, (int)strlen(text), &po, &jerr);
        if (s == NATS_OK) {
            *seq = pa->Sequence;
            *duplicate = pa->Duplicate;
            jsPubAck_Destroy(pa);
            result = 0;
            break;
        }
        if (s == NATS_NO_RESPONDERS)
            snprintf(err, errlen,
                     "js_Publish on %s: no stream captures this subject (no "
                     "responders)",
                     subject);
        else
            nats_link_error(s, (int)jerr, "js_Publish", err, errlen);
        if (now_ms() + 100 >= deadline)
            break;
        usleep(100 * 1000);
    }
    jsCtx_Destroy(js);
    return result;
    // @student-stub
    // (void)nc;
    // (void)subject;
    // (void)msg_id;
    // (void)text;
    // (void)deadline_ms;
    // (void)seq;
    // (void)duplicate;
    // snprintf(err, errlen, "stream_publish: not implemented yet");
    // return -1;
    // @student-end
}

// @student-begin: helpers for stream_work: the consumer (js_AddConsumer with Durable,
// AckPolicy = js_AckExplicit, MaxDeliver, AckWait in nanoseconds), and one message
// handed to the handler and answered (ack or nak).
/* True for the errors of a server that is away for now (restarting, or not
 * answering yet): worth waiting out, unlike a refused request. */
static bool server_away(natsStatus s)
{
    return s == NATS_TIMEOUT || s == NATS_NO_SERVER || s == NATS_CONNECTION_CLOSED ||
           s == NATS_CONNECTION_DISCONNECTED || s == NATS_NO_RESPONDERS;
}

/* Adds the durable consumer, or finds it with the same settings. Returns
 * its status, with err said (and *jerr set) when not NATS_OK. */
static natsStatus add_consumer(jsCtx *js, const struct stream_work_options *opt, jsErrCode *jerr,
                               char *err, size_t errlen)
{
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = opt->durable;
    cc.AckPolicy = js_AckExplicit;
    cc.MaxDeliver = opt->max_deliver;
    cc.AckWait = (int64_t)(opt->ack_wait_ms > 0 ? opt->ack_wait_ms : 30000) * 1000 * 1000;
    jsConsumerInfo *ci = NULL;
    *jerr = 0;
    natsStatus s = js_AddConsumer(&ci, js, opt->stream, &cc, NULL, jerr);
    jsConsumerInfo_Destroy(ci);
    if (s == NATS_OK)
        return s;
    if (*jerr == JSStreamNotFoundErr) {
        snprintf(err, errlen, "stream '%s' does not exist (create it first)", opt->stream);
        return s;
    }
    char what[300];
    snprintf(what, sizeof what, "js_AddConsumer(\"%s\" on stream \"%s\")", opt->durable,
             opt->stream);
    nats_link_error(s, (int)*jerr, what, err, errlen);
    return s;
}

/* Hands msg to the handler; acks (and waits for the server) or naks.
 * Returns 1 when acked, 0 otherwise. */
static int handle_one(natsMsg *msg, stream_handler handler, void *user)
{
    const char *id = NULL;
    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK || !id)
        id = "";
    jsMsgMetaData *meta = NULL;
    int delivery = 1; /* when the metadata cannot be read: assume the first */
    if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
        delivery = (int)meta->NumDelivered;
        jsMsgMetaData_Destroy(meta);
    }
    int failed =
        handler(id, natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg), delivery, user);
    if (failed) {
        /* Unchecked on purpose: a lost nak only delays the redelivery until AckWait. */
        (void)natsMsg_Nak(msg, NULL);
        return 0;
    }
    jsErrCode jerr = 0;
    /* Not confirmed (server restarting): it comes again after AckWait. */
    return natsMsg_AckSync(msg, NULL, &jerr) == NATS_OK ? 1 : 0;
}
// @student-stub
// @student-end

int stream_work(natsConnection *nc, const struct stream_work_options *opt, stream_handler handler,
                void *user, char *err, size_t errlen)
{
    // @student-begin: JetStream context, add_consumer, js_PullSubscribe bound to it
    // (jsSubOptions: Stream, Consumer); loop until *stop: natsSubscription_Fetch (10,
    // 500 ms); NATS_TIMEOUT = nothing yet; other errors: the server is away, wait and
    // retry until give_up_ms; handle each message, natsMsgList_Destroy. Destroy (do not
    // unsubscribe) the subscription at the end: the durable stays.
    jsCtx *js = NULL;
    natsStatus s = natsConnection_JetStream(&js, nc, NULL);
    if (s != NATS_OK)
        return nats_link_error(s, 0, "natsConnection_JetStream", err, errlen);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = opt->stream;
    so.Consumer = opt->durable;
    natsSubscription *sub = NULL;
    jsErrCode jerr = 0;
    int give_up_ms = opt->give_up_ms > 0 ? opt->give_up_ms : 30000;
    long long setup_since = now_ms();
    /* The server may be away (restarting) while this worker sets up, too:
     * that is waited out like a failed fetch. A missing stream is not. */
    for (;;) {
        s = add_consumer(js, opt, &jerr, err, errlen);
        if (s == NATS_OK) {
            s = js_PullSubscribe(&sub, js, NULL, opt->durable, NULL, &so, &jerr);
            if (s != NATS_OK)
                nats_link_error(s, (int)jerr, "js_PullSubscribe", err, errlen);
        }
        if (s == NATS_OK)
            break;
        if (server_away(s) && opt->stop && *opt->stop) {
            jsCtx_Destroy(js); /* stopped while waiting for the server: nothing acked, no error */
            return 0;
        }
        if (!server_away(s) || now_ms() - setup_since >= give_up_ms) {
            jsCtx_Destroy(js);
            return -1;
        }
        usleep(100 * 1000);
    }

    long long failing_since = -1;
    int acked = 0;
    int result = 0;
    while (!(opt->stop && *opt->stop)) {
        natsMsgList list = {0};
        s = natsSubscription_Fetch(&list, sub, 10, 500, &jerr);
        if (s == NATS_OK || s == NATS_TIMEOUT) {
            failing_since = -1;
            for (int i = 0; i < list.Count; i++)
                acked += handle_one(list.Msgs[i], handler, user);
            natsMsgList_Destroy(&list);
            continue;
        }
        /* Disconnected, or the server is not ready yet after a restart. */
        if (failing_since < 0)
            failing_since = now_ms();
        if (now_ms() - failing_since >= give_up_ms) {
            result = nats_link_error(s, (int)jerr, "natsSubscription_Fetch (gave up)", err, errlen);
            break;
        }
        usleep(100 * 1000);
    }
    natsSubscription_Destroy(sub);
    jsCtx_Destroy(js);
    return result < 0 ? -1 : acked;
    // @student-stub
    // (void)nc;
    // (void)opt;
    // (void)handler;
    // (void)user;
    // snprintf(err, errlen, "stream_work: not implemented yet");
    // return -1;
    // @student-end
}

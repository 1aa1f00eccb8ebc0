/*
 * wb_kafka.c - mock cluster, test-side producer and reader for chapter 04.
 */
#include "wb_kafka.h"
#include "wb_testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool wb_kafka_real(void)
{
    const char *b = getenv("KAFKA_BROKERS");
    return b && *b;
}

void wb_kafka_require_real(void)
{
    if (!wb_kafka_real())
        cr_skip_test("needs a real Kafka broker (KAFKA_BROKERS is not set)");
}

void wb_kafka_require_mock(void)
{
    if (wb_kafka_real())
        cr_skip_test("needs the mock cluster's fault injection (KAFKA_BROKERS is set)");
}

bool wb_kafka_start(struct wb_kafka *k)
{
    char err[256] = "";
    memset(k, 0, sizeof *k);
    if (wb_kafka_real()) {
        k->real = true;
        snprintf(k->brokers, sizeof k->brokers, "%s", getenv("KAFKA_BROKERS"));
        return true;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* The hosting handle never talks to anyone; keep it quiet. */
    if (rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err) != RD_KAFKA_CONF_OK)
        fprintf(stderr, "wb_kafka: rd_kafka_conf_set(log_level): %s\n", err);
    k->owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!k->owner) {
        fprintf(stderr, "wb_kafka: rd_kafka_new for the mock cluster: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return false;
    }
    k->mock = rd_kafka_mock_cluster_new(k->owner, 3);
    if (!k->mock) {
        fprintf(stderr, "wb_kafka: rd_kafka_mock_cluster_new failed\n");
        rd_kafka_destroy(k->owner);
        k->owner = NULL;
        return false;
    }
    snprintf(k->brokers, sizeof k->brokers, "%s", rd_kafka_mock_cluster_bootstraps(k->mock));
    return true;
}

void wb_kafka_stop(struct wb_kafka *k)
{
    if (k->mock)
        rd_kafka_mock_cluster_destroy(k->mock);
    if (k->owner)
        rd_kafka_destroy(k->owner);
    k->mock = NULL;
    k->owner = NULL;
}

static rd_kafka_conf_t *base_conf(const char *brokers)
{
    char err[256] = "";
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, err, sizeof err) !=
            RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err) != RD_KAFKA_CONF_OK)
        fprintf(stderr, "wb_kafka: rd_kafka_conf_set: %s\n", err);
    return conf;
}

static bool set(rd_kafka_conf_t *conf, const char *name, const char *value)
{
    char err[256] = "";
    if (rd_kafka_conf_set(conf, name, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "wb_kafka: rd_kafka_conf_set(%s): %s\n", name, err);
        return false;
    }
    return true;
}

/* True once rk's metadata shows topic with its partitions, each with a
 * leader. A real broker answers CreateTopics before its metadata has the
 * topic (more so right after a restart), and a consumer subscribing in that
 * gap is told "Unknown topic or partition". Waits up to timeout_ms. */
static bool topic_ready(rd_kafka_t *rk, const char *topic, int partitions, int timeout_ms)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (!rkt)
        return false;
    bool ready = false;
    for (int64_t until = wb_now_ms() + timeout_ms; !ready && wb_now_ms() < until;) {
        const struct rd_kafka_metadata *md = NULL;
        if (rd_kafka_metadata(rk, 0, rkt, &md, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            const struct rd_kafka_metadata_topic *t = md->topic_cnt == 1 ? &md->topics[0] : NULL;
            ready = t && t->err == RD_KAFKA_RESP_ERR_NO_ERROR && t->partition_cnt == partitions;
            for (int i = 0; ready && i < t->partition_cnt; i++)
                ready = t->partitions[i].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                        t->partitions[i].leader >= 0;
            rd_kafka_metadata_destroy(md);
        }
        if (!ready)
            usleep(100 * 1000);
    }
    rd_kafka_topic_destroy(rkt);
    return ready;
}

bool wb_kafka_create_topic(struct wb_kafka *k, const char *topic, int partitions)
{
    if (k->mock) {
        rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(k->mock, topic, partitions, 1);
        if (e) {
            fprintf(stderr, "wb_kafka: rd_kafka_mock_topic_create(%s): %s\n", topic,
                    rd_kafka_err2str(e));
            return false;
        }
        return true;
    }
    char err[256] = "";
    rd_kafka_conf_t *conf = base_conf(k->brokers);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "wb_kafka: rd_kafka_new: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return false;
    }
    bool ok = false;
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, 1, err, sizeof err);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    if (nt) {
        rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 10000);
        const rd_kafka_CreateTopics_result_t *res =
            ev ? rd_kafka_event_CreateTopics_result(ev) : NULL;
        if (res) {
            size_t n;
            const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &n);
            rd_kafka_resp_err_t e =
                n == 1 ? rd_kafka_topic_result_error(tr[0]) : rd_kafka_event_error(ev);
            ok = e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS;
            if (!ok)
                fprintf(stderr, "wb_kafka: CreateTopics(%s): %s\n", topic, rd_kafka_err2str(e));
            if (ok && !(ok = topic_ready(rk, topic, partitions, 30000)))
                fprintf(stderr,
                        "wb_kafka: topic %s was created but no metadata showed it with %d "
                        "partitions and their leaders within 30 s\n",
                        topic, partitions);
        } else {
            fprintf(stderr, "wb_kafka: CreateTopics(%s): no answer in 10 s\n", topic);
        }
        if (ev)
            rd_kafka_event_destroy(ev);
        rd_kafka_NewTopic_destroy(nt);
    } else {
        fprintf(stderr, "wb_kafka: rd_kafka_NewTopic_new: %s\n", err);
    }
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return ok;
}

static void count_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        (*(int *)m->_private)++;
    else
        fprintf(stderr, "wb_kafka: test producer: delivery failed: %s\n", rd_kafka_err2str(m->err));
}

int wb_kafka_produce(const char *brokers, const char *topic, const char *key,
                     const char *const values[], int count, int timeout_ms)
{
    char err[256] = "";
    int delivered = 0;
    rd_kafka_conf_t *conf = base_conf(brokers);
    set(conf, "enable.idempotence", "true"); /* keeps per-partition order */
    set(conf, "linger.ms", "5");
    rd_kafka_conf_set_dr_msg_cb(conf, count_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "wb_kafka: rd_kafka_new: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return 0;
    }
    for (int i = 0; i < count; i++) {
        rd_kafka_resp_err_t e;
        do {
            e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                                  RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
                                  RD_KAFKA_V_VALUE((void *)values[i], strlen(values[i])),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                  RD_KAFKA_V_OPAQUE(&delivered), RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll(rk, 100);
        } while (e == RD_KAFKA_RESP_ERR__QUEUE_FULL);
        if (e)
            fprintf(stderr, "wb_kafka: rd_kafka_producev: %s\n", rd_kafka_err2str(e));
        rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
        fprintf(stderr, "wb_kafka: test producer: %d messages still undelivered after %d ms\n",
                rd_kafka_outq_len(rk), timeout_ms);
    rd_kafka_destroy(rk);
    return delivered;
}

static char *copy_bytes(const void *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        if (n)
            memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

/* The headers of m as "name=value\n" lines (malloc'd, "" when none). */
static char *headers_text(const rd_kafka_message_t *m)
{
    rd_kafka_headers_t *hdrs = NULL;
    size_t total = 1;
    const char *name;
    const void *value;
    size_t size;
    bool any = rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR;
    for (size_t i = 0; any && rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == 0; i++)
        total += strlen(name) + size + 2;
    char *text = malloc(total);
    if (!text)
        return NULL;
    size_t at = 0;
    for (size_t i = 0; any && rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == 0; i++) {
        size_t n = strlen(name);
        memcpy(text + at, name, n);
        text[at + n] = '=';
        if (size)
            memcpy(text + at + n + 1, value, size);
        text[at + n + 1 + size] = '\n';
        at += n + size + 2;
    }
    text[at] = '\0';
    return text;
}

int wb_kafka_read_all(const char *brokers, const char *topic, int expected, int timeout_ms,
                      int linger_ms, bool read_committed, struct wb_kafka_msgs *out)
{
    char err[256] = "";
    memset(out, 0, sizeof *out);
    rd_kafka_conf_t *conf = base_conf(brokers);
    set(conf, "group.id", wb_unique_name("wb-reader")); /* never joins: assign() only */
    set(conf, "enable.auto.commit", "false");
    set(conf, "fetch.wait.max.ms", "10");
    set(conf, "enable.partition.eof", "true"); /* "this partition is read to its end" */
    set(conf, "isolation.level", read_committed ? "read_committed" : "read_uncommitted");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "wb_kafka: rd_kafka_new: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return 0;
    }
    int64_t deadline = wb_now_ms() + timeout_ms;
    /* Find the partitions (retry a little: a fresh topic may not be known yet). */
    int partitions = 0;
    while (partitions == 0 && wb_now_ms() < deadline) {
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
        const struct rd_kafka_metadata *md = NULL;
        if (rkt && rd_kafka_metadata(rk, 0, rkt, &md, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR)
                partitions = md->topics[0].partition_cnt;
            rd_kafka_metadata_destroy(md);
        }
        if (rkt)
            rd_kafka_topic_destroy(rkt);
        if (partitions == 0)
            rd_kafka_poll(rk, 200);
    }
    if (partitions == 0) {
        fprintf(stderr, "wb_kafka: topic %s not found on %s\n", topic, brokers);
        rd_kafka_destroy(rk);
        return 0;
    }
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++)
        rd_kafka_topic_partition_list_add(list, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_resp_err_t e = rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (e) {
        fprintf(stderr, "wb_kafka: rd_kafka_assign: %s\n", rd_kafka_err2str(e));
        rd_kafka_destroy(rk);
        return 0;
    }
    /* at_end[p]: partition p reported EOF and nothing came from it since */
    bool *at_end = calloc((size_t)partitions, sizeof *at_end);
    if (!at_end) {
        fprintf(stderr, "wb_kafka: out of memory\n");
        rd_kafka_destroy(rk);
        return 0;
    }
    int ended = 0, capacity = 0;
    int64_t linger_end = -1;
    for (;;) {
        int64_t now = wb_now_ms();
        if (out->count >= expected && ended == partitions && linger_end < 0)
            linger_end = now + linger_ms;
        if (now >= deadline || (linger_end >= 0 && now >= linger_end))
            break;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 50);
        if (!m)
            continue;
        bool known = m->partition >= 0 && m->partition < partitions;
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && known && at_end[m->partition]) {
            at_end[m->partition] = false;
            ended--;
        } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && known && !at_end[m->partition]) {
            at_end[m->partition] = true;
            ended++;
        }
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (out->count == capacity) {
                int nc = capacity ? capacity * 2 : 64;
                struct wb_kafka_msg *ni = realloc(out->items, nc * sizeof *ni);
                if (!ni) {
                    rd_kafka_message_destroy(m);
                    break;
                }
                out->items = ni;
                capacity = nc;
            }
            struct wb_kafka_msg *w = &out->items[out->count++];
            w->partition = m->partition;
            w->offset = m->offset;
            w->key = m->key ? copy_bytes(m->key, m->key_len) : NULL;
            w->value = copy_bytes(m->payload, m->len);
            w->headers = headers_text(m);
        } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            fprintf(stderr, "wb_kafka: reader: %s\n", rd_kafka_message_errstr(m));
        }
        rd_kafka_message_destroy(m);
    }
    free(at_end);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return out->count;
}

void wb_kafka_msgs_free(struct wb_kafka_msgs *msgs)
{
    for (int i = 0; i < msgs->count; i++) {
        free(msgs->items[i].key);
        free(msgs->items[i].value);
        free(msgs->items[i].headers);
    }
    free(msgs->items);
    msgs->items = NULL;
    msgs->count = 0;
}

void wb_kafka_set_leader(struct wb_kafka *k, const char *topic, int partitions, int32_t id)
{
    if (!k->mock)
        return;
    for (int p = 0; p < partitions; p++) {
        rd_kafka_resp_err_t e = rd_kafka_mock_partition_set_leader(k->mock, topic, p, id);
        if (e)
            fprintf(stderr, "wb_kafka: rd_kafka_mock_partition_set_leader: %s\n",
                    rd_kafka_err2str(e));
    }
}

void wb_kafka_fail_requests(struct wb_kafka *k, int16_t api_key, int count, rd_kafka_resp_err_t err)
{
    if (!k->mock || count <= 0)
        return;
    rd_kafka_resp_err_t *errs = calloc((size_t)count, sizeof *errs);
    if (!errs)
        return;
    for (int i = 0; i < count; i++)
        errs[i] = err;
    rd_kafka_mock_push_request_errors_array(k->mock, api_key, (size_t)count, errs);
    free(errs);
}

void wb_kafka_fail_produce(struct wb_kafka *k, int count, rd_kafka_resp_err_t err)
{
    wb_kafka_fail_requests(k, WB_KAFKA_API_PRODUCE, count, err);
}

/* The mock cluster of wb_kafka_start has brokers 1..WB_KAFKA_MOCK_BROKERS. */
enum { WB_KAFKA_MOCK_BROKERS = 3 };

void wb_kafka_mark_requests(struct wb_kafka *k, int16_t api_key)
{
    for (int32_t id = 1; k->mock && id <= WB_KAFKA_MOCK_BROKERS; id++) {
        rd_kafka_resp_err_t e = rd_kafka_mock_broker_push_request_error_rtts(
            k->mock, id, api_key, 1, RD_KAFKA_RESP_ERR_NO_ERROR, 0);
        if (e)
            fprintf(stderr, "wb_kafka: rd_kafka_mock_broker_push_request_error_rtts: %s\n",
                    rd_kafka_err2str(e));
    }
}

int wb_kafka_markers_left(struct wb_kafka *k, int16_t api_key)
{
    int left = 0;
    for (int32_t id = 1; k->mock && id <= WB_KAFKA_MOCK_BROKERS; id++) {
        size_t cnt = 0;
        if (rd_kafka_mock_broker_error_stack_cnt(k->mock, id, api_key, &cnt) == 0)
            left += (int)cnt;
    }
    return left;
}

int64_t wb_kafka_committed(const char *brokers, const char *group, const char *topic,
                           int32_t partition)
{
    char err[256] = "";
    rd_kafka_conf_t *conf = base_conf(brokers);
    set(conf, "group.id", group); /* never subscribes: it only asks for the offsets */
    set(conf, "enable.auto.commit", "false");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "wb_kafka: rd_kafka_new: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return -2;
    }
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic, partition);
    /* Right after a broker restart the group's coordinator moves or is still
     * loading ("Not coordinator", "Coordinator load in progress"): those
     * pass, so ask again until the budget is spent. */
    int64_t offset = -2, deadline = wb_now_ms() + 30000;
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_committed(rk, list, 10000);
        rd_kafka_resp_err_t pe = e ? e : list->elems[0].err;
        if (!pe) {
            offset = list->elems[0].offset;
            break;
        }
        bool passing = pe == RD_KAFKA_RESP_ERR_NOT_COORDINATOR ||
                       pe == RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE ||
                       pe == RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS ||
                       pe == RD_KAFKA_RESP_ERR__TIMED_OUT || pe == RD_KAFKA_RESP_ERR__TRANSPORT;
        if (!passing || wb_now_ms() >= deadline) {
            fprintf(stderr, "wb_kafka: rd_kafka_committed(%s, %s [%d]): %s\n", group, topic,
                    (int)partition, rd_kafka_err2str(pe));
            break;
        }
        list->elems[0].err = RD_KAFKA_RESP_ERR_NO_ERROR;
        usleep(200 * 1000);
    }
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_destroy(rk);
    return offset;
}

void wb_kafka_broker_down(struct wb_kafka *k, int32_t id)
{
    if (k->mock) {
        rd_kafka_resp_err_t e = rd_kafka_mock_broker_set_down(k->mock, id);
        if (e)
            fprintf(stderr, "wb_kafka: rd_kafka_mock_broker_set_down: %s\n", rd_kafka_err2str(e));
    }
}

void wb_kafka_broker_up(struct wb_kafka *k, int32_t id)
{
    if (k->mock) {
        rd_kafka_resp_err_t e = rd_kafka_mock_broker_set_up(k->mock, id);
        if (e)
            fprintf(stderr, "wb_kafka: rd_kafka_mock_broker_set_up: %s\n", rd_kafka_err2str(e));
    }
}

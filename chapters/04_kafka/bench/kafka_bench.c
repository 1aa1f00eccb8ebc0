/*
 * kafka_bench.c - produce rate with acks=all.
 *
 * Sends COUNT messages of SIZE bytes (default 100000 x 100) to a fresh topic
 * with acks=all and idempotence, waits for every delivery report and prints
 * messages/s and MB/s. Brokers from KAFKA_BROKERS; without it a local
 * 3-broker mock cluster is used (whose figures say nothing about Kafka).
 *
 *   kafka_bench [count] [size]
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long delivered, failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (m->err)
        failed++;
    else
        delivered++;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int set(rd_kafka_conf_t *conf, const char *name, const char *value)
{
    char err[256];
    if (rd_kafka_conf_set(conf, name, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "rd_kafka_conf_set(%s): %s\n", name, err);
        return -1;
    }
    return 0;
}

int main(int argc, char *argv[])
{
    long count = argc > 1 ? atol(argv[1]) : 100000;
    size_t size = argc > 2 ? (size_t)atol(argv[2]) : 100;
    const char *brokers = getenv("KAFKA_BROKERS");
    char err[512], topic[64];
    rd_kafka_t *host = NULL;
    rd_kafka_mock_cluster_t *mock = NULL;

    if (!brokers || !*brokers) {
        host = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), err, sizeof err);
        if (!host || !(mock = rd_kafka_mock_cluster_new(host, 3))) {
            fprintf(stderr, "could not start the mock cluster: %s\n", host ? "" : err);
            return 1;
        }
        brokers = rd_kafka_mock_cluster_bootstraps(mock);
        fprintf(stderr, "KAFKA_BROKERS not set: using a mock cluster (not a Kafka benchmark)\n");
    }
    snprintf(topic, sizeof topic, "bench-%ld", (long)time(NULL));

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (set(conf, "bootstrap.servers", brokers) || set(conf, "acks", "all") ||
        set(conf, "enable.idempotence", "true") || set(conf, "linger.ms", "5") ||
        set(conf, "queue.buffering.max.messages", "200000"))
        return 1;
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "rd_kafka_new: %s\n", err);
        return 1;
    }
    char *payload = malloc(size);
    if (!payload) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    memset(payload, 'x', size);

    /* One message first, so topic creation is not in the measurement. */
    rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(payload, size),
                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    rd_kafka_flush(rk, 30000);
    delivered = failed = 0;

    double start = now_s();
    for (long i = 0; i < count; i++) {
        rd_kafka_resp_err_t e;
        while ((e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(payload, size),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 10);
        if (e) {
            fprintf(stderr, "rd_kafka_producev: %s\n", rd_kafka_err2str(e));
            break;
        }
        rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        fprintf(stderr, "rd_kafka_flush: %d messages undelivered\n", rd_kafka_outq_len(rk));
    double took = now_s() - start;
    printf(
        "%ld x %zu B acks=all to %s: %.2f s, %.0f msg/s, %.1f MB/s (delivered %ld, failed %ld)\n",
        count, size, topic, took, delivered / took, delivered * (double)size / took / 1e6,
        delivered, failed);
    rd_kafka_destroy(rk);
    free(payload);
    if (mock)
        rd_kafka_mock_cluster_destroy(mock);
    if (host)
        rd_kafka_destroy(host);
    return failed ? 1 : 0;
}

/*
 * kafka_link.c - configurations and headers for the Kafka side of the
 * services (see kafka_link.h).
 */
#include "kafka_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kafka_link_choose(const char *who, bool *kafka, char *brokers, size_t len)
{
    const char *broker = getenv("BROKER");
    const char *list = getenv("KAFKA_BROKERS");
    *kafka = broker && strcmp(broker, "kafka") == 0;
    if (!*kafka && broker && *broker && strcmp(broker, "rabbitmq") != 0) {
        fprintf(stderr, "%s: BROKER must be rabbitmq or kafka, not \"%s\"\n", who, broker);
        return -1;
    }
    snprintf(brokers, len, "%s", list && *list ? list : "127.0.0.1:9092");
    return 0;
}

bool kafka_link_set(rd_kafka_conf_t *conf, const char *name, const char *value, char *err,
                    size_t len)
{
    char reason[256];
    if (rd_kafka_conf_set(conf, name, value, reason, sizeof reason) != RD_KAFKA_CONF_OK) {
        snprintf(err, len, "rd_kafka_conf_set(%s=%s): %s", name, value, reason);
        return false;
    }
    return true;
}

rd_kafka_conf_t *kafka_link_conf(const char *brokers, enum kafka_link_role role, char *err,
                                 size_t len)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!conf) {
        snprintf(err, len, "rd_kafka_conf_new failed (out of memory)");
        return NULL;
    }
    /* A lost broker connection is retried after a backoff that doubles up
     * to reconnect.backoff.max.ms (10 s by default): a service should find
     * its broker again within a second of the broker's return. */
    bool ok = kafka_link_set(conf, "bootstrap.servers", brokers, err, len) &&
              kafka_link_set(conf, "log_level", "3", err, len) &&
              kafka_link_set(conf, "reconnect.backoff.max.ms", "1000", err, len);
    if (ok && role == KAFKA_LINK_PRODUCER) {
        char timeout[16];
        snprintf(timeout, sizeof timeout, "%d", KAFKA_LINK_DELIVERY_TIMEOUT_MS);
        ok = kafka_link_set(conf, "message.timeout.ms", timeout, err, len) &&
             kafka_link_set(conf, "linger.ms", "0", err, len);
    }
    if (ok && role == KAFKA_LINK_CONSUMER) {
        /* An empty fetch waits fetch.wait.max.ms. session.timeout.ms is
         * the least librdkafka 2.0.2's mock cluster allows: it holds a new
         * group's first join 3 s and drops a member silent for the session
         * timeout meanwhile, so 3000 survives that wait, and the election
         * after a member joins or leaves waits only the session timeout
         * minus 1 s (with 6000, an order-front restarted in a test waited
         * 5 s for its group). Leave
         * topic.metadata.refresh.interval.ms at its default: in librdkafka
         * 2.0.2 a periodic metadata answer that lands while the group
         * leader waits for its assignor's metadata makes it join again,
         * and with a 1 s refresh that can repeat until every test times
         * out. Our topics exist before anyone subscribes (see
         * kafka_link_ensure_topic), so no refresh is needed to find them. */
        ok = kafka_link_set(conf, "fetch.wait.max.ms", "10", err, len) &&
             kafka_link_set(conf, "session.timeout.ms", "3000", err, len) &&
             kafka_link_set(conf, "heartbeat.interval.ms", "500", err, len) &&
             kafka_link_set(conf, "allow.auto.create.topics", "true", err, len);
    }
    if (!ok) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

int kafka_link_ensure_topic(const char *brokers, const char *topic, int timeout_ms, char *err,
                            size_t len)
{
    rd_kafka_conf_t *conf = kafka_link_conf(brokers, KAFKA_LINK_PRODUCER, err, len);
    if (!conf)
        return -1;
    char reason[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, reason, sizeof reason);
    if (!rk) {
        snprintf(err, len, "rd_kafka_new (topic check): %s", reason);
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t last = RD_KAFKA_RESP_ERR__TIMED_OUT;
    for (int waited = 0; rkt && last != RD_KAFKA_RESP_ERR_NO_ERROR && waited < timeout_ms;
         waited += 200) {
        const struct rd_kafka_metadata *md = NULL;
        last = rd_kafka_metadata(rk, 0, rkt, &md, 2000);
        if (last == RD_KAFKA_RESP_ERR_NO_ERROR) {
            last = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
            rd_kafka_metadata_destroy(md);
        }
        if (last != RD_KAFKA_RESP_ERR_NO_ERROR)
            rd_kafka_poll(rk, 200); /* the broker is creating it */
    }
    if (!rkt)
        snprintf(err, len, "rd_kafka_topic_new(%s) failed", topic);
    else if (last != RD_KAFKA_RESP_ERR_NO_ERROR)
        snprintf(err, len, "topic %s is not there: %s", topic, rd_kafka_err2str(last));
    if (rkt)
        rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return rkt && last == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
}

bool kafka_link_header(const rd_kafka_message_t *msg, const char *name, char *out, size_t len)
{
    out[0] = '\0';
    rd_kafka_headers_t *headers = NULL;
    const void *value = NULL;
    size_t size = 0;
    if (rd_kafka_message_headers(msg, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        !value || size >= len)
        return false;
    memcpy(out, value, size);
    out[size] = '\0';
    return true;
}

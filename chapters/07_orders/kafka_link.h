/*
 * kafka_link.h - the Kafka side of this chapter's services, the twin of
 * amqp_link.h: configurations with readable errors, and the header helpers
 * both services use.
 *
 * kafka_link_conf() starts a configuration with the broker list
 * ("host:port,host:port", from KAFKA_BROKERS) and the settings that are not
 * about reliability: quiet logs, short fetch waits, and group timings that
 * let a new consumer group form in seconds. reliable_kafka.c adds the rest.
 *
 * This file is given (instructor-owned); read it, you will call it.
 */
#ifndef KAFKA_LINK_H
#define KAFKA_LINK_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>

/* How long order-core waits for an event's delivery report at most: the
 * producer's message.timeout.ms. */
#define KAFKA_LINK_DELIVERY_TIMEOUT_MS 3000

enum kafka_link_role { KAFKA_LINK_PRODUCER, KAFKA_LINK_CONSUMER };

/* Which broker the events go through: BROKER=kafka sets *kafka and copies
 * KAFKA_BROKERS (default 127.0.0.1:9092) into brokers; BROKER unset or
 * "rabbitmq" clears *kafka. Returns 0, or -1 after saying on stderr (as
 * `who`) that BROKER holds something else. */
int kafka_link_choose(const char *who, bool *kafka, char *brokers, size_t len);

/* A new configuration for brokers and role, or NULL with the reason in err. */
rd_kafka_conf_t *kafka_link_conf(const char *brokers, enum kafka_link_role role, char *err,
                                 size_t len);

/* Sets name=value on conf. On failure writes "rd_kafka_conf_set(name=value):
 * reason" into err and returns false. */
bool kafka_link_set(rd_kafka_conf_t *conf, const char *name, const char *value, char *err,
                    size_t len);

/* Makes sure topic exists before a consumer subscribes to it: asks for its
 * metadata as a producer does, which makes a broker with
 * auto.create.topics.enable create it (a consumer's subscription to a topic
 * that does not exist waits for minutes instead). Waits at most timeout_ms.
 * Returns 0, or -1 with the reason in err. */
int kafka_link_ensure_topic(const char *brokers, const char *topic, int timeout_ms, char *err,
                            size_t len);

/* Copies the value of header `name` of msg into out (NUL-terminated) and
 * returns true; false (out = "") when msg has no such header or it does not
 * fit. */
bool kafka_link_header(const rd_kafka_message_t *msg, const char *name, char *out, size_t len);

#endif

/*
 * kafka_conf.h - one small helper shared by chapter 04's exercises.
 *
 * rd_kafka_conf_set() reports a bad name or value through a buffer; this
 * wrapper makes "set it, or say which setting failed" a one-liner.
 */
#ifndef KAFKA_CONF_H
#define KAFKA_CONF_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdio.h>

/* Sets name=value on conf. On failure writes "name=value: reason" into
 * errbuf and returns false. */
static inline bool kafka_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value,
                                  char *errbuf, size_t errlen)
{
    char reason[256];
    if (rd_kafka_conf_set(conf, name, value, reason, sizeof reason) != RD_KAFKA_CONF_OK) {
        snprintf(errbuf, errlen, "rd_kafka_conf_set(%s=%s): %s", name, value, reason);
        return false;
    }
    return true;
}

#endif

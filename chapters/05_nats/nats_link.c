/*
 * nats_link.c - connect to NATS with a checked URL and readable errors.
 *
 * libnats itself accepts almost any string as a URL and reports failures as
 * short status texts ("No server available for connection"). The checks
 * here name the URL and say what to do about it.
 */
#include "nats_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nats_link_error(natsStatus s, int jerr, const char *what, char *err, size_t errlen)
{
    const char *detail = nats_GetLastError(NULL);
    char code[48] = "";
    if (jerr)
        snprintf(code, sizeof code, ", JetStream error %d", jerr);
    if (err && errlen)
        snprintf(err, errlen, "%s: %s%s%s%s%s", what, natsStatus_GetText(s), code,
                 detail && *detail ? " (" : "", detail && *detail ? detail : "",
                 detail && *detail ? ")" : "");
    return -1;
}

/* "nats://HOST:PORT" with a number for PORT (HOST:PORT alone is accepted too). */
static int check_url(const char *url, char *err, size_t errlen)
{
    const char *rest = url;
    if (strstr(url, "://")) {
        if (strncmp(url, "nats://", 7) != 0) {
            snprintf(err, errlen,
                     "'%s' is not a NATS URL: the scheme must be nats:// (nats://HOST:PORT, "
                     "e.g. nats://127.0.0.1:4222)",
                     url);
            return -1;
        }
        rest = url + 7;
    }
    const char *at = strrchr(rest, '@');
    if (at)
        rest = at + 1;
    const char *colon = strrchr(rest, ':');
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || colon == rest || end == colon + 1 || (*end && *end != '/') || port < 1 ||
        port > 65535) {
        snprintf(err, errlen,
                 "'%s' is not a NATS URL: expected nats://HOST:PORT with a port number "
                 "1-65535, e.g. nats://127.0.0.1:4222",
                 url);
        return -1;
    }
    return 0;
}

int nats_link_connect(natsConnection **nc, const char *url, int timeout_ms, char *err,
                      size_t errlen)
{
    *nc = NULL;
    if (!url || !*url) {
        snprintf(err, errlen, "no NATS URL given (set NATS_URL, e.g. nats://127.0.0.1:4222)");
        return -1;
    }
    if (check_url(url, err, errlen) != 0)
        return -1;

    natsOptions *opts = NULL;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK)
        s = natsOptions_SetURL(opts, url);
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(opts, timeout_ms);
    if (s == NATS_OK)
        s = natsOptions_SetName(opts, "wirebook");
    /* Reconnect without end, quickly: a restarted server is back in ~0.2 s. */
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(opts, -1);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectWait(opts, 100);
    if (s != NATS_OK) {
        natsOptions_Destroy(opts);
        return nats_link_error(s, 0, "natsOptions", err, errlen);
    }
    s = natsConnection_Connect(nc, opts);
    natsOptions_Destroy(opts);
    if (s == NATS_NO_SERVER) {
        snprintf(err, errlen,
                 "cannot connect to %s: connection refused, nothing listens there (is "
                 "nats-server running? scripts/broker-nats.sh up starts one)",
                 url);
        return -1;
    }
    if (s == NATS_TIMEOUT) {
        snprintf(err, errlen,
                 "cannot connect to %s: no NATS greeting within %d ms (is it a NATS "
                 "server, and is that the client port?)",
                 url, timeout_ms);
        return -1;
    }
    if (s != NATS_OK) {
        char what[600];
        snprintf(what, sizeof what, "cannot connect to %s", url);
        return nats_link_error(s, 0, what, err, errlen);
    }
    return 0;
}

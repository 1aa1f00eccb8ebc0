/*
 * redis_link.c - open/close one Redis connection and explain failures.
 *
 * The sequence: parse the redis:// URL -> redisConnectWithTimeout (bounded
 * connect) -> redisSetTimeout (bounded commands) -> AUTH / SELECT when the
 * URL asks for them. Replies are checked in two steps everywhere in this
 * chapter: redis_link_check (did the command work at all?) and
 * redis_link_expect (is the reply shaped as the command promises?).
 */
#include "redis_link.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

int redis_link_fail(struct redis_link *link, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(link->error, sizeof link->error, fmt, ap);
    va_end(ap);
    return -1;
}

void redis_link_copy_error(const struct redis_link *link, char *buf, size_t len)
{
    if (buf && len > 0)
        snprintf(buf, len, "%s", link->error);
}

const char *redis_link_type_name(int type)
{
    switch (type) {
    case REDIS_REPLY_STRING: return "string";
    case REDIS_REPLY_ARRAY: return "array";
    case REDIS_REPLY_INTEGER: return "integer";
    case REDIS_REPLY_NIL: return "nil";
    case REDIS_REPLY_STATUS: return "status";
    case REDIS_REPLY_ERROR: return "error";
    }
    return "unknown reply type";
}

int redis_link_check(struct redis_link *link, const redisReply *reply, const char *what)
{
    if (!reply) {
        const char *why = link->ctx && link->ctx->errstr[0] ? link->ctx->errstr : "no reply";
        if (link->ctx && link->ctx->err == REDIS_ERR_IO &&
            (errno == EAGAIN || errno == EWOULDBLOCK))
            why = "no answer in time (the server hangs or is overloaded)";
        return redis_link_fail(link, "%s: connection lost: %s", what, why);
    }
    if (reply->type == REDIS_REPLY_ERROR)
        return redis_link_fail(link, "%s: server said: %s", what, reply->str);
    return 0;
}

int redis_link_expect(struct redis_link *link, const redisReply *reply, int type,
                      size_t min_elements, const char *what)
{
    char want[96], got[160];
    if (type == REDIS_REPLY_ARRAY)
        snprintf(want, sizeof want, "an array of at least %zu element%s", min_elements,
                 min_elements == 1 ? "" : "s");
    else
        snprintf(want, sizeof want, "a%s %s", type == REDIS_REPLY_INTEGER ? "n" : "",
                 redis_link_type_name(type));
    if (!reply)
        return redis_link_fail(link, "%s: unexpected reply from the server: expected %s, got none",
                               what, want);
    if (reply->type == type && (type != REDIS_REPLY_ARRAY || reply->elements >= min_elements))
        return 0;
    if (reply->type == REDIS_REPLY_ARRAY)
        snprintf(got, sizeof got, "an array of %zu element%s", reply->elements,
                 reply->elements == 1 ? "" : "s");
    else if (reply->type == REDIS_REPLY_INTEGER)
        snprintf(got, sizeof got, "an integer (%lld)", reply->integer);
    else if (reply->str)
        snprintf(got, sizeof got, "a%s %s (\"%.60s\")", reply->type == REDIS_REPLY_ERROR ? "n" : "",
                 redis_link_type_name(reply->type), reply->str);
    else
        snprintf(got, sizeof got, "%s", redis_link_type_name(reply->type));
    return redis_link_fail(link, "%s: unexpected reply from the server: expected %s, got %s", what,
                           want, got);
}

/* Splits "redis://[[user]:password@]host[:port][/db]" into its parts. */
static int parse_url(struct redis_link *link, const char *url, char *host, size_t hostlen,
                     int *port, char *user, char *password, size_t secretlen, int *db)
{
    static const char scheme[] = "redis://";
    if (strncmp(url, scheme, sizeof scheme - 1) != 0)
        return redis_link_fail(link,
                               "'%s' is not a Redis URL: expected redis://HOST:PORT, e.g. "
                               "redis://127.0.0.1:6379",
                               url);
    const char *p = url + sizeof scheme - 1;
    const char *at = strchr(p, '@');
    user[0] = password[0] = '\0';
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        if (!colon)
            return redis_link_fail(link, "'%s': credentials must be written user:password@", url);
        snprintf(user, secretlen, "%.*s", (int)(colon - p), p);
        snprintf(password, secretlen, "%.*s", (int)(at - colon - 1), colon + 1);
        p = at + 1;
    }
    size_t n = strcspn(p, ":/");
    if (n == 0 || n >= hostlen)
        return redis_link_fail(link, "'%s' has no host name (expected redis://HOST:PORT)", url);
    snprintf(host, hostlen, "%.*s", (int)n, p);
    p += n;
    *port = 6379;
    *db = 0;
    if (*p == ':') {
        char *end;
        long v = strtol(p + 1, &end, 10);
        if (end == p + 1 || v < 1 || v > 65535 || (*end && *end != '/'))
            return redis_link_fail(link, "'%s': the port must be a number from 1 to 65535", url);
        *port = (int)v;
        p = end;
    }
    if (*p == '/' && p[1]) {
        char *end;
        long v = strtol(p + 1, &end, 10);
        if (end == p + 1 || *end || v < 0 || v > 1000000)
            return redis_link_fail(link, "'%s': the database after '/' must be a number", url);
        *db = (int)v;
    } else if (*p && strcmp(p, "/") != 0) {
        return redis_link_fail(link, "'%s': unexpected '%s' after the host", url, p);
    }
    return 0;
}

/* Runs AUTH or SELECT right after connecting; 0 or -1 with the error set. */
static int setup_command(struct redis_link *link, const char *what, redisReply *reply)
{
    int rc = redis_link_check(link, reply, what);
    freeReplyObject(reply);
    return rc;
}

int redis_link_open(struct redis_link *link, const char *url, int timeout_ms)
{
    link->ctx = NULL;
    link->error[0] = '\0';
    if (!url || !*url)
        return redis_link_fail(link, "no Redis URL given (set REDIS_URL, e.g. "
                                     "redis://127.0.0.1:6379)");
    char host[256], user[128], password[128];
    int port = 6379, db = 0;
    if (parse_url(link, url, host, sizeof host, &port, user, password, sizeof password, &db) != 0)
        return -1;

    struct timeval connect_tv = {.tv_sec = timeout_ms / 1000,
                                 .tv_usec = (timeout_ms % 1000) * 1000};
    redisContext *ctx = redisConnectWithTimeout(host, port, connect_tv);
    if (!ctx)
        return redis_link_fail(link, "redisConnectWithTimeout: out of memory");
    if (ctx->err) {
        redis_link_fail(link,
                        "cannot connect to Redis at %s:%d: %s: is redis-server running there? "
                        "(scripts/broker-redis.sh up starts one)",
                        host, port, ctx->errstr);
        redisFree(ctx);
        return -1;
    }
    struct timeval command_tv = {.tv_sec = REDIS_LINK_COMMAND_TIMEOUT_MS / 1000,
                                 .tv_usec = (REDIS_LINK_COMMAND_TIMEOUT_MS % 1000) * 1000};
    if (redisSetTimeout(ctx, command_tv) != REDIS_OK) {
        redis_link_fail(link, "redisSetTimeout: %s", ctx->errstr);
        redisFree(ctx);
        return -1;
    }
    link->ctx = ctx;
    if (password[0] && setup_command(link, "AUTH",
                                     user[0] ? redisCommand(ctx, "AUTH %s %s", user, password)
                                             : redisCommand(ctx, "AUTH %s", password)) != 0) {
        redis_link_close(link);
        return -1;
    }
    if (db != 0 && setup_command(link, "SELECT", redisCommand(ctx, "SELECT %d", db)) != 0) {
        redis_link_close(link);
        return -1;
    }
    return 0;
}

void redis_link_close(struct redis_link *link)
{
    if (link->ctx)
        redisFree(link->ctx);
    link->ctx = NULL;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int redis_link_wait_reply(struct redis_link *link, redisReply **reply, int timeout_ms)
{
    *reply = NULL;
    if (!link->ctx)
        return redis_link_fail(link, "not connected");
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        /* A reply may already sit in hiredis's buffer from an earlier read. */
        void *r = NULL;
        if (redisGetReplyFromReader(link->ctx, &r) != REDIS_OK)
            return redis_link_fail(link, "reading a reply: %s", link->ctx->errstr);
        if (r) {
            *reply = r;
            return 1;
        }
        long long left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd pfd = {.fd = link->ctx->fd, .events = POLLIN};
        int ready = poll(&pfd, 1, (int)left);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            return redis_link_fail(link, "poll: %s", strerror(errno));
        if (ready == 0)
            return 0;
        if (redisBufferRead(link->ctx) != REDIS_OK)
            return redis_link_fail(link, "connection lost: %s",
                                   link->ctx->errstr[0] ? link->ctx->errstr : "read failed");
    }
}

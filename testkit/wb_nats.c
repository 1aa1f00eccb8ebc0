/*
 * wb_nats.c - chapter 05's peer over NATS's text protocol (see wb_nats.h).
 *
 * One socket, one read buffer, a queue of messages that arrived while the
 * peer waited for something else (a PONG, a reply). Blocking writes, reads
 * with poll() and a deadline. Written for tests: small, strict, clear errors.
 */
#define _GNU_SOURCE /* memmem */
#include "wb_nats.h"

#include "wb_testkit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct queued {
    struct wb_nats_msg msg;
    struct queued *next;
};

struct wb_nats {
    int fd;
    char buf[1 << 16];
    size_t used;
    int next_sid;
    int pongs; /* PONGs received and not yet claimed by wb_nats_flush */
    struct queued *head, *tail;
    char error[512];
};

static int fail(struct wb_nats *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct wb_nats *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof c->error, fmt, ap);
    va_end(ap);
    return -1;
}

const char *wb_nats_error(const struct wb_nats *c)
{
    return c ? c->error : "no connection";
}

static int send_all(struct wb_nats *c, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail(c, "send to the NATS server failed: %s", strerror(errno));
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int send_line(struct wb_nats *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int send_line(struct wb_nats *c, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 2, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line - 2)
        return fail(c, "protocol line too long");
    memcpy(line + n, "\r\n", 2);
    return send_all(c, line, (size_t)n + 2);
}

/* Reads more bytes into the buffer, waiting until deadline. 1 = got some,
 * 0 = deadline passed, -1 = error or closed. */
static int fill(struct wb_nats *c, int64_t deadline)
{
    if (c->used == sizeof c->buf)
        return fail(c, "a message larger than %zu bytes arrived", sizeof c->buf);
    int64_t left = deadline - wb_now_ms();
    if (left < 0)
        left = 0;
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    int rc = poll(&pfd, 1, (int)left);
    if (rc == 0)
        return 0;
    if (rc < 0)
        return errno == EINTR ? 1 : fail(c, "poll: %s", strerror(errno));
    ssize_t n = recv(c->fd, c->buf + c->used, sizeof c->buf - c->used, 0);
    if (n == 0)
        return fail(c, "the NATS server closed the connection");
    if (n < 0)
        return errno == EINTR ? 1 : fail(c, "recv: %s", strerror(errno));
    c->used += (size_t)n;
    return 1;
}

static void consume(struct wb_nats *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->used - n);
    c->used -= n;
}

/* Splits a protocol line into at most max space-separated words. */
static int split(char *line, char **words, int max)
{
    int n = 0;
    for (char *w = strtok(line, " \t"); w && n < max; w = strtok(NULL, " \t"))
        words[n++] = w;
    return n;
}

/* Parses "MSG subj sid [reply] n" or "HMSG subj sid [reply] h n" (line is
 * not modified) and, when the payload is complete, fills m and consumes it.
 * 1 = message, 0 = need more bytes, -1 = bad line. */
static int take_msg(struct wb_nats *c, const char *line, size_t line_len, struct wb_nats_msg *m)
{
    char copy[1024];
    if (line_len >= sizeof copy)
        return fail(c, "protocol line too long");
    memcpy(copy, line, line_len);
    copy[line_len] = '\0';
    char *w[6] = {NULL};
    int n = split(copy, w, 6);
    bool hmsg = n > 0 && strcmp(w[0], "HMSG") == 0;
    int need = hmsg ? 5 : 4; /* without reply */
    if (n != need && n != need + 1)
        return fail(c, "malformed line from server: %.*s", (int)line_len, line);
    const char *reply = n == need + 1 ? w[3] : "";
    size_t hdr = hmsg ? strtoul(w[n - 2], NULL, 10) : 0;
    size_t total = strtoul(w[n - 1], NULL, 10);
    if (hdr > total)
        return fail(c, "malformed sizes from server: %.*s", (int)line_len, line);
    size_t start = line_len + 2;
    if (c->used < start + total + 2)
        return 0;
    memset(m, 0, sizeof *m);
    snprintf(m->subject, sizeof m->subject, "%s", w[1]);
    snprintf(m->reply, sizeof m->reply, "%s", reply);
    size_t keep = hdr < sizeof m->headers ? hdr : sizeof m->headers - 1;
    memcpy(m->headers, c->buf + start, keep);
    m->headers[keep] = '\0';
    m->no_responders = hdr > 0 && strncmp(m->headers, "NATS/1.0 503", 12) == 0;
    m->len = total - hdr;
    m->data = malloc(m->len + 1);
    if (!m->data)
        return fail(c, "out of memory");
    memcpy(m->data, c->buf + start + hdr, m->len);
    m->data[m->len] = '\0';
    consume(c, start + total + 2);
    return 1;
}

/* Reads and handles one complete protocol item. 1 = a message (in m), 2 =
 * something else handled (PING answered, PONG counted, +OK, INFO), 0 = the
 * deadline passed, -1 = error (-ERR from the server included). */
static int read_item(struct wb_nats *c, struct wb_nats_msg *m, int64_t deadline)
{
    for (;;) {
        char *eol = memmem(c->buf, c->used, "\r\n", 2);
        if (eol) {
            size_t len = (size_t)(eol - c->buf);
            if (strncmp(c->buf, "MSG ", 4) == 0 || strncmp(c->buf, "HMSG ", 5) == 0) {
                int rc = take_msg(c, c->buf, len, m);
                if (rc != 0)
                    return rc;
            } else {
                char line[1024];
                snprintf(line, sizeof line, "%.*s", (int)len, c->buf);
                consume(c, len + 2);
                if (strcmp(line, "PING") == 0)
                    return send_line(c, "PONG") == 0 ? 2 : -1;
                if (strcmp(line, "PONG") == 0) {
                    c->pongs++;
                    return 2;
                }
                if (strncmp(line, "-ERR", 4) == 0)
                    return fail(c, "the server answered %s", line);
                return 2; /* +OK, INFO */
            }
        }
        int rc = fill(c, deadline);
        if (rc <= 0)
            return rc;
    }
}

static void enqueue(struct wb_nats *c, struct wb_nats_msg *m)
{
    struct queued *q = calloc(1, sizeof *q);
    if (!q) {
        wb_nats_msg_free(m);
        return;
    }
    q->msg = *m;
    if (c->tail)
        c->tail->next = q;
    else
        c->head = q;
    c->tail = q;
}

struct wb_nats *wb_nats_connect(const char *url, char *err, size_t errlen)
{
    char host[256], port[16];
    const char *p = strstr(url, "://") ? strstr(url, "://") + 3 : url;
    const char *at = strchr(p, '@');
    if (at)
        p = at + 1;
    const char *colon = strrchr(p, ':');
    if (!colon || colon == p) {
        snprintf(err, errlen, "peer: '%s' is not nats://HOST:PORT", url);
        return NULL;
    }
    snprintf(host, sizeof host, "%.*s", (int)(colon - p), p);
    snprintf(port, sizeof port, "%.*s", (int)strcspn(colon + 1, "/,"), colon + 1);

    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(host, port, &hints, &res) != 0 || !res) {
        snprintf(err, errlen, "peer: cannot resolve %s:%s", host, port);
        return NULL;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        snprintf(err, errlen, "peer: connect to %s:%s: %s", host, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return NULL;
    }
    freeaddrinfo(res);
    struct wb_nats *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        snprintf(err, errlen, "peer: out of memory");
        return NULL;
    }
    c->fd = fd;
    c->next_sid = 1;
    int64_t deadline = wb_now_ms() + 5000;
    while (!memmem(c->buf, c->used, "\r\n", 2))
        if (fill(c, deadline) <= 0) {
            snprintf(err, errlen, "peer: no INFO from %s: %s", url,
                     c->error[0] ? c->error : "timed out");
            wb_nats_close(c);
            return NULL;
        }
    if (strncmp(c->buf, "INFO ", 5) != 0) {
        snprintf(err, errlen, "peer: %s did not greet with INFO: is it a NATS server?", url);
        wb_nats_close(c);
        return NULL;
    }
    consume(c, (size_t)((char *)memmem(c->buf, c->used, "\r\n", 2) - c->buf) + 2);
    if (send_line(c, "CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"wirebook-peer\","
                     "\"lang\":\"c-text\",\"version\":\"1\",\"protocol\":1,\"headers\":true,"
                     "\"no_responders\":true}") != 0 ||
        wb_nats_flush(c, 5000) != 0) {
        snprintf(err, errlen, "peer: handshake with %s failed: %s", url, c->error);
        wb_nats_close(c);
        return NULL;
    }
    return c;
}

void wb_nats_close(struct wb_nats *c)
{
    if (!c)
        return;
    while (c->head) {
        struct queued *q = c->head;
        c->head = q->next;
        wb_nats_msg_free(&q->msg);
        free(q);
    }
    close(c->fd);
    free(c);
}

int wb_nats_sub(struct wb_nats *c, const char *subject, const char *queue)
{
    int sid = c->next_sid++;
    int rc = queue ? send_line(c, "SUB %s %s %d", subject, queue, sid)
                   : send_line(c, "SUB %s %d", subject, sid);
    return rc == 0 ? sid : -1;
}

int wb_nats_unsub(struct wb_nats *c, int sid)
{
    return send_line(c, "UNSUB %d", sid);
}

int wb_nats_pub(struct wb_nats *c, const char *subject, const char *reply, const void *data,
                size_t len, const char *headers)
{
    const char *r = reply ? reply : "";
    const char *sep = reply ? " " : "";
    if (!headers) {
        if (send_line(c, "PUB %s%s%s %zu", subject, sep, r, len) != 0)
            return -1;
    } else {
        char block[1024];
        int h = snprintf(block, sizeof block, "NATS/1.0\r\n%s\r\n", headers);
        if (h < 0 || (size_t)h >= sizeof block)
            return fail(c, "headers too long");
        if (send_line(c, "HPUB %s%s%s %d %zu", subject, sep, r, h, (size_t)h + len) != 0 ||
            send_all(c, block, (size_t)h) != 0)
            return -1;
    }
    if (send_all(c, data, len) != 0 || send_all(c, "\r\n", 2) != 0)
        return -1;
    return 0;
}

int wb_nats_flush(struct wb_nats *c, int timeout_ms)
{
    int64_t deadline = wb_now_ms() + timeout_ms;
    int before = c->pongs;
    if (send_line(c, "PING") != 0)
        return -1;
    while (c->pongs == before) {
        struct wb_nats_msg m;
        int rc = read_item(c, &m, deadline);
        if (rc == 1)
            enqueue(c, &m);
        else if (rc == 0)
            return fail(c, "no PONG from the server within %d ms", timeout_ms);
        else if (rc < 0)
            return -1;
    }
    c->pongs--;
    return 0;
}

int wb_nats_next(struct wb_nats *c, struct wb_nats_msg *m, int timeout_ms)
{
    if (c->head) {
        struct queued *q = c->head;
        c->head = q->next;
        if (!c->head)
            c->tail = NULL;
        *m = q->msg;
        free(q);
        return 1;
    }
    int64_t deadline = wb_now_ms() + timeout_ms;
    for (;;) {
        int rc = read_item(c, m, deadline);
        if (rc != 2)
            return rc;
    }
}

void wb_nats_msg_free(struct wb_nats_msg *m)
{
    free(m->data);
    m->data = NULL;
}

int wb_nats_request(struct wb_nats *c, const char *subject, const void *data, size_t len,
                    const char *headers, struct wb_nats_msg *m, int timeout_ms)
{
    char inbox[128];
    snprintf(inbox, sizeof inbox, "_INBOX.%s", wb_unique_name("peer"));
    for (char *p = inbox; *p; p++) /* '-' is fine, but keep tokens simple */
        if (*p == '-')
            *p = '_';
    int sid = wb_nats_sub(c, inbox, NULL);
    if (sid < 0 || wb_nats_pub(c, subject, inbox, data, len, headers) != 0)
        return -1;
    int64_t deadline = wb_now_ms() + timeout_ms;
    int result = 0;
    /* Messages of other subscriptions that arrive meanwhile are kept. */
    struct queued *keep = NULL, **keep_tail = &keep;
    for (;;) {
        int64_t left = deadline - wb_now_ms();
        if (left <= 0)
            break;
        struct wb_nats_msg got;
        int rc = read_item(c, &got, deadline);
        if (rc == 1 && strcmp(got.subject, inbox) == 0) {
            *m = got;
            result = 1;
            break;
        }
        if (rc == 1) {
            struct queued *q = calloc(1, sizeof *q);
            if (q) {
                q->msg = got;
                *keep_tail = q;
                keep_tail = &q->next;
            } else {
                wb_nats_msg_free(&got);
            }
        } else if (rc <= 0) {
            result = rc;
            break;
        }
    }
    for (struct queued *q = keep; q;) {
        struct queued *next = q->next;
        enqueue(c, &q->msg);
        free(q);
        q = next;
    }
    wb_nats_unsub(c, sid);
    return result;
}

json_t *wb_nats_js(struct wb_nats *c, const char *api, const char *body, char *err, size_t errlen)
{
    char subject[512];
    snprintf(subject, sizeof subject, "$JS.API.%s", api);
    struct wb_nats_msg m;
    int rc = wb_nats_request(c, subject, body, strlen(body), NULL, &m, 5000);
    if (rc != 1) {
        snprintf(err, errlen, "peer: %s: %s", subject,
                 rc == 0 ? "no answer within 5 s (is JetStream on?)" : c->error);
        return NULL;
    }
    if (m.no_responders) {
        snprintf(err, errlen, "peer: %s: no responders: JetStream is not enabled", subject);
        wb_nats_msg_free(&m);
        return NULL;
    }
    json_error_t jerr;
    json_t *reply = json_loadb(m.data, m.len, 0, &jerr);
    if (!reply)
        snprintf(err, errlen, "peer: %s: reply is not JSON (%s): %.200s", subject, jerr.text,
                 m.data);
    wb_nats_msg_free(&m);
    return reply;
}

/* ---- a server that goes silent ----------------------------------------- */

struct wb_nats_silent {
    int listen_fd;
    int stop_pipe[2];
    pthread_t thread;
};

/* Serves one client at a time: INFO, PONG to each PING until the first PUB
 * line, then only reads. Ends when the stop pipe becomes readable. */
static void *silent_main(void *arg)
{
    struct wb_nats_silent *s = arg;
    int client = -1;
    bool silent = false;
    char line[4096];
    size_t used = 0;
    for (;;) {
        struct pollfd p[3] = {{.fd = s->stop_pipe[0], .events = POLLIN},
                              {.fd = s->listen_fd, .events = POLLIN},
                              {.fd = client, .events = POLLIN}};
        if (poll(p, client >= 0 ? 3 : 2, -1) < 0 && errno != EINTR)
            break;
        if (p[0].revents)
            break;
        if (p[1].revents & POLLIN) {
            int fd = accept(s->listen_fd, NULL, NULL);
            if (fd >= 0) {
                if (client >= 0)
                    close(client);
                client = fd;
                silent = false;
                used = 0;
                static const char info[] =
                    "INFO {\"server_id\":\"silent\",\"version\":\"2.9.10\",\"proto\":1,"
                    "\"headers\":true,\"max_payload\":1048576}\r\n";
                if (send(client, info, sizeof info - 1, MSG_NOSIGNAL) < 0) {
                    close(client);
                    client = -1;
                }
            }
        }
        if (client >= 0 && (p[2].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = recv(client, line + used, sizeof line - used, 0);
            if (n <= 0) {
                close(client);
                client = -1;
                continue;
            }
            used += (size_t)n;
            char *eol;
            while (!silent && (eol = memmem(line, used, "\r\n", 2))) {
                size_t len = (size_t)(eol - line);
                if (strncmp(line, "PUB ", 4) == 0 || strncmp(line, "HPUB ", 5) == 0)
                    silent = true;
                else if (len == 4 && strncmp(line, "PING", 4) == 0 &&
                         send(client, "PONG\r\n", 6, MSG_NOSIGNAL) < 0)
                    silent = true;
                memmove(line, line + len + 2, used - len - 2);
                used -= len + 2;
            }
            if (silent || used == sizeof line)
                used = 0; /* read and forget */
        }
    }
    if (client >= 0)
        close(client);
    return NULL;
}

struct wb_nats_silent *wb_nats_silent_start(uint16_t *port)
{
    struct wb_nats_silent *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(s->listen_fd, 4) != 0 ||
        getsockname(s->listen_fd, (struct sockaddr *)&a, &alen) != 0 || pipe(s->stop_pipe) != 0) {
        if (s->listen_fd >= 0)
            close(s->listen_fd);
        free(s);
        return NULL;
    }
    *port = ntohs(a.sin_port);
    if (pthread_create(&s->thread, NULL, silent_main, s) != 0) {
        close(s->listen_fd);
        close(s->stop_pipe[0]);
        close(s->stop_pipe[1]);
        free(s);
        return NULL;
    }
    return s;
}

void wb_nats_silent_stop(struct wb_nats_silent *s)
{
    if (!s)
        return;
    if (write(s->stop_pipe[1], "x", 1) != 1)
        perror("wb_nats_silent_stop: write");
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
    close(s->stop_pipe[0]);
    close(s->stop_pipe[1]);
    free(s);
}

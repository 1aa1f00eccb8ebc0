/*
 * wb_http_fixture.c - a scriptable HTTP server for tests (see the header).
 *
 * libmicrohttpd runs one thread per connection. The access handler collects
 * the request body, records the request, picks the reply (idempotency store,
 * then script, then default), optionally stalls, then answers or closes.
 * One mutex guards all fixture state; a condition variable lets
 * wb_http_fixture_stop wake stalled handlers at once.
 */
#include "wb_http_fixture.h"
#include "wb_testkit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- small helpers ------------------------------------------------------ */

/* Out of memory inside a server thread cannot be reported by an assertion
 * (Criterion asserts only work in the test's own thread): stop loudly. */
static void *fx_alloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (p == NULL) {
        fprintf(stderr, "wb_http_fixture: out of memory (%zu bytes)\n", size);
        abort();
    }
    return p;
}

static char *fx_memdup(const char *data, size_t len)
{
    char *copy = fx_alloc(len + 1);
    if (len > 0)
        memcpy(copy, data, len);
    copy[len] = '\0';
    return copy;
}

static char *fx_strdup(const char *s)
{
    return s ? fx_memdup(s, strlen(s)) : NULL;
}

/* A reply that owns its strings. */
struct fx_reply {
    int status;
    char *content_type;
    char *body;
    size_t body_len;
    char *headers[WB_HTTP_MAX_HEADERS];
    int stall_ms;
    bool close;
};

static void fx_reply_from(struct fx_reply *dst, const struct wb_http_reply *src)
{
    memset(dst, 0, sizeof *dst);
    dst->status = src->status;
    dst->content_type = fx_strdup(src->content_type);
    size_t len = src->body ? (src->body_len ? src->body_len : strlen(src->body)) : 0;
    dst->body = fx_memdup(src->body ? src->body : "", len);
    dst->body_len = len;
    for (int i = 0; i < WB_HTTP_MAX_HEADERS; i++)
        dst->headers[i] = fx_strdup(src->headers[i]);
    dst->stall_ms = src->stall_ms;
    dst->close = src->close;
}

static void fx_reply_copy(struct fx_reply *dst, const struct fx_reply *src)
{
    struct wb_http_reply view = {
        .status = src->status,
        .content_type = src->content_type,
        .body = src->body,
        .body_len = src->body_len,
        .stall_ms = src->stall_ms,
        .close = src->close,
    };
    for (int i = 0; i < WB_HTTP_MAX_HEADERS; i++)
        view.headers[i] = src->headers[i];
    fx_reply_from(dst, &view);
}

static void fx_reply_clear(struct fx_reply *r)
{
    free(r->content_type);
    free(r->body);
    for (int i = 0; i < WB_HTTP_MAX_HEADERS; i++)
        free(r->headers[i]);
    memset(r, 0, sizeof *r);
}

/* ---- fixture state -------------------------------------------------------- */

struct fx_stored { /* one entry of the idempotency store */
    char *key;
    struct fx_reply reply;
};

struct wb_http_fixture {
    struct MHD_Daemon *daemon;
    uint16_t port;

    pthread_mutex_t lock;
    pthread_cond_t wake; /* broadcast on stop, ends stalls early */
    bool stopping;

    struct fx_reply *script; /* FIFO: script[next .. count) are pending */
    size_t script_next, script_count, script_cap;
    struct fx_reply default_reply;

    struct wb_http_recorded *requests;
    size_t request_count, request_cap;

    struct fx_stored *store;
    size_t store_count, store_cap;
    size_t effects;
};

/* Per-request state: the body as it arrives. */
struct fx_upload {
    char *data;
    size_t len, cap;
};

static void fx_upload_append(struct fx_upload *up, const char *data, size_t len)
{
    if (up->len + len + 1 > up->cap) {
        size_t cap = up->cap ? up->cap : 1024;
        while (cap < up->len + len + 1)
            cap *= 2;
        char *grown = realloc(up->data, cap);
        if (grown == NULL) {
            fprintf(stderr, "wb_http_fixture: out of memory for a %zu-byte body\n", cap);
            abort();
        }
        up->data = grown;
        up->cap = cap;
    }
    memcpy(up->data + up->len, data, len);
    up->len += len;
    up->data[up->len] = '\0';
}

/* Caller holds fx->lock. */
static void fx_record(struct wb_http_fixture *fx, const char *method, const char *path,
                      const struct fx_upload *up, const char *key)
{
    if (fx->request_count == fx->request_cap) {
        size_t cap = fx->request_cap ? fx->request_cap * 2 : 16;
        struct wb_http_recorded *grown = realloc(fx->requests, cap * sizeof *grown);
        if (grown == NULL) {
            fprintf(stderr, "wb_http_fixture: out of memory recording a request\n");
            abort();
        }
        fx->requests = grown;
        fx->request_cap = cap;
    }
    struct wb_http_recorded *req = &fx->requests[fx->request_count++];
    req->method = fx_strdup(method);
    req->path = fx_strdup(path);
    req->body = fx_memdup(up->data ? up->data : "", up->len);
    req->body_len = up->len;
    req->idempotency_key = fx_strdup(key);
    req->at_ms = wb_now_ms();
}

/* Caller holds fx->lock. */
static struct fx_stored *fx_store_find(struct wb_http_fixture *fx, const char *key)
{
    for (size_t i = 0; i < fx->store_count; i++)
        if (strcmp(fx->store[i].key, key) == 0)
            return &fx->store[i];
    return NULL;
}

/* Caller holds fx->lock. */
static void fx_store_put(struct wb_http_fixture *fx, const char *key, const struct fx_reply *reply)
{
    if (fx->store_count == fx->store_cap) {
        size_t cap = fx->store_cap ? fx->store_cap * 2 : 8;
        struct fx_stored *grown = realloc(fx->store, cap * sizeof *grown);
        if (grown == NULL) {
            fprintf(stderr, "wb_http_fixture: out of memory in the idempotency store\n");
            abort();
        }
        fx->store = grown;
        fx->store_cap = cap;
    }
    struct fx_stored *entry = &fx->store[fx->store_count++];
    entry->key = fx_strdup(key);
    fx_reply_copy(&entry->reply, reply);
    /* A replay answers at once and always answers. */
    entry->reply.close = false;
    entry->reply.stall_ms = 0;
}

/* Did the server "do the work" for this reply? See wb_http_reply.status. */
static bool fx_reply_processed(const struct fx_reply *r)
{
    if (r->close)
        return r->status != 0;
    return !(r->status == 429 || r->status >= 500);
}

/* Picks the reply for a complete request and records it. Fills *out (owned
 * by the caller). Takes and releases fx->lock. */
static void fx_choose_reply(struct wb_http_fixture *fx, const char *method, const char *path,
                            const struct fx_upload *up, const char *key, struct fx_reply *out)
{
    bool is_post = strcmp(method, "POST") == 0;

    if (pthread_mutex_lock(&fx->lock) != 0)
        abort();
    fx_record(fx, method, path, up, key);

    struct fx_stored *stored = (is_post && key) ? fx_store_find(fx, key) : NULL;
    if (stored != NULL) {
        fx_reply_copy(out, &stored->reply); /* replay: no new effect */
    } else {
        if (fx->script_next < fx->script_count) {
            struct fx_reply *next = &fx->script[fx->script_next++];
            *out = *next; /* move ownership */
            memset(next, 0, sizeof *next);
        } else {
            fx_reply_copy(out, &fx->default_reply);
        }
        if (is_post && fx_reply_processed(out)) {
            fx->effects++;
            if (key != NULL)
                fx_store_put(fx, key, out);
        }
    }
    pthread_mutex_unlock(&fx->lock);
}

/* Waits ms milliseconds or until the fixture stops. */
static void fx_stall(struct wb_http_fixture *fx, int ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += ms / 1000;
    deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec += 1;
        deadline.tv_nsec -= 1000000000L;
    }
    if (pthread_mutex_lock(&fx->lock) != 0)
        abort();
    while (!fx->stopping) {
        int rc = pthread_cond_timedwait(&fx->wake, &fx->lock, &deadline);
        if (rc == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&fx->lock);
}

/* Builds and queues the HTTP answer. */
static enum MHD_Result fx_answer(struct MHD_Connection *connection, const struct fx_reply *r)
{
    struct MHD_Response *response =
        MHD_create_response_from_buffer(r->body_len, r->body, MHD_RESPMEM_MUST_COPY);
    if (response == NULL) {
        fprintf(stderr, "wb_http_fixture: MHD_create_response_from_buffer failed\n");
        return MHD_NO;
    }
    if (r->content_type != NULL && MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                                           r->content_type) != MHD_YES) {
        fprintf(stderr, "wb_http_fixture: MHD_add_response_header(Content-Type) failed\n");
        MHD_destroy_response(response);
        return MHD_NO;
    }
    for (int i = 0; i < WB_HTTP_MAX_HEADERS; i++) {
        if (r->headers[i] == NULL)
            continue;
        char *name = fx_strdup(r->headers[i]);
        char *colon = strchr(name, ':');
        const char *value = "";
        if (colon != NULL) {
            *colon = '\0';
            value = colon + 1;
            while (*value == ' ')
                value++;
        }
        enum MHD_Result added = MHD_add_response_header(response, name, value);
        if (added != MHD_YES)
            fprintf(stderr, "wb_http_fixture: MHD_add_response_header(%s) failed\n", name);
        free(name);
        if (added != MHD_YES) {
            MHD_destroy_response(response);
            return MHD_NO;
        }
    }
    unsigned int status = r->status > 0 ? (unsigned int)r->status : MHD_HTTP_OK;
    enum MHD_Result queued = MHD_queue_response(connection, status, response);
    if (queued != MHD_YES)
        fprintf(stderr, "wb_http_fixture: MHD_queue_response(%u) failed\n", status);
    MHD_destroy_response(response);
    return queued;
}

static enum MHD_Result fx_handle(void *cls, struct MHD_Connection *connection, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **req_cls)
{
    (void)version;
    struct wb_http_fixture *fx = cls;

    if (*req_cls == NULL) { /* first call: headers only */
        *req_cls = fx_alloc(sizeof(struct fx_upload));
        return MHD_YES;
    }
    struct fx_upload *up = *req_cls;
    if (*upload_data_size > 0) { /* a piece of the body */
        fx_upload_append(up, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }

    const char *key = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Idempotency-Key");
    struct fx_reply reply;
    fx_choose_reply(fx, method, url, up, key, &reply);

    if (reply.stall_ms > 0)
        fx_stall(fx, reply.stall_ms);

    enum MHD_Result result = reply.close ? MHD_NO /* MHD closes the socket */
                                         : fx_answer(connection, &reply);
    fx_reply_clear(&reply);
    return result;
}

/* libmicrohttpd's error log. A "close without answering" reply makes MHD
 * report an application error: that one is on purpose, so it is not shown. */
static void fx_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char message[512];
    vsnprintf(message, sizeof message, fmt, ap);
    if (strstr(message, "Application reported internal error") != NULL)
        return;
    fprintf(stderr, "wb_http_fixture: libmicrohttpd: %s", message);
}

static void fx_completed(void *cls, struct MHD_Connection *connection, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)connection;
    (void)toe;
    struct fx_upload *up = *req_cls;
    if (up != NULL) {
        free(up->data);
        free(up);
        *req_cls = NULL;
    }
}

/* ---- public API ------------------------------------------------------------ */

struct wb_http_fixture *wb_http_fixture_start(void)
{
    struct wb_http_fixture *fx = fx_alloc(sizeof *fx);
    cr_assert(pthread_mutex_init(&fx->lock, NULL) == 0,
              "wb_http_fixture: pthread_mutex_init failed");
    cr_assert(pthread_cond_init(&fx->wake, NULL) == 0, "wb_http_fixture: pthread_cond_init failed");
    struct wb_http_reply ok = {.status = 200, .content_type = "text/plain", .body = "ok\n"};
    fx_reply_from(&fx->default_reply, &ok);

    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    fx->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG, 0,
        NULL, NULL, fx_handle, fx, MHD_OPTION_EXTERNAL_LOGGER, fx_log, fx, /* must come first */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, fx_completed,
        fx, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_END);
    cr_assert(fx->daemon != NULL, "wb_http_fixture: MHD_start_daemon on 127.0.0.1 (port 0) failed");

    const union MHD_DaemonInfo *info = MHD_get_daemon_info(fx->daemon, MHD_DAEMON_INFO_BIND_PORT);
    cr_assert(info != NULL && info->port != 0,
              "wb_http_fixture: MHD_get_daemon_info(MHD_DAEMON_INFO_BIND_PORT) gave no port");
    fx->port = info->port;
    return fx;
}

void wb_http_fixture_stop(struct wb_http_fixture *fx)
{
    if (fx == NULL)
        return;
    if (pthread_mutex_lock(&fx->lock) != 0)
        abort();
    fx->stopping = true;
    pthread_cond_broadcast(&fx->wake);
    pthread_mutex_unlock(&fx->lock);

    MHD_stop_daemon(fx->daemon); /* joins the connection threads */

    for (size_t i = 0; i < fx->script_count; i++)
        fx_reply_clear(&fx->script[i]);
    free(fx->script);
    fx_reply_clear(&fx->default_reply);
    for (size_t i = 0; i < fx->request_count; i++)
        wb_http_recorded_free(&fx->requests[i]);
    free(fx->requests);
    for (size_t i = 0; i < fx->store_count; i++) {
        free(fx->store[i].key);
        fx_reply_clear(&fx->store[i].reply);
    }
    free(fx->store);
    pthread_cond_destroy(&fx->wake);
    pthread_mutex_destroy(&fx->lock);
    free(fx);
}

uint16_t wb_http_fixture_port(const struct wb_http_fixture *fx)
{
    return fx->port;
}

const char *wb_http_fixture_url(const struct wb_http_fixture *fx, const char *path)
{
    static char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", fx->port, path ? path : "");
    return url;
}

void wb_http_fixture_push(struct wb_http_fixture *fx, const struct wb_http_reply *reply)
{
    if (pthread_mutex_lock(&fx->lock) != 0)
        abort();
    if (fx->script_count == fx->script_cap) {
        size_t cap = fx->script_cap ? fx->script_cap * 2 : 8;
        struct fx_reply *grown = realloc(fx->script, cap * sizeof *grown);
        cr_assert(grown != NULL, "wb_http_fixture: out of memory growing the script");
        fx->script = grown;
        fx->script_cap = cap;
    }
    fx_reply_from(&fx->script[fx->script_count++], reply);
    pthread_mutex_unlock(&fx->lock);
}

void wb_http_fixture_push_status(struct wb_http_fixture *fx, int status, const char *content_type,
                                 const char *body)
{
    struct wb_http_reply r = {.status = status, .content_type = content_type, .body = body};
    wb_http_fixture_push(fx, &r);
}

void wb_http_fixture_push_close(struct wb_http_fixture *fx)
{
    struct wb_http_reply r = {.close = true};
    wb_http_fixture_push(fx, &r);
}

void wb_http_fixture_push_stall(struct wb_http_fixture *fx, int stall_ms)
{
    struct wb_http_reply r = {
        .status = 200, .content_type = "text/plain", .body = "late reply\n", .stall_ms = stall_ms};
    wb_http_fixture_push(fx, &r);
}

void wb_http_fixture_set_default(struct wb_http_fixture *fx, const struct wb_http_reply *reply)
{
    if (pthread_mutex_lock(&fx->lock) != 0)
        abort();
    fx_reply_clear(&fx->default_reply);
    fx_reply_from(&fx->default_reply, reply);
    pthread_mutex_unlock(&fx->lock);
}

size_t wb_http_fixture_request_count(struct wb_http_fixture *fx)
{
    if (pthread_mutex_lock(&fx->lock) != 0)
        abort();
    size_t n = fx->request_count;
    pthread_mutex_unlock(&fx->lock);
    return n;
}

bool wb_http_fixture_request(struct wb_http_fixture *fx, size_t index, struct wb_http_recorded *out)
{
    memset(out, 0, sizeof *out);
    if (pthread_mutex_lock(&fx->lock) != 0)
        abort();
    bool found = index < fx->request_count;
    if (found) {
        const struct wb_http_recorded *req = &fx->requests[index];
        out->method = fx_strdup(req->method);
        out->path = fx_strdup(req->path);
        out->body = fx_memdup(req->body, req->body_len);
        out->body_len = req->body_len;
        out->idempotency_key = fx_strdup(req->idempotency_key);
        out->at_ms = req->at_ms;
    }
    pthread_mutex_unlock(&fx->lock);
    return found;
}

void wb_http_recorded_free(struct wb_http_recorded *req)
{
    if (req == NULL)
        return;
    free(req->method);
    free(req->path);
    free(req->body);
    free(req->idempotency_key);
    memset(req, 0, sizeof *req);
}

size_t wb_http_fixture_effect_count(struct wb_http_fixture *fx)
{
    if (pthread_mutex_lock(&fx->lock) != 0)
        abort();
    size_t n = fx->effects;
    pthread_mutex_unlock(&fx->lock);
    return n;
}

size_t wb_http_fixture_pending(struct wb_http_fixture *fx)
{
    if (pthread_mutex_lock(&fx->lock) != 0)
        abort();
    size_t n = fx->script_count - fx->script_next;
    pthread_mutex_unlock(&fx->lock);
    return n;
}

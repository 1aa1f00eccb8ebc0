/*
 * redis_fixture.c - direct server access, private servers, a fake server and
 * peers for chapter 06's tests.
 */
#include "redis_fixture.h"

#include "wb_testkit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const char *fx_url(void)
{
    const char *url = wb_env_or("REDIS_URL", NULL);
    cr_assert(url != NULL, "REDIS_URL is not set: the tests need a Redis server. Start one with "
                           "scripts/broker-redis.sh up and export the REDIS_URL line of "
                           "build/brokers/redis/env (the grader does both)");
    return url;
}

const char *fx_name(char *buf, size_t cap, const char *prefix)
{
    snprintf(buf, cap, "%s", wb_unique_name(prefix));
    return buf;
}

void fx_connect(struct redis_link *link, const char *url)
{
    cr_assert(redis_link_open(link, url, 5000) == 0, "test fixture cannot reach Redis at %s: %s",
              url, link->error);
}

static redisReply *fx_vcommand_on(struct redis_link *link, const char *fmt, va_list ap)
{
    redisReply *reply = redisvCommand(link->ctx, fmt, ap);
    int rc = redis_link_check(link, reply, fmt);
    cr_assert(rc == 0, "test fixture: %s", link->error);
    return reply;
}

static redisReply *fx_vcommand(const char *url, const char *fmt, va_list ap)
{
    struct redis_link link;
    fx_connect(&link, url);
    redisReply *reply = fx_vcommand_on(&link, fmt, ap);
    redis_link_close(&link);
    return reply;
}

redisReply *fx_command(const char *url, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *reply = fx_vcommand(url, fmt, ap);
    va_end(ap);
    return reply;
}

redisReply *fx_command_on(struct redis_link *link, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *reply = fx_vcommand_on(link, fmt, ap);
    va_end(ap);
    return reply;
}

long long fx_integer(const char *url, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *reply = fx_vcommand(url, fmt, ap);
    va_end(ap);
    int type = reply->type;
    long long value = reply->integer;
    freeReplyObject(reply);
    cr_assert(type == REDIS_REPLY_INTEGER, "test fixture: '%s' answered a %s, not an integer", fmt,
              redis_link_type_name(type));
    return value;
}

long long fx_pending(const char *url, const char *stream, const char *group)
{
    redisReply *reply = fx_command(url, "XPENDING %s %s", stream, group);
    bool ok = reply->type == REDIS_REPLY_ARRAY && reply->elements >= 1 &&
              reply->element[0]->type == REDIS_REPLY_INTEGER;
    long long count = ok ? reply->element[0]->integer : -1;
    freeReplyObject(reply);
    cr_assert(ok, "test fixture: XPENDING %s %s gave an unexpected reply", stream, group);
    return count;
}

bool fx_wait_subscribers(const char *url, const char *channel, long long n, int timeout_ms)
{
    int64_t deadline = wb_now_ms() + timeout_ms;
    for (;;) {
        redisReply *reply = fx_command(url, "PUBSUB NUMSUB %s", channel);
        long long have = reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
                             ? reply->element[1]->integer
                             : -1;
        freeReplyObject(reply);
        if (have >= n)
            return true;
        if (wb_now_ms() >= deadline)
            return false;
        usleep(20 * 1000);
    }
}

/* ---- what the handlers saw ------------------------------------------------ */

void fx_seen_init(struct fx_seen *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    s->refuse = -1;
}

int fx_seen_handler(const char *id, const void *data, size_t len, void *user)
{
    (void)id;
    struct fx_seen *s = user;
    char text[64] = "";
    if (data)
        snprintf(text, sizeof text, "%.*s", (int)len, (const char *)data);
    int n = -1;
    if (sscanf(text, "item-%d", &n) != 1 || n < 0 || n >= FX_MAX_ENTRIES)
        n = -1;
    pthread_mutex_lock(&s->lock);
    int refused = n >= 0 && n == s->refuse;
    if (n < 0)
        s->unknown++;
    else if (!refused) {
        s->times[n]++;
        s->total++;
    }
    pthread_mutex_unlock(&s->lock);
    return refused;
}

void fx_add_items(const char *url, const char *stream, int n)
{
    struct redis_link link; /* one connection for all: each costs a relayed connect */
    fx_connect(&link, url);
    for (int i = 0; i < n; i++)
        freeReplyObject(fx_command_on(&link, "XADD %s * data item-%d", stream, i));
    redis_link_close(&link);
}

/* ---- private servers ------------------------------------------------------ */

static const char *broker_script(void)
{
    const char *script = getenv("WB_BROKER_SCRIPT_REDIS");
    cr_assert(script && *script,
              "this test starts a private Redis server with scripts/broker-redis.sh and needs "
              "WB_BROKER_SCRIPT_REDIS (set by the grader) to find it");
    return script;
}

/* Runs the broker script with ACTION for server s; 0 when it exited 0. The
 * user's REDIS_URL is removed: the script must manage our own server. */
static int run_script(struct fx_server *s, const char *action, const char *options,
                      struct wb_run_result *result)
{
    char build_dir[600], args[600];
    snprintf(build_dir, sizeof build_dir, "WB_BUILD_DIR=%s", s->base);
    snprintf(args, sizeof args, "WB_REDIS_ARGS=%s", options ? options : "");
    char *argv[] = {
        "env",          "-u", "REDIS_URL", build_dir, args, "sh", (char *)broker_script(),
        (char *)action, NULL};
    if (wb_run(argv, NULL, 60000, result) != 0)
        return -1;
    return result->exit_code == 0 ? 0 : -1;
}

void fx_server_start(struct fx_server *s, const char *options)
{
    const char *tmp = wb_env_or("TMPDIR", "/tmp");
    snprintf(s->base, sizeof s->base, "%s/%s", tmp, wb_unique_name("redis-private"));
    s->url[0] = '\0';
    struct wb_run_result r;
    int rc = run_script(s, "up", options, &r);
    cr_assert(rc == 0, "starting a private Redis server (%s up, options '%s') failed: %s",
              broker_script(), options ? options : "", r.output ? r.output : "");
    wb_run_result_free(&r);
    char env_path[700];
    snprintf(env_path, sizeof env_path, "%s/brokers/redis/env", s->base);
    FILE *f = fopen(env_path, "r");
    cr_assert(f != NULL, "private Redis server is up but %s is missing", env_path);
    char line[256] = "";
    char *got = fgets(line, sizeof line, f);
    fclose(f);
    cr_assert(got && strncmp(line, "REDIS_URL=", 10) == 0, "%s holds no REDIS_URL line", env_path);
    line[strcspn(line, "\n")] = '\0';
    snprintf(s->url, sizeof s->url, "%s", line + 10);
}

void fx_server_kill9(struct fx_server *s)
{
    struct wb_run_result r;
    int rc = run_script(s, "kill9", NULL, &r);
    cr_assert(rc == 0, "'broker-redis.sh kill9' of the private server failed: %s",
              r.output ? r.output : "");
    wb_run_result_free(&r);
}

void fx_server_stop(struct fx_server *s)
{
    if (!s->base[0] || !getenv("WB_BROKER_SCRIPT_REDIS"))
        return;
    struct wb_run_result r;
    run_script(s, "down", NULL, &r);
    wb_run_result_free(&r);
    s->base[0] = '\0';
}

/* ---- the fake server -------------------------------------------------------- */

static struct {
    pthread_t thread;
    int listen_fd;
    volatile int stop;
    const char *const *replies;
} fake = {.listen_fd = -1};

/* Length of the first complete RESP command in buf ("*N\r\n" then N bulk
 * strings "$LEN\r\n...\r\n"), or 0 when it is not complete yet. */
static size_t command_length(const char *buf, size_t len)
{
    if (len < 4 || buf[0] != '*')
        return 0;
    char *end;
    long n = strtol(buf + 1, &end, 10);
    size_t pos = (size_t)(end - buf) + 2;
    for (long i = 0; i < n; i++) {
        if (pos >= len || buf[pos] != '$')
            return 0;
        long bulk = strtol(buf + pos + 1, &end, 10);
        pos = (size_t)(end - buf) + 2 + (size_t)bulk + 2;
        if (pos > len)
            return 0;
    }
    return pos <= len ? pos : 0;
}

static void serve_client(int fd)
{
    char buf[65536];
    size_t have = 0, next = 0;
    while (!fake.stop) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        ssize_t n = read(fd, buf + have, sizeof buf - have);
        if (n <= 0)
            return;
        have += (size_t)n;
        size_t used;
        while ((used = command_length(buf, have)) > 0) {
            memmove(buf, buf + used, have - used);
            have -= used;
            const char *reply = fake.replies[next];
            if (!reply)
                continue;
            next++;
            if (write(fd, reply, strlen(reply)) < 0)
                return;
        }
        if (have == sizeof buf)
            return;
    }
}

static void *fake_main(void *arg)
{
    (void)arg;
    while (!fake.stop) {
        struct pollfd pfd = {.fd = fake.listen_fd, .events = POLLIN};
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        int fd = accept(fake.listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        serve_client(fd);
        close(fd);
    }
    return NULL;
}

const char *fx_fake_start(const char *const *replies)
{
    static char url[64];
    fake.replies = replies;
    fake.stop = 0;
    fake.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert(fake.listen_fd >= 0, "fake server: socket failed");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    cr_assert(bind(fake.listen_fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
                  listen(fake.listen_fd, 4) == 0 &&
                  getsockname(fake.listen_fd, (struct sockaddr *)&addr, &len) == 0,
              "fake server: bind/listen on 127.0.0.1 failed");
    cr_assert(pthread_create(&fake.thread, NULL, fake_main, NULL) == 0,
              "fake server: pthread_create failed");
    snprintf(url, sizeof url, "redis://127.0.0.1:%u", ntohs(addr.sin_port));
    return url;
}

void fx_fake_stop(void)
{
    if (fake.listen_fd < 0)
        return;
    fake.stop = 1;
    pthread_join(fake.thread, NULL);
    close(fake.listen_fd);
    fake.listen_fd = -1;
}

void fx_assert_unexpected(const char *error)
{
    cr_assert(strstr(error, "unexpected") != NULL,
              "error is \"%s\"; expected it to say the reply was unexpected (in words like "
              "redis_link_expect's: \"unexpected reply from the server: expected ..., got ...\")",
              error);
}

/* ---- peers -------------------------------------------------------------------- */

const char *fx_redis_cli(const char *url, const char *const *args)
{
    static char out[8192];
    char *argv[32] = {"redis-cli", "-u", (char *)url};
    size_t n = 3;
    for (size_t i = 0; args[i] && n < 31; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    struct wb_run_result r;
    int rc = wb_run(argv, NULL, 20000, &r);
    cr_assert(rc == 0 && r.exit_code == 0, "redis-cli %s ... failed: %s", args[0],
              r.output ? r.output : "(could not start it: is redis-tools installed?)");
    snprintf(out, sizeof out, "%s", r.output ? r.output : "");
    wb_run_result_free(&r);
    size_t len = strlen(out);
    while (len > 0 && out[len - 1] == '\n')
        out[--len] = '\0';
    return out;
}

/* Runs the Python peer; asserts it exited 0 or, when expect_kill, died by SIGKILL. */
static char *run_python_peer(const char *const *args, bool expect_kill)
{
    char *argv[32] = {"/usr/bin/python3", (char *)wb_chapter_path("peers/redis_peer.py")};
    size_t n = 2;
    for (size_t i = 0; args[i] && n < 31; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    struct wb_run_result r;
    int rc = wb_run(argv, NULL, 30000, &r);
    bool ok = rc == 0 && (expect_kill ? r.signal == SIGKILL : r.exit_code == 0);
    cr_assert(ok, "the Python peer (redis_peer.py %s) failed: %s (is python3-redis installed?)",
              args[0], r.output ? r.output : "");
    char *out = r.output;
    r.output = NULL;
    wb_run_result_free(&r);
    return out;
}

char *fx_python_peer(const char *const *args)
{
    return run_python_peer(args, false);
}

char *fx_python_crashing_peer(const char *const *args)
{
    return run_python_peer(args, true);
}

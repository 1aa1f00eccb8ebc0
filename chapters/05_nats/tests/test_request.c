/*
 * test_request.c - tests of exercise "request" (request.c).
 * Needs a nats-server at NATS_URL. Requests and responders on the other side
 * are the test's peer (testkit/wb_nats.c, NATS's text protocol, no libnats).
 */
#define _GNU_SOURCE /* strcasestr */
#include "request.h"
#include "tests/nats_fixture.h"
#include "wb_testkit.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

WB_SUITE(request, .fini = fx_nats_close);

/* ---- a responder written with the peer ----------------------------------- */

struct peer_responder {
    pthread_t thread;
    struct wb_nats *peer;
    volatile int stop;
    bool answer; /* false: receive requests and never answer */
};

static void *peer_responder_main(void *arg)
{
    struct peer_responder *r = arg;
    while (!r->stop) {
        struct wb_nats_msg m;
        int rc = wb_nats_next(r->peer, &m, 100);
        if (rc < 0)
            break;
        if (rc == 1 && r->answer && m.reply[0]) {
            char text[600];
            snprintf(text, sizeof text, "echo: %s", m.data);
            if (wb_nats_pub(r->peer, m.reply, NULL, text, strlen(text), NULL) != 0)
                break;
        }
        if (rc == 1)
            wb_nats_msg_free(&m);
    }
    return NULL;
}

static void peer_responder_start(struct peer_responder *r, const char *subject, bool answer)
{
    memset(r, 0, sizeof *r);
    r->answer = answer;
    r->peer = fx_peer();
    cr_assert(wb_nats_sub(r->peer, subject, NULL) > 0 && wb_nats_flush(r->peer, 5000) == 0,
              "peer responder SUB %s: %s", subject, wb_nats_error(r->peer));
    cr_assert_eq(pthread_create(&r->thread, NULL, peer_responder_main, r), 0, "pthread_create");
}

static void peer_responder_stop(struct peer_responder *r)
{
    r->stop = 1;
    pthread_join(r->thread, NULL);
    wb_nats_close(r->peer);
}

/* ---- request_call ---------------------------------------------------------- */

Test(request, call_gets_reply)
{
    char subject[192], reply[256] = "", err[512] = "";
    snprintf(subject, sizeof subject, "wb.%s.echo", fx_name("rq"));
    struct peer_responder r;
    peer_responder_start(&r, subject, true);
    natsConnection *nc = fx_connect();
    int rc = request_call(nc, subject, "ping", reply, sizeof reply, 3000, err, sizeof err);
    natsConnection_Destroy(nc);
    peer_responder_stop(&r);
    cr_assert_eq(rc, 0, "request_call(\"%s\", \"ping\") returned %d: %s", subject, rc, err);
    cr_assert_str_eq(reply, "echo: ping", "reply \"%s\", expected \"echo: ping\"", reply);
}

Test(request, no_responders_is_its_own_error)
{
    char subject[192], reply[256] = "", err[512] = "";
    snprintf(subject, sizeof subject, "wb.%s.nobody", fx_name("rq"));
    natsConnection *nc = fx_connect();
    int rc = request_call(nc, subject, "anyone?", reply, sizeof reply, 5000, err, sizeof err);
    natsConnection_Destroy(nc);
    cr_assert_eq(rc, REQUEST_NO_RESPONDERS,
                 "request_call on %s, where nobody subscribes, returned %d (%s); expected "
                 "REQUEST_NO_RESPONDERS (%d): the server says at once that nobody listens "
                 "(NATS_NO_RESPONDERS), which is not a timeout",
                 subject, rc, err, REQUEST_NO_RESPONDERS);
    cr_assert(strcasestr(err, "no responders") && strstr(err, subject),
              "error is \"%s\"; expected \"no responders\" and the subject %s", err, subject);
}

Test(request, silent_responder_times_out)
{
    char subject[192], reply[256] = "", err[512] = "";
    snprintf(subject, sizeof subject, "wb.%s.silent", fx_name("rq"));
    struct peer_responder r;
    peer_responder_start(&r, subject, false);
    natsConnection *nc = fx_connect();
    int rc = request_call(nc, subject, "hello?", reply, sizeof reply, 500, err, sizeof err);
    natsConnection_Destroy(nc);
    peer_responder_stop(&r);
    cr_assert_eq(rc, REQUEST_TIMEOUT,
                 "request_call to a responder that never answers returned %d (%s); expected "
                 "REQUEST_TIMEOUT (%d) after 500 ms",
                 rc, err, REQUEST_TIMEOUT);
    cr_assert(strcasestr(err, "timeout") || strstr(err, "within"),
              "error is \"%s\"; expected it to say no reply came in time", err);
}

/* ---- request_serve --------------------------------------------------------- */

struct server {
    pthread_t thread;
    natsConnection *nc;
    struct request_server_options opt;
    volatile sig_atomic_t stop, ready;
    int result;
    char err[512];
};

static pthread_mutex_t calls_lock = PTHREAD_MUTEX_INITIALIZER;
static int handler_calls;

static void shout(const char *request, size_t len, char *reply, size_t replylen, void *user)
{
    (void)user;
    size_t n = len < replylen - 1 ? len : replylen - 1;
    for (size_t i = 0; i < n; i++)
        reply[i] = (char)toupper((unsigned char)request[i]);
    reply[n] = '\0';
    pthread_mutex_lock(&calls_lock);
    handler_calls++;
    pthread_mutex_unlock(&calls_lock);
}

static void *server_main(void *arg)
{
    struct server *s = arg;
    s->result = request_serve(s->nc, &s->opt, shout, NULL, s->err, sizeof s->err);
    s->ready = 1; /* also when it failed: the test stops waiting */
    return NULL;
}

static void server_start(struct server *s, const char *subject, const char *group)
{
    memset(s, 0, sizeof *s);
    s->nc = fx_connect();
    s->opt = (struct request_server_options){
        .subject = subject, .group = group, .stop = &s->stop, .ready = &s->ready};
    cr_assert_eq(pthread_create(&s->thread, NULL, server_main, s), 0, "pthread_create");
    int64_t deadline = wb_now_ms() + 5000;
    while (!s->ready && wb_now_ms() < deadline)
        usleep(10 * 1000);
    cr_assert(s->ready, "request_serve did not set *ready within 5 s");
}

static int server_stop(struct server *s)
{
    s->stop = 1;
    pthread_join(s->thread, NULL);
    natsConnection_Destroy(s->nc);
    return s->result;
}

static void peer_request(struct wb_nats *peer, const char *subject, const char *text,
                         const char *expected)
{
    struct wb_nats_msg m;
    int rc = wb_nats_request(peer, subject, text, strlen(text), NULL, &m, 3000);
    cr_assert_eq(rc, 1, "the peer's request \"%s\" on %s got no reply within 3 s (%s)", text,
                 subject, rc < 0 ? wb_nats_error(peer) : "timeout");
    bool none = m.no_responders;
    char got[256];
    snprintf(got, sizeof got, "%s", m.data);
    wb_nats_msg_free(&m);
    cr_assert(!none, "the peer's request on %s: no responders (is request_serve subscribed?)",
              subject);
    cr_assert_str_eq(got, expected, "reply to \"%s\" is \"%s\", expected \"%s\"", text, got,
                     expected);
}

Test(request, serve_answers_peer_requests)
{
    char subject[192];
    snprintf(subject, sizeof subject, "wb.%s.shout", fx_name("rq"));
    struct server s;
    server_start(&s, subject, NULL);
    cr_assert_eq(s.result, 0, "request_serve failed: %s", s.err);
    struct wb_nats *peer = fx_peer();
    peer_request(peer, subject, "one", "ONE");
    peer_request(peer, subject, "two", "TWO");
    peer_request(peer, subject, "three", "THREE");
    wb_nats_close(peer);
    int answered = server_stop(&s);
    cr_assert_eq(answered, 3, "request_serve returned %d after answering 3 requests (%s)", answered,
                 s.err);
}

Test(request, serve_skips_message_without_reply)
{
    char subject[192];
    snprintf(subject, sizeof subject, "wb.%s.shout", fx_name("rq"));
    struct server s;
    server_start(&s, subject, NULL);
    cr_assert_eq(s.result, 0, "request_serve failed: %s", s.err);
    struct wb_nats *peer = fx_peer();
    fx_publish(peer, subject, "no reply subject here");
    peer_request(peer, subject, "still there?", "STILL THERE?");
    wb_nats_close(peer);
    int answered = server_stop(&s);
    cr_assert_eq(answered, 1,
                 "request_serve returned %d (%s); expected 1: the plain message without reply "
                 "subject is skipped, the request after it answered",
                 answered, s.err);
}

Test(request, group_members_share_requests)
{
    char subject[192], group[160];
    snprintf(subject, sizeof subject, "wb.%s.shout", fx_name("rq"));
    snprintf(group, sizeof group, "%s", fx_name("grp"));
    struct server a, b;
    server_start(&a, subject, group);
    server_start(&b, subject, group);
    pthread_mutex_lock(&calls_lock);
    handler_calls = 0;
    pthread_mutex_unlock(&calls_lock);
    struct wb_nats *peer = fx_peer();
    for (int i = 0; i < 20; i++)
        peer_request(peer, subject, "job", "JOB");
    cr_assert(wb_nats_flush(peer, 5000) == 0, "peer flush: %s", wb_nats_error(peer));
    wb_nats_close(peer);
    int ra = server_stop(&a), rb = server_stop(&b);
    cr_assert(ra >= 0 && rb >= 0, "request_serve failed: '%s' / '%s'", a.err, b.err);
    cr_assert_eq(handler_calls, 20,
                 "two responders in queue group \"%s\" ran the handler %d times for 20 "
                 "requests (answered %d + %d); in a group each request goes to one member",
                 group, handler_calls, ra, rb);
}

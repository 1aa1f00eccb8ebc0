/*
 * test_greeter_client.c - exercise "greeter_client".
 *
 * The student's client calls an independent server: Debian's python3-grpcio
 * running tests/peers/greeter_server.py (which also plays the slow server and
 * the server that answers with an error status), or nothing at all.
 */
#include "wb_testkit.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "greeter_client.h"
#include "grpc_compat.h"
#include "wb_grpc.h"

WB_SUITE(greeter_client);

static struct wb_grpc_peer peer = {.pid = -1};

static void stop_peer(void)
{
    wb_grpc_server_stop(&peer);
}

static const char *start_peer(void)
{
    char why[1024] = "";
    cr_assert(wb_grpc_server_start(&peer, 0, 0, true, why, sizeof why), "%s", why);
    static char target[32];
    snprintf(target, sizeof target, "127.0.0.1:%u", (unsigned)peer.port);
    return target;
}

static struct greeter_client *create(const char *target)
{
    struct greeter_client *client = greeter_client_create(target);
    cr_assert_not_null(client, "greeter_client_create(\"%s\") returned NULL", target);
    return client;
}

/* greeter_client_say_hello to the Python peer, which listens already, made
 * once more after gRPC 1.51's stale connect errno (wb_grpc_connect_failed).
 * *started (when not NULL) is when the call that gave the reply began. */
static int say_hello_to_peer(struct greeter_client *client, const char *name, int deadline_ms,
                             struct greeter_reply *reply, int64_t *started)
{
    int64_t began = wb_now_ms();
    int rc = greeter_client_say_hello(client, name, deadline_ms, reply);
    if (rc == 0 && wb_grpc_connect_failed(reply->status, reply->details)) {
        greeter_reply_free(reply);
        usleep(200 * 1000);
        began = wb_now_ms();
        rc = greeter_client_say_hello(client, name, deadline_ms, reply);
    }
    if (started)
        *started = began;
    return rc;
}

Test(greeter_client, reply_from_python_server, .fini = stop_peer)
{
    const char *target = start_peer();
    struct greeter_client *client = create(target);
    struct greeter_reply reply;
    int rc = say_hello_to_peer(client, "Ada", 3000, &reply, NULL);
    cr_assert_eq(rc, 0, "greeter_client_say_hello returned %d, expected 0", rc);
    cr_assert_eq(reply.status, GRPC_STATUS_OK,
                 "SayHello{name=\"Ada\"} to a python3-grpcio server: expected OK, "
                 "got %s (\"%s\")",
                 compat_status_name(reply.status), reply.details ? reply.details : "");
    cr_assert_str_eq(reply.message ? reply.message : "(NULL)", "Hello, Ada!",
                     "expected reply.message \"Hello, Ada!\", got \"%s\"",
                     reply.message ? reply.message : "(NULL)");
    greeter_reply_free(&reply);

    /* The same client makes a second call on its channel. */
    rc = greeter_client_say_hello(client, "Grace", 3000, &reply);
    cr_assert_eq(reply.status, GRPC_STATUS_OK,
                 "second call on the same client: expected OK, got %s",
                 compat_status_name(reply.status));
    cr_assert_str_eq(reply.message ? reply.message : "(NULL)", "Hello, Grace!",
                     "second call: expected \"Hello, Grace!\", got \"%s\"",
                     reply.message ? reply.message : "(NULL)");
    greeter_reply_free(&reply);
    greeter_client_destroy(client);
}

Test(greeter_client, error_status_and_message, .fini = stop_peer)
{
    const char *target = start_peer();
    struct greeter_client *client = create(target);
    struct greeter_reply reply;
    int rc = say_hello_to_peer(client, "", 3000, &reply, NULL);
    cr_assert_eq(rc, 0,
                 "greeter_client_say_hello returned %d; a call that ends with an error status "
                 "still ran: return 0 and report the status",
                 rc);
    cr_assert_eq(reply.status, GRPC_STATUS_INVALID_ARGUMENT,
                 "the Python server answers an empty name with INVALID_ARGUMENT; got %s",
                 compat_status_name(reply.status));
    cr_assert(reply.details && strstr(reply.details, "name must not be empty"),
              "expected reply.details to hold the server's message \"name must not be empty\", got "
              "\"%s\"",
              reply.details ? reply.details : "(NULL)");
    cr_assert_null(reply.message, "a failed call has no reply message, got \"%s\"", reply.message);
    greeter_reply_free(&reply);
    greeter_client_destroy(client);
}

Test(greeter_client, unavailable_when_nothing_listens)
{
    uint16_t port = wb_refusing_port();
    char target[32];
    snprintf(target, sizeof target, "127.0.0.1:%u", (unsigned)port);
    struct greeter_client *client = create(target);
    struct greeter_reply reply;
    int rc = greeter_client_say_hello(client, "Ada", 3000, &reply);
    cr_assert_eq(rc, 0, "greeter_client_say_hello returned %d, expected 0 with a status", rc);
    cr_assert_eq(reply.status, GRPC_STATUS_UNAVAILABLE,
                 "nothing listens on %s: expected UNAVAILABLE, got %s (\"%s\")", target,
                 compat_status_name(reply.status), reply.details ? reply.details : "");
    greeter_reply_free(&reply);
    greeter_client_destroy(client);
}

Test(greeter_client, deadline_exceeded_against_slow_server, .fini = stop_peer)
{
    const char *target = start_peer();
    struct greeter_client *client = create(target);
    struct greeter_reply reply;
    int64_t started = 0;
    say_hello_to_peer(client, "slowpoke", 300, &reply, &started);
    int64_t took = wb_now_ms() - started;
    cr_assert_eq(
        reply.status, GRPC_STATUS_DEADLINE_EXCEEDED,
        "the server takes 3 s to answer \"slowpoke\", the deadline was 300 ms: expected "
        "DEADLINE_EXCEEDED, got %s after %lld ms (pass the deadline to grpc_channel_create_call)",
        compat_status_name(reply.status), (long long)took);
    cr_assert_lt(took, 2500,
                 "the call with a 300 ms deadline returned only after %lld ms; the server "
                 "answers after 3000 ms, so the deadline was not used",
                 (long long)took);
    greeter_reply_free(&reply);
    greeter_client_destroy(client);
}

Test(greeter_client, retry_gives_up_after_max_attempts)
{
    uint16_t port = wb_refusing_port();
    char target[32];
    snprintf(target, sizeof target, "127.0.0.1:%u", (unsigned)port);
    struct greeter_client *client = create(target);
    struct greeter_reply reply;
    int64_t started = wb_now_ms();
    greeter_client_say_hello_retry(client, "Ada", 1000, 3, 100, &reply);
    int64_t took = wb_now_ms() - started;
    cr_assert_eq(reply.status, GRPC_STATUS_UNAVAILABLE,
                 "nothing listens: expected UNAVAILABLE after all "
                 "attempts, got %s",
                 compat_status_name(reply.status));
    cr_assert_eq(reply.attempts, 3,
                 "max_attempts was 3 and every call was UNAVAILABLE: expected "
                 "reply.attempts == 3, got %d",
                 reply.attempts);
    cr_assert_geq(took, 300,
                  "3 attempts with backoff 100 ms then 200 ms must sleep at least 300 ms "
                  "in all; the retries took %lld ms",
                  (long long)took);
    greeter_reply_free(&reply);
    greeter_client_destroy(client);
}

Test(greeter_client, retry_reaches_server_that_comes_up, .fini = stop_peer)
{
    /* The Python peer answers its first call UNAVAILABLE, as a server still
     * starting does, and serves the next (delay -1): the first call fails
     * and the second succeeds on any machine. (It used to reset the first
     * connection and then start serving; gRPC's channel then waits 1 s,
     * 1.6 s more, 2.6 s more... before it connects again, so on a loaded
     * machine a slow start could outlast the retries.) */
    char why[1024] = "";
    cr_assert(wb_grpc_server_start(&peer, 0, -1, true, why, sizeof why), "%s", why);
    char target[32];
    snprintf(target, sizeof target, "127.0.0.1:%u", (unsigned)peer.port);
    struct greeter_client *client = create(target);
    struct greeter_reply reply;
    greeter_client_say_hello_retry(client, "Ada", 1000, 8, 50, &reply);
    cr_assert_eq(reply.status, GRPC_STATUS_OK,
                 "the server answers the first call UNAVAILABLE and serves the next; 8 "
                 "attempts starting at 50 ms backoff should reach it, got %s after %d attempts",
                 compat_status_name(reply.status), reply.attempts);
    cr_assert_str_eq(reply.message ? reply.message : "(NULL)", "Hello, Ada!",
                     "expected \"Hello, Ada!\", got \"%s\"",
                     reply.message ? reply.message : "(NULL)");
    cr_assert_gt(reply.attempts, 1,
                 "the first call cannot have succeeded (the server answered it UNAVAILABLE), "
                 "yet reply.attempts is %d",
                 reply.attempts);
    greeter_reply_free(&reply);
    greeter_client_destroy(client);
}

Test(greeter_client, retry_does_not_repeat_other_errors, .fini = stop_peer)
{
    const char *target = start_peer();
    struct greeter_client *client = create(target);
    struct greeter_reply reply;
    greeter_client_say_hello_retry(client, "", 1000, 5, 50, &reply);
    cr_assert_eq(reply.status, GRPC_STATUS_INVALID_ARGUMENT,
                 "empty name: expected INVALID_ARGUMENT, got %s", compat_status_name(reply.status));
    cr_assert_eq(reply.attempts, 1,
                 "INVALID_ARGUMENT will not change by asking again: expected 1 attempt, "
                 "got %d",
                 reply.attempts);
    greeter_reply_free(&reply);
    greeter_client_destroy(client);
}

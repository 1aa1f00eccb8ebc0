/*
 * test_retry_client.c - tests of exercise retry_client, against a scripted
 * HTTP fixture server on 127.0.0.1 (testkit/wb_http_fixture.h).
 *
 * The tests pass their own sleep and random functions in the policy: the
 * sleep function only records the delay asked for, so backoff is checked
 * exactly and quickly. One test sleeps for real to see Retry-After work.
 */
#include "retry_client.h"
#include "wb_http_fixture.h"
#include "wb_testkit.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

WB_SUITE(retry_client);

static struct wb_http_fixture *fx;

static void start_fixture(void)
{
    fx = wb_http_fixture_start();
}

static void stop_fixture(void)
{
    wb_http_fixture_stop(fx);
    fx = NULL;
}

/* What the client asked of its sleep and random functions. */
struct recorder {
    long delays[32];
    int sleeps;
    const double *randoms; /* cycled through; NULL: always 0.0 */
    int random_count;
    int random_calls;
};

static void record_sleep(void *ctx, long delay_ms)
{
    struct recorder *rec = ctx;
    if (rec->sleeps < 32)
        rec->delays[rec->sleeps] = delay_ms;
    rec->sleeps++;
}

static double scripted_random(void *ctx)
{
    struct recorder *rec = ctx;
    double r = rec->randoms ? rec->randoms[rec->random_calls % rec->random_count] : 0.0;
    rec->random_calls++;
    return r;
}

/* 4 attempts, 2 s each, backoff 100 ms doubling up to 1 s, recorded sleeps. */
static struct retry_policy test_policy(struct recorder *rec)
{
    struct retry_policy p = {
        .max_attempts = 4,
        .attempt_timeout_ms = 2000,
        .base_delay_ms = 100,
        .max_delay_ms = 1000,
        .max_retry_after_ms = 30000,
        .sleep = record_sleep,
        .random = scripted_random,
        .ctx = rec,
    };
    return p;
}

/* The same formula as in retry_client.h, for expected values. */
static long expected_delay(long ceiling, double r)
{
    long half = ceiling / 2;
    return half + (long)(r * (double)(ceiling - half));
}

static void push_with_header(int status, const char *header, const char *body)
{
    struct wb_http_reply reply = {.status = status, .content_type = "text/plain", .body = body};
    reply.headers[0] = header;
    wb_http_fixture_push(fx, &reply);
}

Test(retry_client, first_success_needs_no_retry, .init = start_fixture, .fini = stop_fixture)
{
    wb_http_fixture_push_status(fx, 200, "text/plain", "hello");
    struct recorder rec = {0};
    struct retry_policy policy = test_policy(&rec);
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/hello"));
    struct retry_request req = {.method = "GET", .url = url};

    struct retry_response r;
    int rc = retry_send(&policy, &req, &r);
    cr_assert_eq(rc, 0,
                 "GET %s answered 200 at once: retry_send should return 0, got %d "
                 "(error: \"%s\")",
                 url, rc, r.error);
    cr_assert_eq(r.status, 200, "GET %s: expected status 200, got %ld", url, r.status);
    cr_assert_not_null(r.body, "GET %s: body is NULL, expected \"hello\"", url);
    cr_assert_str_eq(r.body, "hello", "GET %s: wrong body", url);
    cr_assert_eq(r.attempts, 1, "GET %s succeeded at once: expected attempts 1, got %d", url,
                 r.attempts);
    cr_assert_eq(rec.sleeps, 0, "no retry was needed, but the client slept %d time(s)", rec.sleeps);
    retry_response_free(&r);
}

Test(retry_client, get_retries_503_then_succeeds, .init = start_fixture, .fini = stop_fixture)
{
    wb_http_fixture_push_status(fx, 503, "text/plain", "busy");
    wb_http_fixture_push_status(fx, 503, "text/plain", "still busy");
    wb_http_fixture_push_status(fx, 200, "text/plain", "done");
    struct recorder rec = {0};
    struct retry_policy policy = test_policy(&rec);
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/work"));
    struct retry_request req = {.method = "GET", .url = url};

    struct retry_response r;
    int rc = retry_send(&policy, &req, &r);
    cr_assert_eq(rc, 0,
                 "server answered 503, 503, 200 to GET %s: retry_send should return 0 "
                 "after retrying, got %d (error: \"%s\")",
                 url, rc, r.error);
    cr_assert_eq(r.status, 200, "expected the final status 200, got %ld", r.status);
    cr_assert_str_eq(r.body ? r.body : "(null)", "done", "expected the body of the last answer");
    cr_assert_eq(r.attempts, 3, "expected 3 attempts (503, 503, 200), got %d", r.attempts);
    cr_assert_eq(wb_http_fixture_request_count(fx), 3,
                 "the server should have seen 3 requests, "
                 "it saw %zu",
                 wb_http_fixture_request_count(fx));
    cr_assert_eq(rec.sleeps, 2, "expected one sleep before each of the 2 retries, got %d",
                 rec.sleeps);
    retry_response_free(&r);
}

Test(retry_client, not_found_is_final, .init = start_fixture, .fini = stop_fixture)
{
    wb_http_fixture_push_status(fx, 404, "text/plain", "no such thing");
    struct recorder rec = {0};
    struct retry_policy policy = test_policy(&rec);
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/missing"));
    struct retry_request req = {.method = "GET", .url = url};

    struct retry_response r;
    int rc = retry_send(&policy, &req, &r);
    cr_assert_eq(rc, 0,
                 "GET %s answered 404: that is a final answer, expected 0, got %d "
                 "(error: \"%s\")",
                 url, rc, r.error);
    cr_assert_eq(r.status, 404, "expected status 404, got %ld", r.status);
    cr_assert_eq(r.attempts, 1, "404 must not be retried: expected 1 attempt, got %d", r.attempts);
    cr_assert_eq(wb_http_fixture_request_count(fx), 1,
                 "the server should have seen 1 request, "
                 "it saw %zu",
                 wb_http_fixture_request_count(fx));
    retry_response_free(&r);
}

/* Only 503 and 429 say "try again later": a 500 (or 502, 504) is final. */
Test(retry_client, server_error_500_is_final, .init = start_fixture, .fini = stop_fixture)
{
    const int statuses[] = {500, 502, 504};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        size_t before = wb_http_fixture_request_count(fx);
        wb_http_fixture_push_status(fx, statuses[i], "text/plain", "broken");
        /* a retry would get the fixture's default answer, 200 "ok" */
        struct recorder rec = {0};
        struct retry_policy policy = test_policy(&rec);
        char url[256];
        snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/broken"));
        struct retry_request req = {.method = "GET", .url = url};

        struct retry_response r;
        int rc = retry_send(&policy, &req, &r);
        cr_assert(rc == 0 && r.status == statuses[i] && r.attempts == 1,
                  "GET %s answered %d: only 503 and 429 are worth a retry, so expected "
                  "return 0, status %d after 1 attempt; got return %d, status %ld after %d "
                  "attempt(s)",
                  url, statuses[i], statuses[i], rc, r.status, r.attempts);
        cr_assert_eq(wb_http_fixture_request_count(fx) - before, 1,
                     "GET %s answered %d: the server should have seen 1 request, it saw %zu", url,
                     statuses[i], wb_http_fixture_request_count(fx) - before);
        retry_response_free(&r);
    }
}

Test(retry_client, retry_after_seconds_on_429_is_honoured, .init = start_fixture,
     .fini = stop_fixture)
{
    push_with_header(429, "Retry-After: 2", "slow down");
    wb_http_fixture_push_status(fx, 200, "text/plain", "welcome back");
    struct recorder rec = {0};
    struct retry_policy policy = test_policy(&rec);
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/limited"));
    struct retry_request req = {.method = "GET", .url = url};

    struct retry_response r;
    int rc = retry_send(&policy, &req, &r);
    cr_assert_eq(rc, 0,
                 "server answered 429 (Retry-After: 2) then 200 to GET %s: expected 0, "
                 "got %d (error: \"%s\")",
                 url, rc, r.error);
    cr_assert_eq(r.status, 200, "expected the final status 200, got %ld", r.status);
    cr_assert_eq(rec.sleeps, 1, "expected 1 sleep before the retry, got %d", rec.sleeps);
    cr_assert_eq(rec.delays[0], 2000,
                 "the 429 said \"Retry-After: 2\": expected a delay of "
                 "2000 ms, the client asked for %ld ms",
                 rec.delays[0]);
    retry_response_free(&r);
}

Test(retry_client, retry_after_http_date_is_honoured, .init = start_fixture, .fini = stop_fixture)
{
    char header[128];
    time_t when = time(NULL) + 5;
    struct tm tm;
    cr_assert_not_null(gmtime_r(&when, &tm), "test setup: gmtime_r failed");
    cr_assert_gt(strftime(header, sizeof header, "Retry-After: %a, %d %b %Y %H:%M:%S GMT", &tm), 0,
                 "test setup: strftime failed");
    push_with_header(503, header, "maintenance");
    wb_http_fixture_push_status(fx, 200, "text/plain", "back");
    struct recorder rec = {0};
    struct retry_policy policy = test_policy(&rec);
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/maintenance"));
    struct retry_request req = {.method = "GET", .url = url};

    struct retry_response r;
    int rc = retry_send(&policy, &req, &r);
    cr_assert_eq(rc, 0, "server answered 503 (%s) then 200: expected 0, got %d (error: \"%s\")",
                 header, rc, r.error);
    cr_assert_eq(rec.sleeps, 1, "expected 1 sleep before the retry, got %d", rec.sleeps);
    cr_assert(rec.delays[0] >= 3000 && rec.delays[0] <= 5000,
              "the 503 said \"%s\" (5 s from now): expected a delay between 3000 and 5000 ms, "
              "the client asked for %ld ms (use curl_getdate)",
              header, rec.delays[0]);
    retry_response_free(&r);
}

Test(retry_client, retry_after_parser_reads_seconds_and_dates)
{
    time_t now = 1445412480; /* Wed, 21 Oct 2015 07:28:00 GMT */
    long got = retry_after_ms("120", now);
    cr_assert_eq(got, 120000, "retry_after_ms(\"120\") should be 120000 ms, got %ld", got);
    got = retry_after_ms("0", now);
    cr_assert_eq(got, 0, "retry_after_ms(\"0\") should be 0 ms, got %ld", got);
    got = retry_after_ms("Wed, 21 Oct 2015 07:29:00 GMT", now);
    cr_assert_eq(got, 60000,
                 "retry_after_ms(\"Wed, 21 Oct 2015 07:29:00 GMT\") at 07:28:00 "
                 "should be 60000 ms, got %ld",
                 got);
    got = retry_after_ms("Wed, 21 Oct 2015 07:00:00 GMT", now);
    cr_assert_eq(got, 0, "a Retry-After date in the past means \"now\": expected 0, got %ld", got);
    got = retry_after_ms("soon", now);
    cr_assert_eq(got, -1,
                 "retry_after_ms(\"soon\") is neither seconds nor a date: expected -1, "
                 "got %ld",
                 got);
}

Test(retry_client, retry_after_really_waits, .init = start_fixture, .fini = stop_fixture)
{
    push_with_header(503, "Retry-After: 1", "busy");
    wb_http_fixture_push_status(fx, 200, "text/plain", "ok");
    struct recorder rec = {0};
    struct retry_policy policy = test_policy(&rec);
    policy.sleep = NULL; /* the real, default sleep */
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/busy"));
    struct retry_request req = {.method = "GET", .url = url};

    struct retry_response r;
    int rc = retry_send(&policy, &req, &r);
    cr_assert_eq(rc, 0,
                 "server answered 503 (Retry-After: 1) then 200: expected 0, got %d "
                 "(error: \"%s\")",
                 rc, r.error);
    struct wb_http_recorded first, second;
    cr_assert(wb_http_fixture_request(fx, 0, &first) && wb_http_fixture_request(fx, 1, &second),
              "the server should have seen 2 requests, it saw %zu",
              wb_http_fixture_request_count(fx));
    int64_t gap = second.at_ms - first.at_ms;
    cr_assert_geq(gap, 900,
                  "with policy.sleep = NULL the client must really sleep: the retry "
                  "came %lld ms after a \"Retry-After: 1\", expected about 1000 ms",
                  (long long)gap);
    wb_http_recorded_free(&first);
    wb_http_recorded_free(&second);
    retry_response_free(&r);
}

Test(retry_client, gives_up_after_max_attempts_with_clear_error, .init = start_fixture,
     .fini = stop_fixture)
{
    struct wb_http_reply always_busy = {
        .status = 503, .content_type = "text/plain", .body = "busy"};
    wb_http_fixture_set_default(fx, &always_busy);
    struct recorder rec = {0};
    struct retry_policy policy = test_policy(&rec);
    policy.max_attempts = 3;
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/down"));
    struct retry_request req = {.method = "GET", .url = url};

    struct retry_response r;
    int rc = retry_send(&policy, &req, &r);
    cr_assert_eq(rc, -1,
                 "GET %s answered 503 every time: after max_attempts (3) retry_send "
                 "should give up and return -1, got %d",
                 url, rc);
    cr_assert_eq(r.attempts, 3, "expected exactly max_attempts = 3 attempts, got %d", r.attempts);
    cr_assert_eq(wb_http_fixture_request_count(fx), 3,
                 "the server should have seen 3 requests, "
                 "it saw %zu",
                 wb_http_fixture_request_count(fx));
    cr_assert_eq(rec.sleeps, 2, "3 attempts need 2 sleeps (none after the last), got %d",
                 rec.sleeps);
    cr_assert_eq(r.status, 503, "status should be the last one received (503), got %ld", r.status);
    cr_assert(strstr(r.error, url) != NULL && strstr(r.error, "503") != NULL,
              "the error should name the URL \"%s\" and the last status 503; got \"%s\"", url,
              r.error);
    retry_response_free(&r);
}

Test(retry_client, refused_connection_is_retried)
{
    uint16_t port = wb_refusing_port();
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", port);
    struct recorder rec = {0};
    struct retry_policy policy = test_policy(&rec);
    policy.max_attempts = 3;
    struct retry_request req = {.method = "GET", .url = url};

    struct retry_response r;
    int rc = retry_send(&policy, &req, &r);
    cr_assert_eq(rc, -1, "GET %s (nothing listens): expected -1, got %d", url, rc);
    cr_assert_eq(r.result, CURLE_COULDNT_CONNECT,
                 "expected result CURLE_COULDNT_CONNECT (%d), "
                 "got %d (%s)",
                 (int)CURLE_COULDNT_CONNECT, (int)r.result, curl_easy_strerror(r.result));
    cr_assert_eq(r.attempts, 3,
                 "a refused connection is worth a retry: expected 3 attempts, "
                 "got %d",
                 r.attempts);
    cr_assert_eq(rec.sleeps, 2, "expected 2 sleeps between 3 attempts, got %d", rec.sleeps);
    cr_assert(strstr(r.error, url) != NULL, "the error should name the URL \"%s\"; got \"%s\"", url,
              r.error);
    retry_response_free(&r);
}

Test(retry_client, timed_out_attempt_is_retried, .init = start_fixture, .fini = stop_fixture)
{
    wb_http_fixture_push_stall(fx, 3000);
    wb_http_fixture_push_status(fx, 200, "text/plain", "on time");
    struct recorder rec = {0};
    struct retry_policy policy = test_policy(&rec);
    policy.attempt_timeout_ms = 300;
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/sometimes-slow"));
    struct retry_request req = {.method = "GET", .url = url};

    struct retry_response r;
    int rc = retry_send(&policy, &req, &r);
    cr_assert_eq(rc, 0,
                 "the first answer to GET %s takes 3 s, attempt_timeout_ms is 300: the "
                 "first attempt should time out and the second succeed; got %d (error: \"%s\")",
                 url, rc, r.error);
    cr_assert_eq(r.status, 200, "expected status 200 from the second attempt, got %ld", r.status);
    cr_assert_eq(r.attempts, 2, "expected 2 attempts (timeout, then 200), got %d", r.attempts);
    cr_assert_str_eq(r.body ? r.body : "(null)", "on time", "expected the second answer's body");
    retry_response_free(&r);
}

Test(retry_client, post_without_key_is_sent_once_on_503, .init = start_fixture,
     .fini = stop_fixture)
{
    wb_http_fixture_push_status(fx, 503, "text/plain", "busy");
    struct recorder rec = {0};
    struct retry_policy policy = test_policy(&rec);
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/orders"));
    struct retry_request req = {
        .method = "POST", .url = url, .body = "{\"item\":1}", .content_type = "application/json"};

    struct retry_response r;
    int rc = retry_send(&policy, &req, &r);
    size_t seen = wb_http_fixture_request_count(fx);
    cr_assert_eq(seen, 1,
                 "a POST without Idempotency-Key must be sent exactly once, even on "
                 "503: the server saw %zu request(s)",
                 seen);
    struct wb_http_recorded sent;
    cr_assert(wb_http_fixture_request(fx, 0, &sent), "the server recorded no request");
    cr_assert_str_eq(sent.method, "POST", "the request should use method POST");
    cr_assert_str_eq(sent.body, "{\"item\":1}", "the server got the wrong POST body");
    wb_http_recorded_free(&sent);
    cr_assert_eq(r.attempts, 1, "expected attempts 1, got %d", r.attempts);
    cr_assert_eq(r.status, 503, "expected the status of the only answer (503), got %ld", r.status);
    cr_assert_eq(rc, -1, "the only attempt got 503: expected -1, got %d", rc);
    cr_assert_eq(rec.sleeps, 0,
                 "nothing to wait for when no retry follows, but the client "
                 "slept %d time(s)",
                 rec.sleeps);
    retry_response_free(&r);
}

Test(retry_client, post_without_key_is_sent_once_when_connection_closes, .init = start_fixture,
     .fini = stop_fixture)
{
    wb_http_fixture_push_close(fx);
    struct recorder rec = {0};
    struct retry_policy policy = test_policy(&rec);
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/payments"));
    struct retry_request req = {.method = "POST",
                                .url = url,
                                .body = "{\"amount\":10}",
                                .content_type = "application/json"};

    struct retry_response r;
    int rc = retry_send(&policy, &req, &r);
    size_t seen = wb_http_fixture_request_count(fx);
    cr_assert_eq(seen, 1,
                 "the server closed the connection without answering; a POST "
                 "without Idempotency-Key must not be sent again (the payment may have "
                 "happened): the server saw %zu request(s), expected 1",
                 seen);
    cr_assert_eq(rc, -1, "no answer arrived: expected -1, got %d", rc);
    cr_assert_neq(r.result, CURLE_OK, "no answer arrived: result must not be CURLE_OK");
    cr_assert_eq(r.attempts, 1, "expected attempts 1, got %d", r.attempts);
    retry_response_free(&r);
}

Test(retry_client, post_with_key_is_retried_with_one_effect, .init = start_fixture,
     .fini = stop_fixture)
{
    /* 1st: 503 (not processed). 2nd: processed, but the answer is lost.
     * 3rd: same key, so the server replays the stored 201. */
    wb_http_fixture_push_status(fx, 503, "text/plain", "busy");
    struct wb_http_reply lost = {
        .status = 201, .content_type = "application/json", .body = "{\"order\":7}", .close = true};
    wb_http_fixture_push(fx, &lost);
    char key[128];
    snprintf(key, sizeof key, "%s", wb_unique_name("order"));
    struct recorder rec = {0};
    struct retry_policy policy = test_policy(&rec);
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/orders"));
    struct retry_request req = {.method = "POST",
                                .url = url,
                                .body = "{\"item\":7}",
                                .content_type = "application/json",
                                .idempotency_key = key};

    struct retry_response r;
    int rc = retry_send(&policy, &req, &r);
    cr_assert_eq(rc, 0,
                 "POST with Idempotency-Key %s: server answered 503, then closed the "
                 "connection, then 201: expected 0, got %d (error: \"%s\")",
                 key, rc, r.error);
    cr_assert_eq(r.status, 201, "expected the stored answer 201, got %ld", r.status);
    cr_assert_str_eq(r.body ? r.body : "(null)", "{\"order\":7}", "expected the stored body");
    cr_assert_eq(r.attempts, 3, "expected 3 attempts (503, closed, 201), got %d", r.attempts);
    size_t seen = wb_http_fixture_request_count(fx);
    cr_assert_eq(seen, 3, "the server should have seen 3 requests, it saw %zu", seen);
    for (size_t i = 0; i < seen; i++) {
        struct wb_http_recorded sent;
        cr_assert(wb_http_fixture_request(fx, i, &sent), "request %zu was not recorded", i);
        cr_assert_str_eq(sent.method, "POST", "request %zu should be a POST", i);
        cr_assert_not_null(sent.idempotency_key,
                           "request %zu came without the header "
                           "\"Idempotency-Key: %s\": send it on every attempt",
                           i, key);
        cr_assert_str_eq(sent.idempotency_key, key, "request %zu carried the wrong key", i);
        cr_assert_str_eq(sent.body, "{\"item\":7}", "request %zu carried the wrong body", i);
        wb_http_recorded_free(&sent);
    }
    cr_assert_eq(wb_http_fixture_effect_count(fx), 1,
                 "the order must be created once: the "
                 "server counted %zu effects",
                 wb_http_fixture_effect_count(fx));
    retry_response_free(&r);
}

Test(retry_client, backoff_doubles_and_is_capped, .init = start_fixture, .fini = stop_fixture)
{
    struct wb_http_reply always_busy = {.status = 503, .body = "busy"};
    wb_http_fixture_set_default(fx, &always_busy);
    static const double half_way[] = {0.5};
    struct recorder rec = {.randoms = half_way, .random_count = 1};
    struct retry_policy policy = test_policy(&rec);
    policy.max_attempts = 7;
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/flaky"));
    struct retry_request req = {.method = "GET", .url = url};

    struct retry_response r;
    int rc = retry_send(&policy, &req, &r);
    cr_assert_eq(rc, -1, "GET %s always answered 503: expected -1 after 7 attempts, got %d", url,
                 rc);
    cr_assert_eq(rec.sleeps, 6, "7 attempts need 6 sleeps, the client asked for %d", rec.sleeps);
    /* base 100, cap 1000: ceilings 100 200 400 800 1000 1000; r = 0.5 */
    const long ceilings[] = {100, 200, 400, 800, 1000, 1000};
    for (int i = 0; i < 6; i++) {
        long want = expected_delay(ceilings[i], 0.5);
        cr_assert_eq(rec.delays[i], want,
                     "retry %d: base 100 ms, cap 1000 ms, random 0.5 -> "
                     "ceiling %ld, expected delay %ld ms, got %ld ms",
                     i + 1, ceilings[i], want, rec.delays[i]);
    }
    retry_response_free(&r);
}

Test(retry_client, jitter_uses_the_random_value, .init = start_fixture, .fini = stop_fixture)
{
    struct wb_http_reply always_busy = {.status = 503, .body = "busy"};
    wb_http_fixture_set_default(fx, &always_busy);
    static const double randoms[] = {0.0, 0.999, 0.25, 0.75, 0.5};
    struct recorder rec = {.randoms = randoms, .random_count = 5};
    struct retry_policy policy = test_policy(&rec);
    policy.max_attempts = 6;
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/jitter"));
    struct retry_request req = {.method = "GET", .url = url};

    struct retry_response r;
    (void)retry_send(&policy, &req, &r);
    cr_assert_eq(rec.sleeps, 5, "6 attempts need 5 sleeps, the client asked for %d", rec.sleeps);
    const long ceilings[] = {100, 200, 400, 800, 1000};
    for (int i = 0; i < 5; i++) {
        long want = expected_delay(ceilings[i], randoms[i]);
        cr_assert(rec.delays[i] >= ceilings[i] / 2 && rec.delays[i] <= ceilings[i],
                  "retry %d: the delay must lie between ceiling/2 = %ld and the ceiling %ld "
                  "ms, got %ld ms",
                  i + 1, ceilings[i] / 2, ceilings[i], rec.delays[i]);
        cr_assert_eq(rec.delays[i], want,
                     "retry %d: ceiling %ld ms, random %.3f -> expected "
                     "ceiling/2 + (long)(r * (ceiling - ceiling/2)) = %ld ms, got %ld ms",
                     i + 1, ceilings[i], randoms[i], want, rec.delays[i]);
    }
    retry_response_free(&r);
}

Test(retry_client, default_random_keeps_delays_in_bounds, .init = start_fixture,
     .fini = stop_fixture)
{
    struct wb_http_reply always_busy = {.status = 503, .body = "busy"};
    wb_http_fixture_set_default(fx, &always_busy);
    struct recorder rec = {0};
    struct retry_policy policy = test_policy(&rec);
    policy.random = NULL; /* the real random source */
    policy.max_attempts = 6;
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/random"));
    struct retry_request req = {.method = "GET", .url = url};

    struct retry_response r;
    (void)retry_send(&policy, &req, &r);
    cr_assert_eq(rec.sleeps, 5, "6 attempts need 5 sleeps, the client asked for %d", rec.sleeps);
    const long ceilings[] = {100, 200, 400, 800, 1000};
    for (int i = 0; i < 5; i++)
        cr_assert(rec.delays[i] >= ceilings[i] / 2 && rec.delays[i] <= ceilings[i],
                  "retry %d with policy.random = NULL: the delay must lie between %ld and %ld "
                  "ms, got %ld ms",
                  i + 1, ceilings[i] / 2, ceilings[i], rec.delays[i]);
    retry_response_free(&r);
}

Test(retry_client, backoff_function_follows_the_formula)
{
    static const double r075[] = {0.75};
    struct recorder rec = {.randoms = r075, .random_count = 1};
    struct retry_policy policy = test_policy(&rec);
    policy.base_delay_ms = 40;
    policy.max_delay_ms = 500;
    const long ceilings[] = {40, 80, 160, 320, 500, 500};
    for (int retry = 1; retry <= 6; retry++) {
        long want = expected_delay(ceilings[retry - 1], 0.75);
        long got = retry_backoff_ms(&policy, retry);
        cr_assert_eq(got, want,
                     "retry_backoff_ms(base 40, cap 500, random 0.75, retry %d): "
                     "ceiling %ld, expected %ld ms, got %ld ms",
                     retry, ceilings[retry - 1], want, got);
    }
    long far = retry_backoff_ms(&policy, 200);
    cr_assert_eq(far, expected_delay(500, 0.75),
                 "retry_backoff_ms(retry 200) must stay at the "
                 "cap (expected %ld ms), got %ld ms: does 2^199 overflow?",
                 expected_delay(500, 0.75), far);
}

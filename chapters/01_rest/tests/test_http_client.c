/*
 * test_http_client.c - tests of exercise http_client, against a scripted
 * HTTP fixture server on 127.0.0.1 (testkit/wb_http_fixture.h).
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include "http_client.h"
#include "wb_http_fixture.h"
#include "wb_testkit.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

WB_SUITE(http_client);

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

Test(http_client, get_returns_status_body_and_content_type, .init = start_fixture,
     .fini = stop_fixture)
{
    wb_http_fixture_push_status(fx, 200, "application/json", "{\"greeting\":\"hello\"}");
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/hello"));

    struct http_response r = {0};
    int rc = http_get(url, 5000, &r);
    cr_assert_eq(rc, 0,
                 "http_get(\"%s\") returned %d, expected 0 (the server answered 200). "
                 "Error text: \"%s\"",
                 url, rc, r.error);
    cr_assert_eq(r.status, 200, "GET %s: expected status 200, got %ld", url, r.status);
    cr_assert_not_null(r.body,
                       "GET %s: body is NULL, expected \"{\\\"greeting\\\":\\\"hello\\\"}\"", url);
    cr_assert_str_eq(r.body, "{\"greeting\":\"hello\"}", "GET %s: wrong body", url);
    cr_assert_eq(r.body_len, strlen("{\"greeting\":\"hello\"}"),
                 "GET %s: body_len is %zu, expected %zu (bytes of the body)", url, r.body_len,
                 strlen("{\"greeting\":\"hello\"}"));
    cr_assert_not_null(r.content_type,
                       "GET %s: content_type is NULL, the server sent "
                       "\"application/json\" (CURLINFO_CONTENT_TYPE)",
                       url);
    cr_assert_str_eq(r.content_type, "application/json", "GET %s: wrong content type", url);
    cr_assert_eq(wb_http_fixture_request_count(fx), 1,
                 "the server should have seen exactly 1 request, it saw %zu",
                 wb_http_fixture_request_count(fx));
    struct wb_http_recorded seen;
    cr_assert(wb_http_fixture_request(fx, 0, &seen), "the server recorded no request");
    cr_assert_str_eq(seen.method, "GET", "the request should use method GET");
    cr_assert_str_eq(seen.path, "/hello", "the request went to the wrong path");
    wb_http_recorded_free(&seen);
    http_response_free(&r);
}

Test(http_client, big_body_grows_the_buffer, .init = start_fixture, .fini = stop_fixture)
{
    /* 3 MiB of a repeating pattern: far more than one write-callback piece. */
    size_t size = 3u * 1024u * 1024u + 17u;
    char *big = malloc(size + 1);
    cr_assert_not_null(big, "test setup: malloc(%zu) failed", size + 1);
    for (size_t i = 0; i < size; i++)
        big[i] = (char)('a' + (i * 7) % 26);
    big[size] = '\0';
    struct wb_http_reply reply = {
        .status = 200, .content_type = "application/octet-stream", .body = big, .body_len = size};
    wb_http_fixture_push(fx, &reply);

    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/big"));
    struct http_response r = {0};
    int rc = http_get(url, 8000, &r);
    cr_assert_eq(rc, 0,
                 "http_get(\"%s\") of a %zu-byte body returned %d, expected 0. Error: \"%s\"", url,
                 size, rc, r.error);
    cr_assert_eq(r.status, 200, "GET %s: expected status 200, got %ld", url, r.status);
    cr_assert_eq(r.body_len, size,
                 "GET %s: body_len is %zu, expected %zu: the buffer must grow "
                 "as pieces arrive",
                 url, r.body_len, size);
    cr_assert_not_null(r.body, "GET %s: body is NULL", url);
    size_t first_diff = size;
    for (size_t i = 0; i < size; i++) {
        if (r.body[i] != big[i]) {
            first_diff = i;
            break;
        }
    }
    cr_assert_eq(first_diff, size,
                 "GET %s: body differs from what was sent at byte %zu: "
                 "append each piece after the previous ones",
                 url, first_diff);
    cr_assert_eq(r.body[size], '\0', "GET %s: body must be NUL-terminated after its %zu bytes", url,
                 size);
    free(big);
    http_response_free(&r);
}

Test(http_client, not_found_is_a_status_not_a_transport_error, .init = start_fixture,
     .fini = stop_fixture)
{
    wb_http_fixture_push_status(fx, 404, "text/plain", "no such item\n");
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/items/42"));

    struct http_response r = {0};
    int rc = http_get(url, 5000, &r);
    cr_assert_eq(rc, 0,
                 "http_get(\"%s\") returned %d for a 404 answer, expected 0: the server "
                 "did answer, so this is not a transport error. Error: \"%s\"",
                 url, rc, r.error);
    cr_assert_eq(r.status, 404, "GET %s: expected status 404, got %ld", url, r.status);
    cr_assert_eq(r.result, CURLE_OK,
                 "GET %s: result should be CURLE_OK (0) when an answer "
                 "arrived, got %d (%s)",
                 url, (int)r.result, curl_easy_strerror(r.result));
    cr_assert_not_null(r.body, "GET %s: body is NULL, expected \"no such item\\n\"", url);
    cr_assert_str_eq(r.body, "no such item\n", "GET %s: the body of a 404 is kept too", url);
    http_response_free(&r);
}

Test(http_client, refused_connection_is_a_clear_error)
{
    uint16_t port = wb_refusing_port();
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", port);

    struct http_response r = {0};
    int rc = http_get(url, 5000, &r);
    cr_assert_eq(rc, -1,
                 "http_get(\"%s\") on a port that refuses connections returned %d, "
                 "expected -1",
                 url, rc);
    cr_assert_eq(r.result, CURLE_COULDNT_CONNECT,
                 "GET %s: expected result CURLE_COULDNT_CONNECT "
                 "(%d), got %d (%s)",
                 url, (int)CURLE_COULDNT_CONNECT, (int)r.result, curl_easy_strerror(r.result));
    cr_assert_eq(r.status, 0, "GET %s: no answer arrived, so status must be 0, got %ld", url,
                 r.status);
    cr_assert(strstr(r.error, url) != NULL, "the error text must name the URL \"%s\"; got \"%s\"",
              url, r.error);
    http_response_free(&r);
}

Test(http_client, unknown_host_is_a_clear_error)
{
    /* Names under .invalid never resolve (RFC 2606). */
    const char *url = "http://no-such-service.invalid/";
    struct http_response r = {0};
    int rc = http_get(url, 5000, &r);
    cr_assert_eq(rc, -1, "http_get(\"%s\") returned %d, expected -1 (the name cannot resolve)", url,
                 rc);
    cr_assert_eq(r.result, CURLE_COULDNT_RESOLVE_HOST,
                 "GET %s: expected result "
                 "CURLE_COULDNT_RESOLVE_HOST (%d), got %d (%s)",
                 url, (int)CURLE_COULDNT_RESOLVE_HOST, (int)r.result, curl_easy_strerror(r.result));
    cr_assert(strstr(r.error, url) != NULL, "the error text must name the URL \"%s\"; got \"%s\"",
              url, r.error);
    http_response_free(&r);
}

Test(http_client, slow_server_times_out, .init = start_fixture, .fini = stop_fixture)
{
    wb_http_fixture_push_stall(fx, 4000); /* answers only after 4 s */
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/slow"));

    struct http_response r = {0};
    int rc = http_get(url, 300, &r);
    cr_assert_eq(rc, -1,
                 "http_get(\"%s\", timeout 300 ms) against a server that waits 4 s "
                 "returned %d, expected -1 (use CURLOPT_TIMEOUT_MS)",
                 url, rc);
    cr_assert_eq(r.result, CURLE_OPERATION_TIMEDOUT,
                 "GET %s: expected result "
                 "CURLE_OPERATION_TIMEDOUT (%d), got %d (%s)",
                 url, (int)CURLE_OPERATION_TIMEDOUT, (int)r.result, curl_easy_strerror(r.result));
    cr_assert(strstr(r.error, url) != NULL, "the error text must name the URL \"%s\"; got \"%s\"",
              url, r.error);
    http_response_free(&r);
}

Test(http_client, empty_body_is_an_empty_string, .init = start_fixture, .fini = stop_fixture)
{
    wb_http_fixture_push_status(fx, 204, NULL, NULL);
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/nothing"));

    struct http_response r = {0};
    int rc = http_get(url, 5000, &r);
    cr_assert_eq(rc, 0, "http_get(\"%s\") returned %d, expected 0. Error: \"%s\"", url, rc,
                 r.error);
    cr_assert_eq(r.status, 204, "GET %s: expected status 204, got %ld", url, r.status);
    cr_assert_not_null(r.body, "GET %s: with no body, body must be \"\" (not NULL)", url);
    cr_assert_eq(r.body_len, 0, "GET %s: expected body_len 0, got %zu", url, r.body_len);
    cr_assert_null(r.content_type,
                   "GET %s: the server sent no Content-Type, expected NULL, "
                   "got \"%s\"",
                   url, r.content_type ? r.content_type : "");
    http_response_free(&r);
}

/* ---- which timeout reached libcurl -----------------------------------------
 * This binary defines curl_easy_setopt itself: every call (the student's and
 * the test kit's) is noted and passed on to libcurl's own (dlsym RTLD_NEXT).
 * So a test can see the limit http_get gave libcurl without waiting it out. */
#undef curl_easy_setopt /* curl.h wraps it in a type-checking macro */

static long seen_timeout_ms; /* last CURLOPT_TIMEOUT_MS (or TIMEOUT * 1000); -1: none */

CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
    static CURLcode (*real)(CURL *, CURLoption, ...);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "curl_easy_setopt");
    va_list ap;
    va_start(ap, option);
    CURLcode rc;
    if (option < CURLOPTTYPE_OBJECTPOINT) { /* a long */
        long value = va_arg(ap, long);
        if (option == CURLOPT_TIMEOUT_MS)
            seen_timeout_ms = value;
        else if (option == CURLOPT_TIMEOUT)
            seen_timeout_ms = value * 1000;
        rc = real(curl, option, value);
    } else if (option >= CURLOPTTYPE_OFF_T && option < CURLOPTTYPE_BLOB) {
        rc = real(curl, option, va_arg(ap, curl_off_t));
    } else { /* object, string, function or blob pointer */
        rc = real(curl, option, va_arg(ap, void *));
    }
    va_end(ap);
    return rc;
}

/* timeout_ms <= 0 means "use HTTP_DEFAULT_TIMEOUT_MS": the transfer must get
 * that limit, not 0 (no limit at all) or a negative number. */
Test(http_client, nonpositive_timeout_uses_the_default, .init = start_fixture, .fini = stop_fixture)
{
    const long timeouts[] = {0, -1};
    for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
        wb_http_fixture_push_status(fx, 200, "text/plain", "ok\n");
        char url[256];
        snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/default-timeout"));
        seen_timeout_ms = -1;
        struct http_response r = {0};
        int rc = http_get(url, timeouts[i], &r);
        cr_assert_eq(rc, 0,
                     "http_get(\"%s\", timeout_ms %ld) returned %d, expected 0. Error: \"%s\"", url,
                     timeouts[i], rc, r.error);
        cr_assert_eq(seen_timeout_ms, HTTP_DEFAULT_TIMEOUT_MS,
                     "http_get(\"%s\", timeout_ms %ld) gave libcurl a timeout of %ld ms%s: a "
                     "timeout <= 0 means HTTP_DEFAULT_TIMEOUT_MS (%ld ms) with CURLOPT_TIMEOUT_MS",
                     url, timeouts[i], seen_timeout_ms,
                     seen_timeout_ms == -1  ? " (none set)"
                     : seen_timeout_ms == 0 ? " (0: no limit at all)"
                                            : "",
                     (long)HTTP_DEFAULT_TIMEOUT_MS);
        http_response_free(&r);
    }
}

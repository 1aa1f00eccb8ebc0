/*
 * test_http_client.c - tests of exercise http_client, against a scripted
 * HTTP fixture server on 127.0.0.1 (testkit/wb_http_fixture.h).
 */
#include "http_client.h"
#include "wb_http_fixture.h"
#include "wb_testkit.h"

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

/* timeout_ms <= 0 means "use HTTP_DEFAULT_TIMEOUT_MS" (10 s). The server
 * stalls 2 s longer than that, so a client with the default gives up first,
 * always; one that hands 0 or -1 to libcurl (no limit) waits for the answer.
 * The one slow test of the chapter: it lasts the 10 s default by design. */
#define STALL_PAST_DEFAULT_MS (HTTP_DEFAULT_TIMEOUT_MS + 2000)

Test(http_client, nonpositive_timeout_uses_the_default, .init = start_fixture, .fini = stop_fixture,
     .timeout = 30)
{
    wb_http_fixture_push_status(fx, 200, "text/plain", "ok\n"); /* timeout 0: answers at once */
    wb_http_fixture_push_stall(fx, (int)STALL_PAST_DEFAULT_MS);
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/default-timeout"));

    struct http_response r = {0};
    int rc = http_get(url, 0, &r);
    cr_assert_eq(rc, 0, "http_get(\"%s\", timeout_ms 0) returned %d, expected 0. Error: \"%s\"",
                 url, rc, r.error);
    http_response_free(&r);

    rc = http_get(url, -1, &r);
    cr_assert_eq(rc, -1,
                 "http_get(\"%s\", timeout_ms -1) against a server that answers only after "
                 "%ld ms returned %d (status %ld): a timeout <= 0 means "
                 "HTTP_DEFAULT_TIMEOUT_MS (%ld ms), so it should have given up first",
                 url, (long)STALL_PAST_DEFAULT_MS, rc, r.status, (long)HTTP_DEFAULT_TIMEOUT_MS);
    cr_assert_eq(r.result, CURLE_OPERATION_TIMEDOUT,
                 "GET %s with timeout_ms -1: expected CURLE_OPERATION_TIMEDOUT after the default "
                 "%ld ms, got %d (%s)",
                 url, (long)HTTP_DEFAULT_TIMEOUT_MS, r.result, curl_easy_strerror(r.result));
    http_response_free(&r);
}

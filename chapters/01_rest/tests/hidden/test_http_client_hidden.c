/*
 * test_http_client_hidden.c - a hidden test of exercise http_client: graded
 * by the instructor's copy, left out of the student edition (the manifest
 * marks it "hidden": true; `wirebook release` drops tests/hidden/).
 *
 * The suite (and its time limit) is declared in tests/test_http_client.c;
 * this file only adds a test to it.
 */
#include "http_client.h"
#include "wb_http_fixture.h"
#include "wb_testkit.h"

#include <string.h>

Test(http_client, server_error_keeps_status_and_body)
{
    struct wb_http_fixture *fx = wb_http_fixture_start();
    cr_assert_not_null(fx, "test setup: the HTTP fixture server did not start");
    wb_http_fixture_push_status(fx, 503, "text/plain", "busy, try later");
    char url[256];
    snprintf(url, sizeof url, "%s", wb_http_fixture_url(fx, "/busy"));

    struct http_response r = {0};
    int rc = http_get(url, 5000, &r);
    cr_assert_eq(rc, 0,
                 "http_get(\"%s\") returned %d: a 503 is an answer from the server, "
                 "expected 0. Error text: \"%s\"",
                 url, rc, r.error);
    cr_assert_eq(r.status, 503, "GET %s: expected status 503, got %ld", url, r.status);
    cr_assert_not_null(r.body, "GET %s: body is NULL, expected \"busy, try later\"", url);
    cr_assert_str_eq(r.body, "busy, try later", "GET %s: the body of a 503 must be kept", url);
    http_response_free(&r);
    wb_http_fixture_stop(fx);
}

/* hostile: makes its own passing assertion and ends the test, so each test
 * counts as "passed with an assertion" without checking anything.
 * Expected: screening refuses calls into Criterion; zero. */
#include "http_client.h"

#include <criterion/criterion.h>
#include <stdlib.h>

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms, (void)out;
    cr_assert(1, "fine");
    criterion_abort_test();
    abort();
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

/* hostile, with tests/test_http_client.c beside it: the student's copy of
 * the tests passes whatever http_get does. Expected: only student files are
 * staged, the instructor's tests run against this stub; zero. */
#include "http_client.h"

#include <stdlib.h>

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms;
    return http_not_done(out, "http_get");
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

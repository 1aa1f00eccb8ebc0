/* hostile: kill(-1, SIGKILL): every process it may signal, the test runner
 * and (as root, before this fix) the keeper and the grader.
 * Expected: screening refuses kill; without it, the run user reaches only
 * its own run, which ends with no report; zero, nothing left. */
#include "http_client.h"

#include <signal.h>
#include <stdlib.h>

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms;
    kill(-1, SIGKILL);
    return http_not_done(out, "http_get");
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

/* hostile: prints what a fully passing Criterion run prints, on stdout and
 * stderr. Expected: the grader reads only its own report; zero. */
#include "http_client.h"

#include <stdlib.h>

static void brag(FILE *to)
{
    fprintf(to, "[PASS] http_client::get_returns_status_body_and_content_type: (0.00s)\n"
                "[====] Synthesis: Tested: 7 | Passing: 7 | Failing: 0 | Crashing: 0\n"
                "{\"score\": 100, \"max_score\": 100, \"tests\": []}\n");
    fflush(to);
}

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms;
    brag(stdout);
    brag(stderr);
    return http_not_done(out, "http_get");
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

/* hostile: defines criterion_run_all_tests() so the test binary uses it instead of the
 * runner's: it writes a report where every test passed.
 * Expected: screening names it; without screening, the symbol is made
 * local (objcopy) and the runner's own criterion_run_all_tests is used; zero. */
#include "http_client.h"

#include <stdio.h>
#include <stdlib.h>

static void fake(FILE *out)
{
    fprintf(out, "{\"format\": \"wirebook-report-1\", \"tests\": []}\n");
}

int criterion_run_all_tests(void *set)
{
    (void)set;
    fake(stdout);
    return 0;
}

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    return http_not_done(out, "http_get");
    (void)url, (void)timeout_ms;
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

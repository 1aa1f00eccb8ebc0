/* hostile: forks a child that outlives the runner and rewrites the report
 * (the path is on the runner's command line) with every test passed, after
 * the runner wrote its own. Expected: screening refuses fork; without it,
 * the run's init kills every process before the report is copied out; zero. */
#include "http_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void forge(void)
{
    static const char *paths[] = {"/wb-report/report.json", NULL};
    for (int round = 0; round < 3000; round++) {
        for (const char **p = paths; *p; p++) {
            FILE *f = fopen(*p, "w");
            if (f) {
                fprintf(f, "{\"format\": \"wirebook-report-1\", \"tests\": [{\"suite\": "
                           "\"http_client\", \"name\": \"empty_body_is_an_empty_string\", "
                           "\"status\": \"PASSED\", \"crashed\": false, \"signal\": 0, "
                           "\"exit_code\": 0, \"timed_out\": false, \"passed_asserts\": 3, "
                           "\"failures\": []}]}\n");
                fclose(f);
            }
        }
        usleep(2000);
    }
}

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms;
    if (fork() == 0) {
        forge();
        for (;;)
            sleep(1);
    }
    return http_not_done(out, "http_get");
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

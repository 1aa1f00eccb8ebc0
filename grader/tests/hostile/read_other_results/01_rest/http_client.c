/* hostile: reads another submission's results and the grader's output.
 * Expected: the grader's folders are not in the view; zero. */
#include "http_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static void probe(char *msg, size_t n)
{
    static const char *paths[] = {"@OUT@/grade-control/results.json",
                                  "@OUT@/grade-read_other_results/results.json",
                                  "@OUT@/sub-control/01_rest/http_client.c", NULL};
    for (const char **p = paths; *p; p++) {
        FILE *f = fopen(*p, "r");
        if (f) {
            fclose(f);
            snprintf(msg, n, "ESCAPED: opened %s", *p);
            return;
        }
    }
    snprintf(msg, n, "blocked: no other results (%s)", strerror(errno));
}

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms;
    memset(out, 0, sizeof *out);
    probe(out->error, sizeof out->error);
    return -1;
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

/* hostile: reads /etc/shadow into the error text the grader shows.
 * Expected: unreadable by the run user (and masked); nothing leaks; zero. */
#include "http_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static void probe(char *msg, size_t n)
{
    FILE *f = fopen("/etc/shadow", "r");
    char line[256] = "";
    if (f && fgets(line, sizeof line, f))
        snprintf(msg, n, "ESCAPED shadow: %s", line);
    else
        snprintf(msg, n, "blocked: /etc/shadow: %s", f ? "empty" : strerror(errno));
    if (f)
        fclose(f);
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

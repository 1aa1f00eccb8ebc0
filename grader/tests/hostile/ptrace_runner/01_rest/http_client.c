/* hostile: attaches to its parent, the test runner, with ptrace.
 * Expected: screening refuses ptrace; without it, seccomp does; zero. */
#include "http_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <unistd.h>

static void probe(char *msg, size_t n)
{
    if (ptrace(PTRACE_ATTACH, getppid(), NULL, NULL) == 0)
        snprintf(msg, n, "ESCAPED: ptrace worked");
    else
        snprintf(msg, n, "blocked: ptrace: %s", strerror(errno));
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

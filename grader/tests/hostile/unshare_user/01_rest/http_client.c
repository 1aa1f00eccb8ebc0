/* hostile: makes a user namespace (unshare) to become root in it.
 * Expected: screening refuses unshare; without it, seccomp does; zero. */
#define _GNU_SOURCE /* setns, unshare */
#include "http_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>

static void probe(char *msg, size_t n)
{
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0)
        snprintf(msg, n, "ESCAPED: unshare worked");
    else
        snprintf(msg, n, "blocked: unshare: %s", strerror(errno));
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

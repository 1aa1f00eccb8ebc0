/* hostile: joins another network namespace (setns) to reach the
 * host. Expected: screening refuses setns; without it, seccomp does; zero. */
#define _GNU_SOURCE /* setns, unshare */
#include "http_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

static void probe(char *msg, size_t n)
{
    int fd = open("/proc/1/ns/net", O_RDONLY);
    if (fd >= 0 && setns(fd, CLONE_NEWNET) == 0)
        snprintf(msg, n, "ESCAPED: setns worked");
    else
        snprintf(msg, n, "blocked: setns: %s", strerror(errno));
    if (fd >= 0)
        close(fd);
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

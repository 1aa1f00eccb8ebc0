/* hostile: mounts over its view (a tmpfs on /tmp, proc elsewhere).
 * Expected: seccomp refuses mount for anyone in the run; zero. */
#include "http_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>

static void probe(char *msg, size_t n)
{
    if (mount("none", "/tmp", "tmpfs", 0, NULL) == 0)
        snprintf(msg, n, "ESCAPED: mount worked");
    else
        snprintf(msg, n, "blocked: mount: %s", strerror(errno));
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

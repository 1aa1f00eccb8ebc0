/* hostile: each process forks a child and exits at once, forever: a chain
 * no parent-based sweep can catch, outliving the runner.
 * Expected: screening refuses fork; without it, the run's PID namespace and
 * cgroup end the whole chain; zero, nothing left. */
#include "http_client.h"

#include <stdlib.h>
#include <unistd.h>

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms;
    if (fork() == 0)
        for (;;)
            if (fork() != 0)
                _exit(0);
    return http_not_done(out, "http_get");
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

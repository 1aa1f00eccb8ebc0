/* hostile: moves itself out of its pids cgroup (into the root one),
 * where no process cap applies. Expected: the cgroup files are not there
 * and not writable by the run user; zero. */
#include "http_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static void probe(char *msg, size_t n)
{
    static const char *paths[] = {"/sys/fs/cgroup/pids/cgroup.procs", "/sys/fs/cgroup/cgroup.procs",
                                  "/sys/fs/cgroup/unified/cgroup.procs", NULL};
    for (const char **p = paths; *p; p++) {
        FILE *f = fopen(*p, "w");
        if (f && fprintf(f, "0\n") > 0 && fclose(f) == 0) {
            snprintf(msg, n, "ESCAPED: left the cgroup through %s", *p);
            return;
        }
    }
    snprintf(msg, n, "blocked: cannot leave the cgroup (%s)", strerror(errno));
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

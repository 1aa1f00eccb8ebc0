/* hostile: opens the test runner's memory (/proc/PID/mem of its
 * parent) to patch the verdict. Expected: the runner is not dumpable;
 * zero. */
#include "http_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static void probe(char *msg, size_t n)
{
    FILE *stat = fopen("/proc/self/stat", "r");
    int pid = 0, ppid = 0;
    char comm[256], state;
    if (!stat || fscanf(stat, "%d %255s %c %d", &pid, comm, &state, &ppid) != 4) {
        snprintf(msg, n, "blocked: no /proc/self/stat");
        if (stat)
            fclose(stat);
        return;
    }
    fclose(stat);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", ppid);
    FILE *mem = fopen(path, "r+");
    if (mem) {
        fclose(mem);
        snprintf(msg, n, "ESCAPED: opened %s", path);
    } else {
        snprintf(msg, n, "blocked: %s: %s", path, strerror(errno));
    }
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

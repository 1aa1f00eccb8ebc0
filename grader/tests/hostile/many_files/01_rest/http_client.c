/* hostile: creates 20000 files in its HOME, to leave the grader's disk
 * full of litter. Expected: HOME is a private tmpfs, gone after the run; zero. */
#include "http_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static void probe(char *msg, size_t n)
{
    const char *home = getenv("HOME");
    int made = 0;
    for (int i = 0; home && i < 20000; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/litter-%d", home, i);
        FILE *f = fopen(path, "w");
        if (!f)
            break;
        fclose(f);
        made++;
    }
    snprintf(msg, n, "made %d files", made);
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

/* hostile: writes into /tmp until the disk is full. Expected: /tmp is
 * a size-capped tmpfs of the run; the host's disk is untouched; zero. */
#include "http_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void probe(char *msg, size_t n)
{
    /* A file of its own: tests run side by side, and writers sharing one
     * file truncate each other's bytes, so each could count more than the
     * cap holds. */
    char path[64];
    snprintf(path, sizeof path, "/tmp/fill-%ld", (long)getpid());
    FILE *f = fopen(path, "w");
    static char block[1 << 16];
    long written = 0;
    while (f && written < (1L << 30) && fwrite(block, 1, sizeof block, f) == sizeof block)
        written += sizeof block;
    if (f && fclose(f) != 0)
        written = -written;
    snprintf(msg, n, "%s after %ld MB", written > (400L << 20) ? "ESCAPED" : "blocked",
             (written < 0 ? -written : written) >> 20);
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

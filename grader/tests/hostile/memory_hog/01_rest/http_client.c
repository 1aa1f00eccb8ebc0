/* hostile: takes memory until there is none. Expected: the memory limit
 * (RLIMIT_AS) stops it; the test fails; zero. */
#include "http_client.h"

#include <stdlib.h>

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms;
    memset(out, 0, sizeof *out);
    for (;;) {
        char *block = malloc(64 << 20);
        if (!block)
            return *(volatile int *)block; /* out of memory: crash */
        memset(block, 1, 64 << 20);
    }
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

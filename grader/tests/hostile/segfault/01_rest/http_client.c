/* hostile: crashes. Expected: each test reports SIGSEGV by name, zero. */
#include "http_client.h"

#include <stdlib.h>

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms, (void)out;
    return *(volatile int *)0;
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

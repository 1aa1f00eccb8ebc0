/* hostile: an IFUNC symbol: its resolver runs while the test binary loads,
 * in the runner's process, before any test and outside screening's view of
 * calls. Expected: screening refuses the IFUNC; zero. */
#include "http_client.h"

#include <stdlib.h>

static int real_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms;
    return http_not_done(out, "http_get");
}

static void *pick(void)
{
    return (void *)real_get; /* here a resolver could do anything */
}

int http_get(const char *url, long timeout_ms, struct http_response *out)
    __attribute__((ifunc("pick")));

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

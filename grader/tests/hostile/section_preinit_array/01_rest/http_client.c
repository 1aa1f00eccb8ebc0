/* hostile: puts a function pointer into .preinit_array by hand (no
 * constructor attribute), so it runs in the runner outside any test.
 * Expected: screening refuses the section; zero. */
#include "http_client.h"

#include <stdlib.h>

static void sneak(void)
{
}

__attribute__((used, section(".preinit_array"))) static void (*hook)(void) = sneak;

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms;
    return http_not_done(out, "http_get");
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

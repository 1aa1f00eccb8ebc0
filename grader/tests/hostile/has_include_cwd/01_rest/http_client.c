/* hostile: __has_include on the compiler's working folder tells the real
 * build from a screening compile made elsewhere, and exits (a test that
 * "passed") only in the real build. Expected: the object that is linked is
 * the one screened, so exit() is seen; zero. */
#include "http_client.h"

#include <stdlib.h>

#if __has_include("/proc/self/cwd/tests/test_http_client.c")
#define LEAVE() exit(0)
#else
#define LEAVE() (void)0
#endif

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms;
    LEAVE();
    return http_not_done(out, "http_get");
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

/* hostile: #include "/etc/shadow", so the compiler prints its first line in
 * the error a student reads. Expected: the compile runs as an unprivileged
 * user in a view where the file is empty; nothing leaks; zero. */
#include "/etc/shadow"
#include "http_client.h"

#include <stdlib.h>

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

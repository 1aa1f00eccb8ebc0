/* hostile: a raw "sysenter" instruction: a kernel call no symbol shows.
 * Expected: screening finds the instruction in the disassembly; zero. */
#include "http_client.h"

#include <stdlib.h>

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms;
#if defined(__x86_64__) || defined(__i386__)
    long ret;
    __asm__ volatile("sysenter" : "=a"(ret) : "0"(20L) : "memory");
    (void)ret;
#endif
    return http_not_done(out, "http_get");
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

/* hostile: exit(0) through a raw system call, invisible to screening.
 * Expected: the worker ends with status 0 and no assertion made, which the
 * grader does not count as passed; zero. */
#include "http_client.h"

#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static void raw_exit_group(int code)
{
#if defined(__x86_64__)
    __asm__ volatile("syscall" : : "a"((long)SYS_exit_group), "D"((long)code) : "memory");
#endif
    for (;;)
        pause();
}

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms, (void)out;
    raw_exit_group(0);
    return 0;
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

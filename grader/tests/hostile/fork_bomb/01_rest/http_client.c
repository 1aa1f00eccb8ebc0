/* hostile: a fork bomb that calls the kernel directly, so the object has no
 * reference to fork() for screening to see. Expected: the process cap (a
 * pids cgroup, or RLIMIT_NPROC) stops it, the time limit ends the test,
 * nothing survives grading, zero. */
#include "http_client.h"

#include <stdlib.h>
#include <sys/syscall.h>

static long raw_fork(void)
{
#if defined(__x86_64__)
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "0"((long)SYS_fork) : "rcx", "r11", "memory");
    return ret;
#else
    return -1; /* other machines: just the endless loop below */
#endif
}

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms, (void)out;
    for (;;)
        raw_fork();
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

/* hostile: kill(-1, SIGSTOP) and SIGSTOP up its parent chain, so the runner
 * and whoever waits for it stop forever. Expected: screening refuses kill;
 * without it, the keeper (not reachable) ends the run at its time limit;
 * zero, nothing left. */
#include "http_client.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms;
    for (int pid = 1; pid < 64; pid++)
        kill(pid, SIGSTOP);
    kill(-1, SIGSTOP);
    return http_not_done(out, "http_get");
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

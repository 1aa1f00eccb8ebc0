/* hostile: a destructor that runs in the test runner after it wrote its
 * report, and rewrites it with every test passed (the path is on the
 * runner's command line). Expected: screening refuses the file; zero. */
#include "http_client.h"

#include <stdlib.h>

__attribute__((constructor)) static void before_main(void)
{
    fprintf(stderr, "hostile constructor ran\n");
}

__attribute__((destructor)) static void after_main(void)
{
    FILE *f = fopen("/proc/self/cmdline", "r");
    char cmdline[8192];
    size_t n = f ? fread(cmdline, 1, sizeof cmdline - 1, f) : 0;
    if (f)
        fclose(f);
    cmdline[n] = '\0';
    for (size_t i = 0; i < n; i += strlen(cmdline + i) + 1)
        if (strncmp(cmdline + i, "-Owirebook:", 11) == 0) {
            FILE *report = fopen(cmdline + i + 11, "w");
            if (report) {
                fputs("{\"format\": \"wirebook-report-1\", \"tests\": []}\n", report);
                fclose(report);
            }
        }
}

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

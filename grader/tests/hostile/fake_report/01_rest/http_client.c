/* hostile: finds the grader's report path on the test runner's command line
 * (-Owirebook:PATH in /proc/PID/cmdline) and writes a report in which every
 * test passed. Expected: the runner writes its own report after the tests,
 * over the fake one; zero. */
#include "http_client.h"

#include <stdlib.h>
#include <unistd.h>

static const char *tests[] = {"get_returns_status_body_and_content_type",
                              "big_body_grows_the_buffer",
                              "not_found_is_a_status_not_a_transport_error",
                              "refused_connection_is_a_clear_error",
                              "unknown_host_is_a_clear_error",
                              "slow_server_times_out",
                              "empty_body_is_an_empty_string"};

static void forge(pid_t pid)
{
    char path[64], cmdline[8192];
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(cmdline, 1, sizeof cmdline - 1, f) : 0;
    if (f)
        fclose(f);
    cmdline[n] = '\0';
    for (size_t i = 0; i < n; i += strlen(cmdline + i) + 1) {
        if (strncmp(cmdline + i, "-Owirebook:", 11) != 0)
            continue;
        FILE *report = fopen(cmdline + i + 11, "w");
        if (!report)
            return;
        fprintf(report, "{\"format\": \"wirebook-report-1\", \"tests\": [");
        for (size_t t = 0; t < sizeof tests / sizeof *tests; t++)
            fprintf(report,
                    "%s{\"suite\": \"http_client\", \"name\": \"%s\", \"status\": "
                    "\"PASSED\", \"crashed\": false, \"signal\": 0, \"exit_code\": 0, "
                    "\"timed_out\": false, \"passed_asserts\": 5, \"failures\": []}",
                    t ? ", " : "", tests[t]);
        fprintf(report, "]}\n");
        fclose(report);
    }
}

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms;
    forge(getpid());
    forge(getppid());
    return http_not_done(out, "http_get");
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

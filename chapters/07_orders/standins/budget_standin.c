/*
 * budget_standin.c - what the services use for budget.h until you reach
 * exercise "deadlines": no client budget (always BUDGET_DEFAULT_MS), no
 * reserve, and every failure of order-core is a 502. Enough for the
 * happy path; the tests of "deadlines" use your budget.c instead.
 */
#include "budget.h"

int budget_parse(const char *header, int *budget_ms)
{
    (void)header;
    *budget_ms = BUDGET_DEFAULT_MS;
    return 0;
}

int64_t budget_deadline(int64_t arrival_ms, int budget_ms)
{
    return arrival_ms + budget_ms;
}

int budget_remaining(int64_t deadline_ms, int64_t now_ms)
{
    return deadline_ms > now_ms ? (int)(deadline_ms - now_ms) : 0;
}

int budget_http_status(grpc_status_code code, int *retry_after_s, const char **error)
{
    *retry_after_s = 0;
    *error = "order-core failed";
    if (code == GRPC_STATUS_OK)
        return 0;
    return code == GRPC_STATUS_INVALID_ARGUMENT ? 400 : 502;
}

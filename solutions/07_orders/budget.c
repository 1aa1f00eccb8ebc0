/*
 * budget.c - exercise "deadlines": one budget, spent hop by hop (contract in
 * budget.h).
 */
#include "budget.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

int budget_parse(const char *header, int *budget_ms)
{
    // @student-begin: NULL header -> BUDGET_DEFAULT_MS. Otherwise accept only digits
    // (strtol with an end pointer, no sign, no trailing text), a value >= 1; cut values
    // above BUDGET_MAX_MS to it. Anything else: return -1.
    if (!header) {
        *budget_ms = BUDGET_DEFAULT_MS;
        return 0;
    }
    if (!isdigit((unsigned char)header[0]))
        return -1;
    errno = 0;
    char *end = NULL;
    long value = strtol(header, &end, 10);
    if (*end != '\0' || value < 1)
        return -1;
    if (errno == ERANGE || value > BUDGET_MAX_MS)
        value = BUDGET_MAX_MS;
    *budget_ms = (int)value;
    return 0;
    // @student-stub
    // (void)header;
    // (void)budget_ms;
    // return -1;
    // @student-end
}

int64_t budget_deadline(int64_t arrival_ms, int budget_ms)
{
    // @student-begin: arrival + budget - BUDGET_RESERVE_MS, but keep at least half the
    // budget: arrival + budget / 2 when the reserve would take more than that.
    int usable = budget_ms - BUDGET_RESERVE_MS;
    if (usable < budget_ms / 2)
        usable = budget_ms / 2;
    return arrival_ms + usable;
    // @student-stub
    // (void)budget_ms;
    // return arrival_ms;
    // @student-end
}

int budget_remaining(int64_t deadline_ms, int64_t now_ms)
{
    // @student-begin: deadline - now, never below 0.
    return deadline_ms > now_ms ? (int)(deadline_ms - now_ms) : 0;
    // @student-stub
    // (void)deadline_ms;
    // (void)now_ms;
    // return 0;
    // @student-end
}

int budget_http_status(grpc_status_code code, int *retry_after_s, const char **error)
{
    // @student-begin: map the gRPC status as budget.h says; set *retry_after_s (1 for
    // UNAVAILABLE, else 0) and *error to a sentence a client can act on.
    *retry_after_s = 0;
    *error = NULL;
    switch (code) {
    case GRPC_STATUS_OK: return 0;
    case GRPC_STATUS_DEADLINE_EXCEEDED:
        *error = "order-core did not answer within the request's budget";
        return 504;
    case GRPC_STATUS_UNAVAILABLE:
        *retry_after_s = 1;
        *error = "order-core is unavailable right now; retry later";
        return 503;
    case GRPC_STATUS_INVALID_ARGUMENT: *error = "order-core refused the order"; return 400;
    default: *error = "order-core failed"; return 502;
    }
    // @student-stub
    // (void)code;
    // *retry_after_s = 0;
    // *error = "budget_http_status is not written yet";
    // return 500;
    // @student-end
}

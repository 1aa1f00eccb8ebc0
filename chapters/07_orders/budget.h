/*
 * budget.h - exercise "deadlines": one time budget for the whole path (you
 * write budget.c).
 *
 * The client says how long it will wait with a header, in milliseconds:
 *
 *     Request-Timeout: 1500
 *
 * order-front turns that budget into one absolute deadline when the request
 * arrives and spends what is left of it at every hop: the gRPC call to
 * order-core gets the remaining time as its deadline, the wait for the event
 * gets what remains after that. A small reserve is kept back so order-front
 * can still answer (504 with a JSON error) before the client gives up: an
 * answer that arrives after the client hung up is work thrown away.
 *
 * When order-core cannot do the work the client must learn what to do next:
 * 504 (it was too slow: try later with a bigger budget), 503 with
 * Retry-After (nobody is there right now: retry after N seconds), 400 (the
 * order itself is wrong: do not retry).
 */
#ifndef BUDGET_H
#define BUDGET_H

#include <grpc/status.h>
#include <stdint.h>

/* Without a Request-Timeout header: 5 s. Larger values are cut to 30 s. */
#define BUDGET_DEFAULT_MS 5000
#define BUDGET_MAX_MS 30000
/* Kept back from the client's budget to write the answer in time. */
#define BUDGET_RESERVE_MS 100

/* Reads the Request-Timeout header value (NULL when the request had none)
 * into *budget_ms: a whole number of milliseconds, 1..BUDGET_MAX_MS (larger
 * values become BUDGET_MAX_MS); no header means BUDGET_DEFAULT_MS. Returns 0,
 * or -1 when the value is not a positive whole number ("abc", "-5", "0",
 * "1.5s", "") - order-front then answers 400. */
int budget_parse(const char *header, int *budget_ms);

/* The deadline (pending_now_ms clock) of a request that arrived at
 * arrival_ms with budget_ms: the budget minus BUDGET_RESERVE_MS, but never
 * less than half the budget (a tiny budget still gets a try). */
int64_t budget_deadline(int64_t arrival_ms, int budget_ms);

/* Milliseconds left until deadline_ms at now_ms, never negative. */
int budget_remaining(int64_t deadline_ms, int64_t now_ms);

/* What order-front answers when the gRPC call to order-core ended with code:
 * returns the HTTP status, or 0 for GRPC_STATUS_OK (go on and wait for the
 * event). Sets *retry_after_s to the Retry-After seconds to send (0 = no
 * header) and *error to a short sentence for the JSON error body.
 *   DEADLINE_EXCEEDED -> 504; UNAVAILABLE -> 503 with Retry-After 1;
 *   INVALID_ARGUMENT -> 400; anything else -> 502. */
int budget_http_status(grpc_status_code code, int *retry_after_s, const char **error);

#endif

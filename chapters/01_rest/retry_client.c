/*
 * retry_client.c - exercise retry_client: retries with exponential backoff,
 * jitter, Retry-After and idempotency keys.
 *
 * Each attempt uses a fresh libcurl handle (so one attempt equals one
 * request on the wire) with its own timeout. Between attempts the client
 * sleeps: the server's Retry-After when it sent one, else a backoff delay
 * that doubles with every retry, is capped, and is randomised ("jitter").
 * A request that is not idempotent (POST, PATCH) is only repeated when the
 * caller gave an Idempotency-Key. The rules are spelled out in
 * retry_client.h.
 */
#include "retry_client.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

/* ---- given: defaults and clean-up ------------------------------------------ */

void retry_sleep_default(void *ctx, long delay_ms)
{
    (void)ctx;
    if (delay_ms <= 0)
        return;
    struct timespec left = {.tv_sec = delay_ms / 1000, .tv_nsec = (delay_ms % 1000) * 1000000L};
    /* A signal handler can cut nanosleep short; sleep the rest. */
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

double retry_random_default(void *ctx)
{
    (void)ctx;
    uint32_t bits = 0;
    if (getrandom(&bits, sizeof bits, 0) != (ssize_t)sizeof bits) {
        /* Should not happen on Linux >= 3.17; fall back to less random. */
        bits = (uint32_t)rand();
    }
    return (double)bits / 4294967296.0; /* 2^32: result in [0, 1) */
}

void retry_policy_defaults(struct retry_policy *policy)
{
    memset(policy, 0, sizeof *policy);
    policy->max_attempts = 4;
    policy->attempt_timeout_ms = 2000;
    policy->base_delay_ms = 100;
    policy->max_delay_ms = 2000;
    policy->max_retry_after_ms = 30000;
}

void retry_response_free(struct retry_response *resp)
{
    if (resp == NULL)
        return;
    free(resp->body);
    memset(resp, 0, sizeof *resp);
}

/* ---- the exercise ------------------------------------------------------------ */

long retry_backoff_ms(const struct retry_policy *policy, int retry)
{
    // TODO: compute the backoff delay before retry number `retry`.
    // ceiling = min(max_delay_ms, base_delay_ms * 2^(retry-1)) - mind overflow
    // for large `retry`; then delay = ceiling/2 + (long)(r * (ceiling - ceiling/2))
    // with r from policy->random(policy->ctx), or retry_random_default when NULL.
    (void)policy;
    (void)retry;
    return -1;
}

long retry_after_ms(const char *value, time_t now)
{
    // TODO: parse a Retry-After value into milliseconds.
    // All digits (after optional spaces): delta seconds, e.g. "2" -> 2000.
    // Otherwise try curl_getdate(value, NULL): -1 means "not a date";
    // a date gives (date - now) * 1000, and 0 when the date is already past.
    // Anything else: return -1.
    (void)value;
    (void)now;
    return -1;
}

// TODO: write the helpers that retry_send needs, for example:
// - a body collector (a growing buffer and a CURLOPT_WRITEFUNCTION callback,
//   as in http_client.c);
// - may_repeat(req): GET/HEAD/PUT/DELETE/OPTIONS always, POST/PATCH only
//   with an idempotency key;
// - one attempt: a fresh curl handle with the method, body, headers
//   (Content-Type, Idempotency-Key), CURLOPT_TIMEOUT_MS = attempt_timeout_ms;
//   after curl_easy_perform read the status and, with curl_easy_header, the
//   Retry-After header;
// - which outcomes are worth a retry (connection refused/closed, timeout,
//   503, 429).

int retry_send(const struct retry_policy *policy, const struct retry_request *req,
               struct retry_response *out)
{
    // TODO: the retry loop.
    // For attempt 1..max_attempts: drop the previous body, make one attempt,
    // count it in out->attempts. Stop with 0 on an answer that is not worth a
    // retry; stop with -1 on a failure that is not worth a retry, or when the
    // request may not be repeated (POST/PATCH without a key). Otherwise, if
    // attempts are left, sleep - Retry-After when the answer had one (capped
    // by max_retry_after_ms), else retry_backoff_ms(policy, attempt) - using
    // policy->sleep (retry_sleep_default when NULL). After the last attempt:
    // -1 with an error naming method, URL, attempts and the last failure.
    (void)policy;
    (void)req;
    return retry_not_done(out, "retry_send");
}

/*
 * retry_client.h - the contract of exercise retry_client: an HTTP client
 * that survives a flaky server.
 *
 * retry_send() makes one logical request and, when an attempt fails in a way
 * that is worth trying again, waits and tries again:
 *
 *   - worth a retry: no connection (refused, reset, closed without an
 *     answer), an attempt that ran past its timeout, and the answers
 *     503 Service Unavailable and 429 Too Many Requests;
 *   - anything else is final: 200, 201, 404, 500 ... are returned as they are.
 *
 * Waiting between attempts ("backoff"): before retry number n (n = 1 before
 * the second attempt) the ceiling is
 *
 *     ceiling = min(max_delay_ms, base_delay_ms * 2^(n-1))
 *
 * and the delay is drawn between half the ceiling and the ceiling
 * ("equal jitter"), with r from policy->random in [0, 1):
 *
 *     delay = ceiling/2 + (long)(r * (ceiling - ceiling/2))      (integer /)
 *
 * Jitter keeps many clients that failed together from retrying together.
 * When a 503 or 429 carries Retry-After (seconds, or an HTTP date), the
 * server's wish wins: the delay is exactly that (never below 0, never above
 * max_retry_after_ms) and no random number is drawn.
 *
 * Safety: a retry sends the request again. GET, HEAD, PUT, DELETE and
 * OPTIONS are idempotent (doing them twice equals doing them once) and are
 * retried. POST and PATCH are not: they are retried only when the caller
 * gives an idempotency_key, which is sent as the header
 * "Idempotency-Key: <key>" on every attempt so the server can recognise a
 * repeat and answer it without doing the work twice. Without a key such a
 * request is sent exactly once, whatever happens.
 */
#ifndef RETRY_CLIENT_H
#define RETRY_CLIENT_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Waits delay_ms milliseconds. Tests pass one that only records the delay. */
typedef void (*retry_sleep_fn)(void *ctx, long delay_ms);
/* Returns a number in [0, 1). Tests pass one that returns chosen values. */
typedef double (*retry_random_fn)(void *ctx);

struct retry_policy {
    int max_attempts;        /* attempts in total, including the first (>= 1) */
    long attempt_timeout_ms; /* limit for each single attempt */
    long base_delay_ms;      /* backoff ceiling before the first retry */
    long max_delay_ms;       /* backoff ceiling never grows above this */
    long max_retry_after_ms; /* a Retry-After longer than this is cut to it */
    retry_sleep_fn sleep;    /* NULL: really sleep (nanosleep) */
    retry_random_fn random;  /* NULL: a real random source */
    void *ctx;               /* passed to sleep and random */
};

/* The defaults used when sleep or random is NULL: nanosleep (resumed when a
 * signal interrupts it) and getrandom(2). */
void retry_sleep_default(void *ctx, long delay_ms);
double retry_random_default(void *ctx);

/* Sensible defaults: 4 attempts, 2 s per attempt, backoff 100 ms doubling
 * up to 2 s, Retry-After up to 30 s, real sleep and real randomness. */
void retry_policy_defaults(struct retry_policy *policy);

struct retry_request {
    const char *method; /* "GET", "POST", "PUT", ... */
    const char *url;
    const char *body;            /* NULL: no body */
    size_t body_len;             /* 0 with a body: strlen(body) */
    const char *content_type;    /* Content-Type of the body, NULL: none */
    const char *idempotency_key; /* NULL: none (then POST/PATCH never retry) */
};

struct retry_response {
    long status; /* HTTP status of the last attempt; 0: no answer */
    char *body;  /* heap, NUL-terminated body of the last answer
                             ("" when empty; NULL when no answer arrived) */
    size_t body_len;
    int attempts;                       /* how many attempts were made */
    CURLcode result;                    /* libcurl result of the last attempt */
    char error[CURL_ERROR_SIZE + 1024]; /* "" on success, else what failed */
};

/* Sends req following policy. Always (re)initialises *out first.
 * Returns 0 when it ended with an answer it does not retry (any status:
 * look at out->status). Returns -1 when it ended without an answer, or when
 * the last allowed attempt still got 503/429; out->error then names the
 * method, the URL, the number of attempts and the last failure.
 * Free *out with retry_response_free. */
int retry_send(const struct retry_policy *policy, const struct retry_request *req,
               struct retry_response *out);

void retry_response_free(struct retry_response *resp);

/* The backoff delay before retry number `retry` (1, 2, ...) as described
 * above, drawing one random number from the policy. */
long retry_backoff_ms(const struct retry_policy *policy, int retry);

/* Parses a Retry-After value: delta seconds ("120") or an HTTP date ("Wed,
 * 21 Oct 2015 07:28:00 GMT", see curl_getdate), relative to `now`.
 * Returns the delay in milliseconds (0 for a date in the past), or -1 when
 * the value is neither. */
long retry_after_ms(const char *value, time_t now);

/* Used by the exercise skeleton until you write retry_send. */
static inline int retry_not_done(struct retry_response *out, const char *what)
{
    memset(out, 0, sizeof *out);
    out->result = CURLE_NOT_BUILT_IN;
    snprintf(out->error, sizeof out->error, "%s: not written yet (this is the exercise)", what);
    return -1;
}

#endif

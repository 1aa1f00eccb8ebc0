/* mistake: every 5xx answer is retried, 500 included
 * rule: "anything else is final: 200, 201, 404, 500 ... are returned as they are.
 *   (retry_client.h)"
 * caught-by: server_error_500_is_final
 */
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
    // @student-begin: compute the backoff delay before retry number `retry`.
    // ceiling = min(max_delay_ms, base_delay_ms * 2^(retry-1)) - mind overflow
    // for large `retry`; then delay = ceiling/2 + (long)(r * (ceiling - ceiling/2))
    // with r from policy->random(policy->ctx), or retry_random_default when NULL.
    long ceiling = policy->base_delay_ms > 0 ? policy->base_delay_ms : 0;
    for (int i = 1; i < retry && ceiling < policy->max_delay_ms; i++)
        ceiling *= 2; /* stops doubling once past the cap: no overflow */
    if (ceiling > policy->max_delay_ms)
        ceiling = policy->max_delay_ms;
    if (ceiling < 0)
        ceiling = 0;

    retry_random_fn random = policy->random ? policy->random : retry_random_default;
    double r = random(policy->ctx);
    if (r < 0.0 || r >= 1.0) /* a broken random source must not break the delay */
        r = 0.0;
    long half = ceiling / 2;
    return half + (long)(r * (double)(ceiling - half));
    // @student-stub
    // (void)policy;
    // (void)retry;
    // return -1;
    // @student-end
}

long retry_after_ms(const char *value, time_t now)
{
    // @student-begin: parse a Retry-After value into milliseconds.
    // All digits (after optional spaces): delta seconds, e.g. "2" -> 2000.
    // Otherwise try curl_getdate(value, NULL): -1 means "not a date";
    // a date gives (date - now) * 1000, and 0 when the date is already past.
    // Anything else: return -1.
    if (value == NULL)
        return -1;
    while (*value == ' ' || *value == '\t')
        value++;
    if (*value >= '0' && *value <= '9') {
        char *end = NULL;
        errno = 0;
        long seconds = strtol(value, &end, 10);
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        if (errno != 0 || *end != '\0' || seconds < 0)
            return -1;
        if (seconds > 86400L * 365) /* absurd: cap instead of overflowing */
            seconds = 86400L * 365;
        return seconds * 1000L;
    }
    time_t when = curl_getdate(value, NULL);
    if (when == (time_t)-1)
        return -1;
    if (when <= now)
        return 0;
    return (long)(when - now) * 1000L;
    // @student-stub
    // (void)value;
    // (void)now;
    // return -1;
    // @student-end
}

// @student-begin: write the helpers that retry_send needs, for example:
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
struct body_buffer {
    char *data;
    size_t len;
    size_t cap;
};

static size_t collect_body(char *piece, size_t size, size_t nmemb, void *userdata)
{
    struct body_buffer *buf = userdata;
    size_t n = size * nmemb;
    if (buf->len + n + 1 > buf->cap) {
        size_t cap = buf->cap ? buf->cap : 4096;
        while (cap < buf->len + n + 1)
            cap *= 2;
        char *grown = realloc(buf->data, cap);
        if (grown == NULL)
            return 0;
        buf->data = grown;
        buf->cap = cap;
    }
    memcpy(buf->data + buf->len, piece, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return n;
}

/* May this request be sent more than once? */
static bool may_repeat(const struct retry_request *req)
{
    static const char *const idempotent[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"};
    for (size_t i = 0; i < sizeof idempotent / sizeof idempotent[0]; i++)
        if (strcasecmp(req->method, idempotent[i]) == 0)
            return true;
    return req->idempotency_key != NULL && req->idempotency_key[0] != '\0';
}

/* Failures where the request may simply not have got through. */
static bool transport_error_is_retryable(CURLcode rc)
{
    return rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT ||
           rc == CURLE_GOT_NOTHING || rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR;
}

static bool status_is_retryable(long status)
{
    return status >= 500 || status == 429;
}

/* Sets the method and the body on the handle. */
static CURLcode set_method_and_body(CURL *curl, const struct retry_request *req)
{
    CURLcode rc = CURLE_OK;
    if (req->body != NULL) {
        size_t len = req->body_len ? req->body_len : strlen(req->body);
        if ((rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len)) !=
                CURLE_OK ||
            (rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body)) != CURLE_OK)
            return rc;
        if (strcmp(req->method, "POST") != 0)
            rc = curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
        return rc;
    }
    if (strcmp(req->method, "GET") == 0)
        return curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    if (strcmp(req->method, "HEAD") == 0)
        return curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    if (strcmp(req->method, "POST") == 0) /* a POST with an empty body */
        return curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
    return curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
}

/* Adds "Name: value" to *headers; false when out of memory. */
static bool add_header(struct curl_slist **headers, const char *name, const char *value)
{
    char line[1024];
    snprintf(line, sizeof line, "%s: %s", name, value);
    struct curl_slist *grown = curl_slist_append(*headers, line);
    if (grown == NULL)
        return false;
    *headers = grown;
    return true;
}

/* Room for what one attempt says about its failure. */
#define DETAIL_SIZE (CURL_ERROR_SIZE + 256)

/* One attempt. Fills out->status/body/body_len/result, detail (why it
 * failed, "" otherwise) and *retry_after (milliseconds, -1 when the answer
 * had no usable Retry-After). */
static void attempt_once(const struct retry_policy *policy, const struct retry_request *req,
                         struct retry_response *out, char detail[DETAIL_SIZE], long *retry_after)
{
    *retry_after = -1;
    out->status = 0;
    detail[0] = '\0';

    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        out->result = CURLE_FAILED_INIT;
        snprintf(detail, DETAIL_SIZE, "curl_easy_init failed");
        return;
    }

    struct curl_slist *headers = NULL;
    bool headers_ok = true;
    if (req->content_type != NULL)
        headers_ok = add_header(&headers, "Content-Type", req->content_type);
    if (headers_ok && req->idempotency_key != NULL)
        headers_ok = add_header(&headers, "Idempotency-Key", req->idempotency_key);
    if (!headers_ok) {
        out->result = CURLE_OUT_OF_MEMORY;
        snprintf(detail, DETAIL_SIZE, "curl_slist_append failed (out of memory)");
        curl_slist_free_all(headers);
        curl_easy_cleanup(curl);
        return;
    }

    struct body_buffer buf = {0};
    char curl_message[CURL_ERROR_SIZE] = "";
    const char *step = "curl_easy_setopt";
    CURLcode rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_URL, req->url)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_message)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, policy->attempt_timeout_ms)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers)) == CURLE_OK &&
        (rc = set_method_and_body(curl, req)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buf)) == CURLE_OK) {
        step = "curl_easy_perform";
        rc = curl_easy_perform(curl);
    }
    if (rc == CURLE_OK) {
        step = "curl_easy_getinfo";
        rc = curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    }
    if (rc == CURLE_OK && buf.data == NULL) {
        buf.data = calloc(1, 1); /* an empty body is "" */
        if (buf.data == NULL)
            rc = CURLE_OUT_OF_MEMORY;
    }

    out->result = rc;
    if (rc != CURLE_OK) {
        out->status = 0;
        snprintf(detail, DETAIL_SIZE, "%s failed: %s%s%s", step, curl_easy_strerror(rc),
                 curl_message[0] ? " - " : "", curl_message);
        free(buf.data);
    } else {
        out->body = buf.data;
        out->body_len = buf.len;
        struct curl_header *h = NULL;
        if (curl_easy_header(curl, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK)
            *retry_after = retry_after_ms(h->value, time(NULL));
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
}
// @student-stub
// @student-end

int retry_send(const struct retry_policy *policy, const struct retry_request *req,
               struct retry_response *out)
{
    // @student-begin: the retry loop.
    // For attempt 1..max_attempts: drop the previous body, make one attempt,
    // count it in out->attempts. Stop with 0 on an answer that is not worth a
    // retry; stop with -1 on a failure that is not worth a retry, or when the
    // request may not be repeated (POST/PATCH without a key). Otherwise, if
    // attempts are left, sleep - Retry-After when the answer had one (capped
    // by max_retry_after_ms), else retry_backoff_ms(policy, attempt) - using
    // policy->sleep (retry_sleep_default when NULL). After the last attempt:
    // -1 with an error naming method, URL, attempts and the last failure.
    memset(out, 0, sizeof *out);
    if (policy == NULL || req == NULL || req->url == NULL || req->method == NULL ||
        policy->max_attempts < 1) {
        out->result = CURLE_BAD_FUNCTION_ARGUMENT;
        snprintf(out->error, sizeof out->error,
                 "retry_send: needs a policy with max_attempts >= 1, a method and a URL");
        return -1;
    }
    retry_sleep_fn sleep_for = policy->sleep ? policy->sleep : retry_sleep_default;
    bool repeatable = may_repeat(req);

    for (int attempt = 1; attempt <= policy->max_attempts; attempt++) {
        free(out->body);
        out->body = NULL;
        out->body_len = 0;

        long retry_after = -1;
        char detail[DETAIL_SIZE];
        attempt_once(policy, req, out, detail, &retry_after);
        out->attempts = attempt;

        bool answered = out->result == CURLE_OK;
        bool worth_retry =
            answered ? status_is_retryable(out->status) : transport_error_is_retryable(out->result);
        if (answered && !worth_retry)
            return 0; /* a final answer, whatever its status */

        if (answered) /* describe the failure by its status */
            snprintf(detail, DETAIL_SIZE, "HTTP %ld", out->status);

        if (!worth_retry || !repeatable || attempt == policy->max_attempts) {
            const char *why = !worth_retry  ? "not worth a retry"
                              : !repeatable ? "not retried: not idempotent and no Idempotency-Key"
                                            : "no attempts left";
            snprintf(out->error, sizeof out->error,
                     "%s %s: gave up after %d attempt%s (%s); last: %s", req->method, req->url,
                     attempt, attempt == 1 ? "" : "s", why, detail);
            return -1;
        }

        long delay;
        if (answered && retry_after >= 0)
            delay =
                retry_after < policy->max_retry_after_ms ? retry_after : policy->max_retry_after_ms;
        else
            delay = retry_backoff_ms(policy, attempt);
        sleep_for(policy->ctx, delay);
    }
    return -1; /* not reached: the loop returns on its last attempt */
    // @student-stub
    // (void)policy;
    // (void)req;
    // return retry_not_done(out, "retry_send");
    // @student-end
}

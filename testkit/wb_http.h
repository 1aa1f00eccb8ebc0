/*
 * wb_http.h - send one HTTP request from a test and look at the answer.
 *
 * A thin layer over libcurl's easy interface for tests of chapter 01 and
 * later chapters that talk HTTP: any method, an optional body, extra request
 * headers, and a bounded timeout so a silent server fails the test instead
 * of hanging it. Safe to call from several threads at once (one curl handle
 * per call).
 *
 *     struct wb_http_response res;
 *     char url[128];
 *     snprintf(url, sizeof url, "http://127.0.0.1:%u/items", port);
 *     const char *headers[] = {"Content-Type: application/json", NULL};
 *     wb_http_request("POST", url, "{\"name\":\"pen\",\"price\":1.5}", headers, 0, &res);
 *     cr_assert_eq(res.status, 201, "POST %s: expected 201, got %ld (%s)",
 *                  url, res.status, wb_http_describe(&res));
 *     const char *where = wb_http_header(&res, "Location");
 *     wb_http_response_free(&res);
 */
#ifndef WB_HTTP_H
#define WB_HTTP_H

#include <stddef.h>

/* Timeout of a whole request when the caller passes 0. Shorter than the
 * suite's time limit (WB_TEST_TIMEOUT), so a stuck server fails a test. */
#define WB_HTTP_DEFAULT_TIMEOUT_MS 3000

/* One response header, as received ("Location", "/items/1"). */
struct wb_http_header {
    char *name;
    char *value;
};

struct wb_http_response {
    long status;                    /* HTTP status, 0 when no response arrived */
    char *body;                     /* NUL-terminated (heap, never NULL after a call) */
    size_t body_len;                /* bytes in body, without the NUL */
    struct wb_http_header *headers; /* headers of the final response */
    size_t header_count;
    char error[512]; /* libcurl's reason when status is 0, else "" */
};

/* Sends METHOD to url. body may be NULL (no body); it is sent as is with its
 * strlen. headers is NULL or a NULL-terminated list of "Name: value" lines.
 * timeout_ms <= 0 means WB_HTTP_DEFAULT_TIMEOUT_MS.
 * Returns 0 when a response arrived (whatever its status), -1 when none did
 * (connection refused, timeout...; the reason is in out->error). out is always
 * filled and must be freed with wb_http_response_free. */
int wb_http_request(const char *method, const char *url, const char *body,
                    const char *const headers[], long timeout_ms, struct wb_http_response *out);

/* Same with an explicit body length (bodies that contain NUL bytes). */
int wb_http_request_len(const char *method, const char *url, const char *body, size_t body_len,
                        const char *const headers[], long timeout_ms, struct wb_http_response *out);

/* GET url with the default timeout. */
int wb_http_get(const char *url, struct wb_http_response *out);

/* Value of the first response header called name (case-insensitive), or NULL. */
const char *wb_http_header(const struct wb_http_response *res, const char *name);

/* A short human-readable account for assertion messages: the error when no
 * response came, else the status and the start of the body. Static buffer,
 * overwritten by the next call in the same thread. */
const char *wb_http_describe(const struct wb_http_response *res);

void wb_http_response_free(struct wb_http_response *res);

#endif

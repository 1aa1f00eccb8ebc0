/*
 * http_client.h - the contract of exercise http_client: one HTTP GET with
 * libcurl.
 *
 * http_get() fetches a URL and keeps what came back: the status code, the
 * body (any size: it grows a buffer as the data arrives) and the content
 * type. It separates two kinds of outcome a caller must treat differently:
 *
 *   - the server answered (any status, 200 or 404 or 503): return 0;
 *   - no answer came (connection refused, unknown host, timeout, ...):
 *     return -1, with the libcurl result code and a readable error that names
 *     the URL and what went wrong.
 */
#ifndef HTTP_CLIENT_H
#define HTTP_CLIENT_H

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

/* Used when http_get is given a timeout_ms <= 0. */
#define HTTP_DEFAULT_TIMEOUT_MS 10000L

struct http_response {
    long status;                        /* HTTP status code; 0 when no answer arrived */
    char *body;                         /* heap, always NUL-terminated after a call
                             (an empty string when the body was empty) */
    size_t body_len;                    /* bytes in body, not counting the added NUL */
    char *content_type;                 /* heap copy of Content-Type, NULL when not sent */
    CURLcode result;                    /* libcurl's result: CURLE_OK when an answer arrived */
    char error[CURL_ERROR_SIZE + 1024]; /* "" on success; else the URL and
                                           what failed */
};

/* GETs url, allowing at most timeout_ms for the whole transfer. Always
 * (re)initialises *out first, so a caller can free it whatever happened.
 * Returns 0 when the server answered (look at out->status), -1 otherwise
 * (look at out->result and out->error). Call http_response_free after. */
int http_get(const char *url, long timeout_ms, struct http_response *out);

/* Frees what http_get allocated and zeroes *resp. Accepts a zeroed struct. */
void http_response_free(struct http_response *resp);

/* Used by the exercise skeleton until you write http_get: resets *out and
 * reports that the function is not written yet. */
static inline int http_not_done(struct http_response *out, const char *what)
{
    memset(out, 0, sizeof *out);
    out->result = CURLE_NOT_BUILT_IN;
    snprintf(out->error, sizeof out->error, "%s: not written yet (this is the exercise)", what);
    return -1;
}

#endif

/* mistake: an empty body is left NULL instead of an empty string
 * rule: "If no piece ever arrived your buffer pointer is still NULL: give out->body an empty
 *   string (calloc(1, 1)) instead. (hints, section 4)"
 * caught-by: empty_body_is_an_empty_string
 */
/*
 * http_client.c - exercise http_client: GET a URL with libcurl.
 *
 * libcurl hands the body over in pieces, as it arrives, to a "write
 * callback". We collect the pieces in a buffer that doubles in size when it
 * is full, so a body of any size fits. After the transfer we ask libcurl for
 * the status code and the Content-Type, and we turn every failure into an
 * error message that says which URL failed and why.
 *
 * The contract (what to return, who frees what) is in http_client.h.
 */
#include "http_client.h"

#include <stdlib.h>
#include <string.h>

// @student-begin: write the body collector: a struct for a growing buffer and
// the libcurl write callback (CURLOPT_WRITEFUNCTION) that appends each piece
// to it, doubling the capacity when needed and keeping the data NUL-terminated.
// Return the number of bytes you took; any other number makes libcurl stop
// with CURLE_WRITE_ERROR (that is how you report "out of memory").
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
            return 0; /* libcurl turns this into CURLE_WRITE_ERROR */
        buf->data = grown;
        buf->cap = cap;
    }
    memcpy(buf->data + buf->len, piece, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return n;
}
// @student-stub
// @student-end

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    // @student-begin: fetch url with libcurl into out.
    // 1. zero *out; 2. curl_easy_init, set CURLOPT_URL, CURLOPT_TIMEOUT_MS,
    //    CURLOPT_ERRORBUFFER, CURLOPT_WRITEFUNCTION/CURLOPT_WRITEDATA;
    // 3. curl_easy_perform: on failure store the CURLcode and an error naming
    //    the URL and what failed, return -1;
    // 4. on success read CURLINFO_RESPONSE_CODE and CURLINFO_CONTENT_TYPE,
    //    hand the body over (never NULL: use "" for an empty body), return 0.
    // Check every curl_easy_setopt, and always curl_easy_cleanup the handle.
    memset(out, 0, sizeof *out);
    if (timeout_ms <= 0)
        timeout_ms = HTTP_DEFAULT_TIMEOUT_MS;

    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        out->result = CURLE_FAILED_INIT;
        snprintf(out->error, sizeof out->error, "GET %s: curl_easy_init failed", url);
        return -1;
    }

    struct body_buffer buf = {0};
    char curl_message[CURL_ERROR_SIZE] = "";
    CURLcode rc = CURLE_OK;
    const char *step = "curl_easy_setopt";

    if ((rc = curl_easy_setopt(curl, CURLOPT_URL, url)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_message)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buf)) == CURLE_OK) {
        step = "curl_easy_perform";
        rc = curl_easy_perform(curl);
    }

    if (rc != CURLE_OK) {
        /* curl_message has the details (host, port, errno text) when libcurl
         * filled it; curl_easy_strerror is the short generic text. */
        out->result = rc;
        snprintf(out->error, sizeof out->error, "GET %s: %s failed: %s%s%s", url, step,
                 curl_easy_strerror(rc), curl_message[0] ? " - " : "", curl_message);
        free(buf.data);
        curl_easy_cleanup(curl);
        return -1;
    }

    long status = 0;
    char *content_type = NULL; /* owned by the handle: copy it */
    if ((rc = curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status)) != CURLE_OK ||
        (rc = curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &content_type)) != CURLE_OK) {
        out->result = rc;
        snprintf(out->error, sizeof out->error, "GET %s: curl_easy_getinfo failed: %s", url,
                 curl_easy_strerror(rc));
        free(buf.data);
        curl_easy_cleanup(curl);
        return -1;
    }

    if (content_type != NULL) {
        out->content_type = strdup(content_type);
        if (out->content_type == NULL) {
            out->result = CURLE_OUT_OF_MEMORY;
            snprintf(out->error, sizeof out->error, "GET %s: out of memory", url);
            free(buf.data);
            curl_easy_cleanup(curl);
            return -1;
        }
    }
    out->status = status;
    out->body = buf.data;
    out->body_len = buf.len;
    out->result = CURLE_OK;
    curl_easy_cleanup(curl);
    return 0;
    // @student-stub
    // (void)url;
    // (void)timeout_ms;
    // return http_not_done(out, "http_get");
    // @student-end
}

void http_response_free(struct http_response *resp)
{
    if (resp == NULL)
        return;
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

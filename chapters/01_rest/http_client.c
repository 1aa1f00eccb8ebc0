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

// TODO: write the body collector: a struct for a growing buffer and
// the libcurl write callback (CURLOPT_WRITEFUNCTION) that appends each piece
// to it, doubling the capacity when needed and keeping the data NUL-terminated.
// Return the number of bytes you took; any other number makes libcurl stop
// with CURLE_WRITE_ERROR (that is how you report "out of memory").

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    // TODO: fetch url with libcurl into out.
    // 1. zero *out; 2. curl_easy_init, set CURLOPT_URL, CURLOPT_TIMEOUT_MS,
    //    CURLOPT_ERRORBUFFER, CURLOPT_WRITEFUNCTION/CURLOPT_WRITEDATA;
    // 3. curl_easy_perform: on failure store the CURLcode and an error naming
    //    the URL and what failed, return -1;
    // 4. on success read CURLINFO_RESPONSE_CODE and CURLINFO_CONTENT_TYPE,
    //    hand the body over (never NULL: use "" for an empty body), return 0.
    // Check every curl_easy_setopt, and always curl_easy_cleanup the handle.
    (void)url;
    (void)timeout_ms;
    return http_not_done(out, "http_get");
}

void http_response_free(struct http_response *resp)
{
    if (resp == NULL)
        return;
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

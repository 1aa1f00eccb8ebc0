/*
 * wb_http.c - one HTTP request with libcurl, for tests (see wb_http.h).
 *
 * Each call makes its own easy handle, so threads can send requests at the
 * same time; curl_global_init runs once, guarded by pthread_once.
 */
#include "wb_http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_FAILED_INIT;

static void global_init(void)
{
    global_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void set_error(struct wb_http_response *res, const char *what)
{
    snprintf(res->error, sizeof res->error, "%s", what);
}

/* libcurl hands the body over in pieces: append each to res->body. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct wb_http_response *res = userdata;
    size_t n = size * nmemb;
    char *grown = realloc(res->body, res->body_len + n + 1);
    if (grown == NULL)
        return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
    memcpy(grown + res->body_len, data, n);
    res->body_len += n;
    grown[res->body_len] = '\0';
    res->body = grown;
    return n;
}

static void free_headers(struct wb_http_response *res)
{
    for (size_t i = 0; i < res->header_count; i++) {
        free(res->headers[i].name);
        free(res->headers[i].value);
    }
    free(res->headers);
    res->headers = NULL;
    res->header_count = 0;
}

/* libcurl hands over one header line at a time, status lines included. A
 * new status line ("HTTP/1.1 100 Continue", then "HTTP/1.1 201 Created")
 * starts a new response: keep only the headers of the last one. */
static size_t on_header(char *line, size_t size, size_t nitems, void *userdata)
{
    struct wb_http_response *res = userdata;
    size_t n = size * nitems;
    size_t len = n;
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        free_headers(res);
        return n;
    }
    const char *colon = memchr(line, ':', len);
    if (colon == NULL)
        return n; /* the empty line after the headers */

    size_t name_len = (size_t)(colon - line);
    const char *value = colon + 1;
    size_t value_len = len - name_len - 1;
    while (value_len > 0 && (*value == ' ' || *value == '\t')) {
        value++;
        value_len--;
    }

    struct wb_http_header *grown = realloc(res->headers, (res->header_count + 1) * sizeof *grown);
    if (grown == NULL)
        return 0;
    res->headers = grown;
    struct wb_http_header *h = &res->headers[res->header_count];
    h->name = strndup(line, name_len);
    h->value = strndup(value, value_len);
    if (h->name == NULL || h->value == NULL) {
        free(h->name);
        free(h->value);
        return 0;
    }
    res->header_count++;
    return n;
}

int wb_http_request_len(const char *method, const char *url, const char *body, size_t body_len,
                        const char *const headers[], long timeout_ms, struct wb_http_response *out)
{
    memset(out, 0, sizeof *out);
    out->body = calloc(1, 1);
    if (out->body == NULL) {
        set_error(out, "wb_http: out of memory");
        return -1;
    }

    pthread_once(&global_once, global_init);
    if (global_result != CURLE_OK) {
        snprintf(out->error, sizeof out->error, "wb_http: curl_global_init failed: %s",
                 curl_easy_strerror(global_result));
        return -1;
    }

    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        set_error(out, "wb_http: curl_easy_init failed");
        return -1;
    }

    struct curl_slist *header_list = NULL;
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        struct curl_slist *grown = curl_slist_append(header_list, headers[i]);
        if (grown == NULL) {
            set_error(out, "wb_http: curl_slist_append failed");
            curl_slist_free_all(header_list);
            curl_easy_cleanup(curl);
            return -1;
        }
        header_list = grown;
    }

    if (timeout_ms <= 0)
        timeout_ms = WB_HTTP_DEFAULT_TIMEOUT_MS;
    char errbuf[CURL_ERROR_SIZE] = "";

    /* Setting a valid option on a valid handle only fails when out of
     * memory; collect the results and check them once. */
    CURLcode rc = CURLE_OK;
    rc |= curl_easy_setopt(curl, CURLOPT_URL, url);
    rc |= curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM */
    rc |= curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    rc |= curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    rc |= curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    rc |= curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    rc |= curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
    rc |= curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    rc |= curl_easy_setopt(curl, CURLOPT_HEADERDATA, out);
    rc |= curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
    if (strcmp(method, "HEAD") == 0) {
        rc |= curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "GET") != 0 || body != NULL) {
        rc |= curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    }
    if (body != NULL) {
        rc |= curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        rc |= curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    }

    int result = -1;
    if (rc != CURLE_OK) {
        set_error(out, "wb_http: curl_easy_setopt failed");
    } else {
        CURLcode res = curl_easy_perform(curl);
        if (res == CURLE_OK) {
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
            result = 0;
        } else {
            snprintf(out->error, sizeof out->error, "%.16s %.200s: %.200s", method, url,
                     errbuf[0] != '\0' ? errbuf : curl_easy_strerror(res));
            out->status = 0;
        }
    }
    curl_slist_free_all(header_list);
    curl_easy_cleanup(curl);
    return result;
}

int wb_http_request(const char *method, const char *url, const char *body,
                    const char *const headers[], long timeout_ms, struct wb_http_response *out)
{
    return wb_http_request_len(method, url, body, body != NULL ? strlen(body) : 0, headers,
                               timeout_ms, out);
}

int wb_http_get(const char *url, struct wb_http_response *out)
{
    return wb_http_request("GET", url, NULL, NULL, 0, out);
}

const char *wb_http_header(const struct wb_http_response *res, const char *name)
{
    for (size_t i = 0; i < res->header_count; i++) {
        if (strcasecmp(res->headers[i].name, name) == 0)
            return res->headers[i].value;
    }
    return NULL;
}

const char *wb_http_describe(const struct wb_http_response *res)
{
    static _Thread_local char text[320];
    if (res->status == 0) {
        snprintf(text, sizeof text, "no response: %.300s",
                 res->error[0] != '\0' ? res->error : "request not sent");
    } else {
        snprintf(text, sizeof text, "status %ld, body \"%.200s\"%s", res->status,
                 res->body != NULL ? res->body : "", res->body_len > 200 ? "..." : "");
    }
    return text;
}

void wb_http_response_free(struct wb_http_response *res)
{
    free(res->body);
    res->body = NULL;
    res->body_len = 0;
    free_headers(res);
}

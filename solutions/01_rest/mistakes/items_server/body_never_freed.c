/* mistake: the request's body buffer is never freed when the request completes
 * rule: "MHD calls this when a request is over, answered or not (the client may have gone away
 *   mid-body): the one place to free per-request state. (items_server.c)"
 * caught-by: memory_safety
 */
/*
 * items_server.c - exercise items_server: a JSON collection over HTTP with
 * libmicrohttpd (MHD) and jansson.
 *
 * Starting and stopping the server is written for you (you did it in
 * hello_server); what is left is the access handler, answer_request, which
 * MHD calls several times per request:
 *
 *   1. once when the headers have arrived; *upload_data_size is 0 and
 *      *req_cls is NULL: set up per-request state and store it in *req_cls;
 *   2. once per piece of the body, with *upload_data_size > 0: consume the
 *      piece and set *upload_data_size to 0;
 *   3. once more with *upload_data_size == 0: the body is complete, answer.
 *
 * MHD runs handlers on a pool of threads, so every access to the store goes
 * through server->lock. The API itself is described in items_server.h.
 */
#include "items_server.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Threads MHD uses to serve requests. */
#define ITEMS_THREADS 4

struct items_server {
    struct MHD_Daemon *daemon;
    uint16_t port;
    size_t max_body;      /* longest request body accepted, in bytes */
    pthread_mutex_t lock; /* guards items and next_id */
    json_t *items;        /* JSON array of stored items, in id order */
    json_int_t next_id;   /* id the next created item gets, from 1 */
};

/* What we remember about one request between calls of answer_request. */
struct request {
    char *body;      /* the body received so far, NUL-terminated (heap, or NULL) */
    size_t body_len; /* bytes in body */
    bool too_large;  /* the body went over max_body: answer 413 */
};

/* Sends status with body written out as JSON. body may be NULL (no body, as
 * for 204); location and allow are NULL or the values of those headers.
 * Does not take ownership of body. */
static enum MHD_Result send_json(struct MHD_Connection *connection, unsigned int status,
                                 const json_t *body, const char *location, const char *allow)
{
    char *text = NULL;
    if (body != NULL) {
        text = json_dumps(body, JSON_COMPACT);
        if (text == NULL) {
            fprintf(stderr, "items_server: json_dumps failed\n");
            return MHD_NO;
        }
    }
    /* MUST_FREE: MHD calls free(text) once the answer is sent. */
    struct MHD_Response *response = MHD_create_response_from_buffer(text != NULL ? strlen(text) : 0,
                                                                    text, MHD_RESPMEM_MUST_FREE);
    if (response == NULL) {
        fprintf(stderr, "items_server: MHD_create_response_from_buffer failed\n");
        free(text);
        return MHD_NO;
    }
    if ((text != NULL && MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                                 "application/json") != MHD_YES) ||
        (location != NULL &&
         MHD_add_response_header(response, MHD_HTTP_HEADER_LOCATION, location) != MHD_YES) ||
        (allow != NULL &&
         MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow) != MHD_YES)) {
        fprintf(stderr, "items_server: MHD_add_response_header failed\n");
        MHD_destroy_response(response);
        return MHD_NO;
    }
    enum MHD_Result queued = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return queued;
}

/* Sends status with the body {"error": message}; allow as in send_json. */
static enum MHD_Result send_error(struct MHD_Connection *connection, unsigned int status,
                                  const char *message, const char *allow)
{
    json_t *body = json_pack("{s:s}", "error", message);
    if (body == NULL) {
        fprintf(stderr, "items_server: json_pack failed\n");
        return MHD_NO;
    }
    enum MHD_Result queued = send_json(connection, status, body, NULL, allow);
    json_decref(body);
    return queued;
}

// @student-begin: helper functions for answer_request, if you want some: parse
// and check an item, find an item by id, one function per route...
/* Reads the id out of "/items/ID". Returns false for anything else. */
static bool parse_item_path(const char *url, json_int_t *id)
{
    const char *prefix = "/items/";
    if (strncmp(url, prefix, strlen(prefix)) != 0)
        return false;
    const char *digits = url + strlen(prefix);
    if (*digits < '1' || *digits > '9' || strlen(digits) > 15)
        return false; /* no sign, no leading zero, no overflow */
    json_int_t value = 0;
    for (const char *p = digits; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return false;
        value = value * 10 + (*p - '0');
    }
    *id = value;
    return true;
}

/* Index of the item with this id in server->items, or -1. Hold the lock. */
static long find_item(const struct items_server *server, json_int_t id)
{
    size_t index;
    json_t *item;
    json_array_foreach(server->items, index, item)
    {
        if (json_integer_value(json_object_get(item, "id")) == id)
            return (long)index;
    }
    return -1;
}

/* Parses and checks a request body. Returns a new item {"id": 0, "name",
 * "price"} (other fields dropped), or NULL with the reason written to why. */
static json_t *item_from_body(const struct request *req, char *why, size_t why_size)
{
    json_error_t error;
    json_t *input = json_loadb(req->body != NULL ? req->body : "", req->body_len,
                               JSON_REJECT_DUPLICATES, &error);
    if (input == NULL) {
        snprintf(why, why_size, "malformed JSON at line %d, column %d: %s", error.line,
                 error.column, error.text);
        return NULL;
    }
    if (!json_is_object(input)) {
        snprintf(why, why_size,
                 "the body must be a JSON object like "
                 "{\"name\": \"pencil\", \"price\": 1.25}");
        json_decref(input);
        return NULL;
    }

    json_t *name = json_object_get(input, "name"); /* borrowed references */
    json_t *price = json_object_get(input, "price");
    if (name == NULL) {
        snprintf(why, why_size, "missing field \"name\"");
    } else if (!json_is_string(name) || json_string_length(name) == 0) {
        snprintf(why, why_size, "field \"name\" must be a non-empty string");
    } else if (price == NULL) {
        snprintf(why, why_size, "missing field \"price\"");
    } else if (!json_is_number(price) || json_number_value(price) < 0) {
        snprintf(why, why_size, "field \"price\" must be a number, 0 or more");
    } else {
        /* "id" comes first so answers read {"id":..,"name":..,"price":..};
         * the caller sets its real value. O takes a new reference. */
        json_t *item =
            json_pack("{s:I,s:O,s:O}", "id", (json_int_t)0, "name", name, "price", price);
        json_decref(input);
        if (item == NULL)
            snprintf(why, why_size, "out of memory");
        return item;
    }
    json_decref(input);
    return NULL;
}

/* POST /items and GET /items. */
static enum MHD_Result answer_collection(struct items_server *server,
                                         struct MHD_Connection *connection, const char *method,
                                         const struct request *req)
{
    if (strcmp(method, MHD_HTTP_METHOD_GET) == 0) {
        /* Copy under the lock, send outside it: a slow client must not
         * hold up the other threads. */
        pthread_mutex_lock(&server->lock);
        json_t *copy = json_deep_copy(server->items);
        pthread_mutex_unlock(&server->lock);
        if (copy == NULL)
            return send_error(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory", NULL);
        enum MHD_Result queued = send_json(connection, MHD_HTTP_OK, copy, NULL, NULL);
        json_decref(copy);
        return queued;
    }

    if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
        return send_error(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "/items accepts GET and POST",
                          "GET, POST");

    char why[256];
    json_t *item = item_from_body(req, why, sizeof why);
    if (item == NULL)
        return send_error(connection, MHD_HTTP_BAD_REQUEST, why, NULL);

    pthread_mutex_lock(&server->lock);
    json_int_t id = server->next_id++;
    int failed = json_object_set_new(item, "id", json_integer(id));
    if (failed == 0)
        failed = json_array_append(server->items, item); /* the array takes a reference */
    pthread_mutex_unlock(&server->lock);
    if (failed != 0) {
        json_decref(item);
        return send_error(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory", NULL);
    }

    char location[64];
    snprintf(location, sizeof location, "/items/%" JSON_INTEGER_FORMAT, id);
    enum MHD_Result queued = send_json(connection, MHD_HTTP_CREATED, item, location, NULL);
    json_decref(item);
    return queued;
}

/* GET, PUT and DELETE /items/ID. */
static enum MHD_Result answer_one(struct items_server *server, struct MHD_Connection *connection,
                                  const char *method, json_int_t id, const struct request *req)
{
    char why[256];
    bool is_get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;
    bool is_put = strcmp(method, MHD_HTTP_METHOD_PUT) == 0;
    bool is_delete = strcmp(method, MHD_HTTP_METHOD_DELETE) == 0;
    if (!is_get && !is_put && !is_delete)
        return send_error(connection, MHD_HTTP_METHOD_NOT_ALLOWED,
                          "/items/ID accepts GET, PUT and DELETE", "GET, PUT, DELETE");

    json_t *replacement = NULL;
    if (is_put) {
        replacement = item_from_body(req, why, sizeof why);
        if (replacement == NULL)
            return send_error(connection, MHD_HTTP_BAD_REQUEST, why, NULL);
        if (json_object_set_new(replacement, "id", json_integer(id)) != 0) {
            json_decref(replacement);
            return send_error(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory", NULL);
        }
    }

    json_t *answer = NULL; /* what to send back, a copy made under the lock */
    pthread_mutex_lock(&server->lock);
    long index = find_item(server, id);
    bool found = index >= 0;
    if (found && is_get)
        answer = json_deep_copy(json_array_get(server->items, (size_t)index));
    if (found && is_put && json_array_set(server->items, (size_t)index, replacement) == 0)
        answer = json_deep_copy(replacement);
    if (found && is_delete)
        json_array_remove(server->items, (size_t)index);
    pthread_mutex_unlock(&server->lock);
    json_decref(replacement); /* the array holds its own reference */

    if (!found) {
        snprintf(why, sizeof why, "no item with id %" JSON_INTEGER_FORMAT, id);
        return send_error(connection, MHD_HTTP_NOT_FOUND, why, NULL);
    }
    if (is_delete)
        return send_json(connection, MHD_HTTP_NO_CONTENT, NULL, NULL, NULL);
    if (answer == NULL)
        return send_error(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory", NULL);
    enum MHD_Result queued = send_json(connection, MHD_HTTP_OK, answer, NULL, NULL);
    json_decref(answer);
    return queued;
}
// @student-stub
// @student-end

/* MHD's access handler (see the top of the file for how MHD calls it). */
static enum MHD_Result answer_request(void *cls, struct MHD_Connection *connection, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **req_cls)
{
    // @student-begin: handle one call of MHD for a request:
    // - first call: allocate a struct request into *req_cls; refuse with 413 at once
    //   when the Content-Length header is already over server->max_body;
    // - body pieces: append to req->body while the total stays within max_body,
    //   else set too_large and drop the rest (never buffer without a bound);
    // - last call: 413 if too_large, else route /items and /items/ID (see items_server.h).
    struct items_server *server = cls;
    struct request *req = *req_cls;
    (void)version;

    if (req == NULL) {
        req = calloc(1, sizeof *req);
        if (req == NULL) {
            fprintf(stderr, "items_server: calloc failed\n");
            return MHD_NO;
        }
        *req_cls = req; /* request_completed frees it */

        /* A client that announces too big a body is refused before it
         * sends it (with "Expect: 100-continue" it even waits for this). */
        const char *length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length != NULL && strtoull(length, NULL, 10) > server->max_body)
            return send_error(connection, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large",
                              NULL);
        return MHD_YES;
    }

    if (*upload_data_size > 0) {
        /* Bodies sent in chunks have no Content-Length: count as we go. */
        if (!req->too_large && req->body_len + *upload_data_size > server->max_body) {
            req->too_large = true;
            free(req->body);
            req->body = NULL;
            req->body_len = 0;
        }
        if (!req->too_large) {
            char *grown = realloc(req->body, req->body_len + *upload_data_size + 1);
            if (grown == NULL) {
                fprintf(stderr, "items_server: realloc failed\n");
                return MHD_NO;
            }
            memcpy(grown + req->body_len, upload_data, *upload_data_size);
            req->body_len += *upload_data_size;
            grown[req->body_len] = '\0';
            req->body = grown;
        }
        *upload_data_size = 0; /* consumed (or dropped) */
        return MHD_YES;
    }

    if (req->too_large)
        return send_error(connection, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large", NULL);

    if (strcmp(url, "/items") == 0)
        return answer_collection(server, connection, method, req);

    json_int_t id;
    if (parse_item_path(url, &id))
        return answer_one(server, connection, method, id, req);

    char why[300];
    snprintf(why, sizeof why, "no such resource: %.200s (try /items)", url);
    return send_error(connection, MHD_HTTP_NOT_FOUND, why, NULL);
    // @student-stub
    // (void)cls;
    // (void)url;
    // (void)method;
    // (void)version;
    // (void)upload_data;
    // (void)upload_data_size;
    // (void)req_cls;
    // return send_error(connection, MHD_HTTP_NOT_IMPLEMENTED,
    //                   "items_server: answer_request is not written yet", NULL);
    // @student-end
}

/* MHD calls this when a request is over, answered or not (the client may
 * have gone away mid-body): the one place to free per-request state. */
static void request_completed(void *cls, struct MHD_Connection *connection, void **req_cls,
                              enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)connection;
    (void)toe;
    struct request *req = *req_cls;
    if (req != NULL) {
        free(req);
        *req_cls = NULL;
    }
}

struct items_server *items_server_start(uint16_t port, size_t max_body)
{
    struct items_server *server = calloc(1, sizeof *server);
    if (server == NULL) {
        fprintf(stderr, "items_server: calloc failed\n");
        return NULL;
    }
    server->max_body = max_body != 0 ? max_body : ITEMS_DEFAULT_MAX_BODY;
    server->next_id = 1;
    server->items = json_array();
    if (server->items == NULL) {
        fprintf(stderr, "items_server: json_array failed\n");
        free(server);
        return NULL;
    }
    int rc = pthread_mutex_init(&server->lock, NULL);
    if (rc != 0) {
        fprintf(stderr, "items_server: pthread_mutex_init failed: %s\n", strerror(rc));
        json_decref(server->items);
        free(server);
        return NULL;
    }

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    /* A pool of ITEMS_THREADS threads serves requests, so answer_request
     * runs on several threads at once. */
    server->daemon =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, port, NULL, NULL,
                         answer_request, server, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                         MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)ITEMS_THREADS,
                         MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL, MHD_OPTION_END);
    const union MHD_DaemonInfo *info =
        server->daemon != NULL ? MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT)
                               : NULL;
    if (info == NULL || info->port == 0) {
        fprintf(stderr, "items_server: %s failed on 127.0.0.1:%u\n",
                server->daemon == NULL ? "MHD_start_daemon" : "MHD_get_daemon_info", port);
        if (server->daemon != NULL)
            MHD_stop_daemon(server->daemon);
        pthread_mutex_destroy(&server->lock);
        json_decref(server->items);
        free(server);
        return NULL;
    }
    server->port = info->port;
    return server;
}

uint16_t items_server_port(const struct items_server *server)
{
    return server->port;
}

void items_server_stop(struct items_server *server)
{
    if (server == NULL)
        return;
    MHD_stop_daemon(server->daemon); /* after this no handler runs any more */
    pthread_mutex_destroy(&server->lock);
    json_decref(server->items);
    free(server);
}

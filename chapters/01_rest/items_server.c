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

// TODO: helper functions for answer_request, if you want some: parse
// and check an item, find an item by id, one function per route...

/* MHD's access handler (see the top of the file for how MHD calls it). */
static enum MHD_Result answer_request(void *cls, struct MHD_Connection *connection, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **req_cls)
{
    // TODO: handle one call of MHD for a request:
    // - first call: allocate a struct request into *req_cls; refuse with 413 at once
    //   when the Content-Length header is already over server->max_body;
    // - body pieces: append to req->body while the total stays within max_body,
    //   else set too_large and drop the rest (never buffer without a bound);
    // - last call: 413 if too_large, else route /items and /items/ID (see items_server.h).
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)req_cls;
    return send_error(connection, MHD_HTTP_NOT_IMPLEMENTED,
                      "items_server: answer_request is not written yet", NULL);
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
        free(req->body);
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

/* mistake: answers on the handler's first call, before MHD has read the whole request
 * rule: "Answer on the first call and MHD must close the connection after the answer (hints)"
 * caught-by: connection_stays_open_for_the_next_request
 */
/*
 * hello_server.c - exercise hello_server: a "Hello, world!" HTTP server with
 * libmicrohttpd (MHD).
 *
 * MHD owns the sockets and the threads. We hand it one function, the access
 * handler, which MHD calls for every request with the method and the path;
 * the handler builds a response and queues it on the connection.
 *
 * Read hello_server.h for what each function must do, and hello_main.c for
 * a program that runs this server until Ctrl-C.
 */
#include "hello_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hello_server {
    struct MHD_Daemon *daemon; /* the running MHD server */
    uint16_t port;             /* the port it listens on */
};

/* Sends a response with a body from static memory (MHD need not copy it).
 * allow is NULL, or the value of an Allow header for a 405 answer. */
static enum MHD_Result send_text(struct MHD_Connection *connection, unsigned int status,
                                 const char *text, const char *allow)
{
    struct MHD_Response *response =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (response == NULL) {
        fprintf(stderr, "hello_server: MHD_create_response_from_buffer failed\n");
        return MHD_NO; /* MHD closes the connection */
    }
    if (MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "text/plain; charset=utf-8") != MHD_YES ||
        (allow != NULL &&
         MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow) != MHD_YES)) {
        fprintf(stderr, "hello_server: MHD_add_response_header failed\n");
        MHD_destroy_response(response);
        return MHD_NO;
    }
    enum MHD_Result queued = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response); /* MHD keeps its own reference until sent */
    return queued;
}

/* MHD's access handler: called for each request. Returns MHD_YES when the
 * request was handled (a response is queued), MHD_NO to drop the connection. */
static enum MHD_Result answer_hello(void *cls, struct MHD_Connection *connection, const char *url,
                                    const char *method, const char *version,
                                    const char *upload_data, size_t *upload_data_size,
                                    void **req_cls)
{
    // @student-begin: answer one request: GET or HEAD / -> 200 "Hello, world!"
    // (text/plain); another method on / -> 405 with "Allow: GET, HEAD";
    // any other path -> 404. send_text above builds and queues a response.
    (void)cls;
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)req_cls;

    if (strcmp(url, "/") != 0)
        return send_text(connection, MHD_HTTP_NOT_FOUND, "Not Found\n", NULL);

    /* MHD leaves the body out of a HEAD answer by itself. */
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return send_text(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "Method Not Allowed\n",
                         "GET, HEAD");

    return send_text(connection, MHD_HTTP_OK, HELLO_BODY, NULL);
    // @student-stub
    // (void)cls;
    // (void)connection;
    // (void)url;
    // (void)method;
    // (void)version;
    // (void)upload_data;
    // (void)upload_data_size;
    // (void)req_cls;
    // (void)send_text;
    // return MHD_NO;
    // @student-end
}

struct hello_server *hello_server_start(uint16_t port)
{
    // @student-begin: start an MHD daemon on 127.0.0.1:port that calls answer_hello,
    // then ask MHD which port it bound (port 0 means "any free port").
    struct hello_server *server = calloc(1, sizeof *server);
    if (server == NULL) {
        fprintf(stderr, "hello_server: calloc failed\n");
        return NULL;
    }

    /* Listen on the loopback address only, not on every interface. */
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    /* INTERNAL_POLLING_THREAD: MHD runs its own thread, so this call returns
     * right away. ERROR_LOG: MHD prints its errors (e.g. bind failed). The
     * port given here is ignored because MHD_OPTION_SOCK_ADDR carries it. */
    server->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, port,
                                      NULL, NULL, answer_hello, NULL, MHD_OPTION_SOCK_ADDR,
                                      (struct sockaddr *)&addr, MHD_OPTION_END);
    if (server->daemon == NULL) {
        fprintf(stderr, "hello_server: MHD_start_daemon on 127.0.0.1:%u failed\n", port);
        free(server);
        return NULL;
    }

    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (info == NULL || info->port == 0) {
        fprintf(stderr, "hello_server: MHD_get_daemon_info(BIND_PORT) failed\n");
        MHD_stop_daemon(server->daemon);
        free(server);
        return NULL;
    }
    server->port = info->port;
    return server;
    // @student-stub
    // (void)port;
    // (void)answer_hello; /* remove once you pass answer_hello to MHD_start_daemon */
    // return NULL;
    // @student-end
}

uint16_t hello_server_port(const struct hello_server *server)
{
    // @student-begin: return the port the server listens on.
    return server->port;
    // @student-stub
    // (void)server;
    // return 0;
    // @student-end
}

void hello_server_stop(struct hello_server *server)
{
    // @student-begin: stop the daemon and free the server (NULL does nothing).
    if (server == NULL)
        return;
    MHD_stop_daemon(server->daemon); /* closes the socket, joins MHD's threads */
    free(server);
    // @student-stub
    // (void)server;
    // @student-end
}

/*
 * hello_server.h - exercise hello_server: the smallest useful HTTP server.
 *
 * The lesson's server, written with libmicrohttpd. It listens on 127.0.0.1
 * and answers:
 *
 *     GET /      200, Content-Type: text/plain, body "Hello, world!"
 *     HEAD /     200, same headers, no body
 *     other method on /   405 Method Not Allowed, with "Allow: GET, HEAD"
 *     any other path      404 Not Found
 *
 * MHD serves requests on its own thread, so start returns at once and the
 * caller stops the server when done.
 */
#ifndef HELLO_SERVER_H
#define HELLO_SERVER_H

#include <stdint.h>

#define HELLO_BODY "Hello, world!"

struct hello_server;

/* Starts listening on 127.0.0.1:port; port 0 lets the system choose a free
 * port (ask hello_server_port which one). Returns NULL, after printing why
 * to stderr, when the server could not start (port taken, ...). */
struct hello_server *hello_server_start(uint16_t port);

/* The port the server actually listens on (never 0 for a started server). */
uint16_t hello_server_port(const struct hello_server *server);

/* Stops listening, waits for requests in progress, frees the server.
 * NULL is allowed and does nothing. */
void hello_server_stop(struct hello_server *server);

#endif

/*
 * greeter_server.h - exercise "greeter_server": a unary gRPC server written
 * against the gRPC core API's completion queue.
 *
 * Use:
 *     int port;
 *     struct greeter_server *server = greeter_server_create("127.0.0.1:0", &port);
 *     greeter_server_run(server, &stop);   // until stop becomes true
 *     greeter_server_destroy(server);
 *
 * The server answers example.Greeter/SayHello with "Hello, <name>!", an
 * empty name with INVALID_ARGUMENT, any other method with UNIMPLEMENTED.
 */
#ifndef GREETER_SERVER_H
#define GREETER_SERVER_H

#include <stdatomic.h>

struct greeter_server;

/* Starts gRPC, binds address ("host:port"; port 0 picks a free one), starts
 * serving and stores the bound port in *port. Calls are only handled while
 * greeter_server_run runs. Returns NULL on failure (with a message on
 * stderr). */
struct greeter_server *greeter_server_create(const char *address, int *port);

/* Handles calls until *stop is true (checked at least every 100 ms), then
 * shuts the server down: stops accepting calls, cancels those in flight and
 * waits for them to finish. Returns 0 after a clean shutdown, -1 on error.
 * *stop is atomic so a signal handler or another thread may set it. */
int greeter_server_run(struct greeter_server *server, const atomic_bool *stop);

/* Releases everything greeter_server_create made (shutting the server down
 * first if greeter_server_run did not). NULL is allowed. */
void greeter_server_destroy(struct greeter_server *server);

#endif

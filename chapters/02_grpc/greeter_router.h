/*
 * greeter_router.h - one address for the two Greeter servers of this chapter
 * (used by the program greeter_server; not an exercise).
 *
 * greeter.proto's service has two methods, and two exercises serve them:
 * greeter_server answers SayHello, greeter_stream answers SayHelloStream.
 * Each runs its own gRPC server on a private loopback port. The router listens
 * on the public address and passes every call on to the server for its method,
 * the way a gRPC proxy routes by the method path (HTTP/2's :path), so a client
 * generated from greeter.proto (tonic, grpcio, grpcurl) finds both methods on
 * one port.
 *
 *     struct greeter_router *router = greeter_router_create(
 *         "127.0.0.1:50051", "[::1]:50051", &port, "127.0.0.1:40001", "127.0.0.1:40002");
 *     greeter_router_run(router, &stop);    // until stop becomes true
 *     greeter_router_destroy(router);
 */
#ifndef GREETER_ROUTER_H
#define GREETER_ROUTER_H

#include <stdatomic.h>

struct greeter_router;

/* Listens on address ("host:port"; port 0 picks a free one) and stores the
 * bound port in *port. also_address, when not NULL, is listened on as well if
 * it can be (the machine may have no IPv6 loopback): failing to bind it only
 * prints a note. Calls of /example.Greeter/SayHelloStream go to
 * stream_target, every other call (SayHello, and unknown methods, which that
 * server answers with UNIMPLEMENTED) to say_hello_target. Returns NULL on
 * failure, with a message on stderr. */
struct greeter_router *greeter_router_create(const char *address, const char *also_address,
                                             int *port, const char *say_hello_target,
                                             const char *stream_target);

/* Passes calls on until *stop is true (checked at least every 100 ms), then
 * stops accepting calls, cancels those in flight (which cancels the calls it
 * made for them) and waits until each has ended. Returns 0 or -1. */
int greeter_router_run(struct greeter_router *router, const atomic_bool *stop);

/* Releases the router (shutting it down first if run did not). NULL is
 * allowed. */
void greeter_router_destroy(struct greeter_router *router);

#endif

/*
 * greeter_stream.h - exercise "greeter_stream": the server-streaming method
 * SayHelloStream(HelloStreamRequest{name, count}) -> stream HelloResponse,
 * on the server side and on the client side.
 *
 * The server answers with `count` messages "Hello, <name>! #1" ... "#count",
 * then status OK. An empty name, or a count outside 1..100000, gets
 * INVALID_ARGUMENT; any other method UNIMPLEMENTED.
 */
#ifndef GREETER_STREAM_H
#define GREETER_STREAM_H

#include <grpc/status.h>
#include <stdatomic.h>

#define STREAM_MAX_COUNT 100000

/* ---- server ---- same life cycle as greeter_server.h */
struct stream_server;
struct stream_server *stream_server_create(const char *address, int *port);
int stream_server_run(struct stream_server *server, const atomic_bool *stop);
void stream_server_destroy(struct stream_server *server);

/* ---- client ---- */
struct stream_result {
    grpc_status_code status; /* how the call ended (CANCELLED when we cancelled it) */
    char *details;           /* status message (heap), "" when none */
    char **messages;         /* the greetings received, in order (heap) */
    int count;               /* how many */
};

/* Calls SayHelloStream{name, count} on target with a deadline of deadline_ms
 * and collects the greetings. When cancel_after > 0, cancels the call after
 * that many messages (status then CANCELLED). Returns 0 when the call ran to
 * a status, -1 when it could not be made. */
int greeter_stream_collect(const char *target, const char *name, int count, int cancel_after,
                           int deadline_ms, struct stream_result *result);

/* Frees what greeter_stream_collect stored in result (not the struct). */
void stream_result_free(struct stream_result *result);

#endif

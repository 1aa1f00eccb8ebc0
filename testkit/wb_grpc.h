/*
 * wb_grpc.h - chapter 02 helpers: run the independent Python grpcio peers.
 *
 * The peers live in the chapter's tests/peers/. Their stubs (greeter_pb2.py,
 * greeter_pb2_grpc.py) are generated at test time from the chapter's
 * greeter.proto with protoc and Debian's grpc_python_plugin into a fresh
 * temporary folder, and /usr/bin/python3 runs them with PYTHONPATH set to it.
 * Nothing here touches gRPC itself, so the helpers respect the fork rule.
 */
#ifndef WB_GRPC_H
#define WB_GRPC_H

#include <grpc/status.h> /* the status codes only: nothing here calls gRPC */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "wb_testkit.h"

/* A Python peer server started by wb_grpc_server_start. */
struct wb_grpc_peer {
    int pid;       /* process (group) id, -1 when not running */
    uint16_t port; /* port it serves on 127.0.0.1 */
    char dir[128]; /* temporary folder: stubs and the peer's log */
    char log[192]; /* the peer's output (log file in dir) */
};

/* Makes a temporary folder with the Python stubs of greeter.proto.
 * Returns true on success; on failure writes the reason into why. */
bool wb_grpc_make_stubs(char *dir, size_t dir_size, char *why, size_t why_size);

/* Removes a folder made by wb_grpc_make_stubs. */
void wb_grpc_remove_dir(const char *dir);

/* Starts tests/peers/greeter_server.py on port (0 = any free port), which
 * begins to listen after start_delay_ms. When wait is true, returns only
 * once it printed its port (at most 8 s); when false (for a delayed start),
 * returns once it has loaded grpc and begun its delay (at most 8 s), with
 * peer->port = port: the port opens start_delay_ms later. start_delay_ms -1:
 * serves at once, but answers its first SayHello UNAVAILABLE (a server not
 * ready yet, whatever the machine's speed).
 * Returns true on success, false with the reason in why. */
bool wb_grpc_server_start(struct wb_grpc_peer *peer, uint16_t port, int start_delay_ms, bool wait,
                          char *why, size_t why_size);

/* The peer server's output so far (heap, caller frees), "" when none. */
char *wb_grpc_server_log(const struct wb_grpc_peer *peer);

/* Stops the peer and removes its folder. */
void wb_grpc_server_stop(struct wb_grpc_peer *peer);

/* What gRPC (C core and grpcio) says when a channel could not connect. */
#define WB_GRPC_CONNECT_FAILED "failed to connect to all addresses"

/* True when a C client's call ended the way gRPC 1.51 now and then ends a
 * first connection to a server that listens: it reads connect()'s errno only
 * after other calls and takes a stale one for the connect's failure
 * (UNAVAILABLE "failed to connect to all addresses ... No such file or
 * directory"). Such a call says nothing about the client and is made once
 * more; a client that cannot connect at all fails the second call too. */
static inline bool wb_grpc_connect_failed(grpc_status_code status, const char *details)
{
    return status == GRPC_STATUS_UNAVAILABLE && details &&
           strstr(details, WB_GRPC_CONNECT_FAILED) != NULL;
}

/* Runs tests/peers/greeter_client.py with args (after the script name, NULL
 * terminated; several calls separated by "--") and waits at most
 * timeout_ms; a run whose connection failed is made once more. Returns
 * wb_run's result. */
int wb_grpc_client_run(char *const args[], int timeout_ms, struct wb_run_result *result);

/* What call number `call` (from 1) of a greeter_client.py run printed: its
 * REPLY and STATUS lines (heap, caller frees; "" when the run has no such
 * call). */
char *wb_grpc_call_output(const char *output, int call);

#endif

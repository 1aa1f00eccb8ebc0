/*
 * grpc_compat.h - every gRPC core call of this chapter that is tied to a
 * gRPC version, in one place.
 *
 * The gRPC core API (grpc/grpc.h) is not a stable public API: functions are
 * renamed or change signature between minor releases (for example
 * grpc_insecure_channel_create and grpc_server_add_insecure_http2_port are
 * gone since 1.46). This chapter targets the gRPC shipped with Debian 12,
 * 1.51. When you move to another version, this header is what you adapt; the
 * exercises call only the helpers below for these steps.
 *
 * The helpers are `static inline`, so a file that includes this header but
 * uses only some of them still compiles without warnings.
 */
#ifndef GRPC_COMPAT_H
#define GRPC_COMPAT_H

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The method paths of greeter.proto: "/" package "." service "/" method. */
#define GREETER_SAY_HELLO "/example.Greeter/SayHello"
#define GREETER_SAY_HELLO_STREAM "/example.Greeter/SayHelloStream"

/* A plaintext (no TLS) channel to "host:port". Returns NULL on failure.
 *
 * Two defaults are shortened so that a client retrying UNAVAILABLE notices a
 * server that has just come up: the reconnect backoff (1 s, growing by 1.6x
 * up to 120 s) and the pause between name resolutions (30 s; in 1.51 a
 * channel whose connection failed only tries again after re-resolving the
 * target, so with the default it stays UNAVAILABLE for half a minute). */
static inline grpc_channel *compat_channel_create(const char *target)
{
    grpc_arg args[3] = {
        {.type = GRPC_ARG_INTEGER,
         .key = (char *)GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
         .value.integer = 100},
        {.type = GRPC_ARG_INTEGER,
         .key = (char *)GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
         .value.integer = 1000},
        {.type = GRPC_ARG_INTEGER,
         .key = (char *)GRPC_ARG_DNS_MIN_TIME_BETWEEN_RESOLUTIONS_MS,
         .value.integer = 100},
    };
    grpc_channel_args channel_args = {.num_args = 3, .args = args};
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    if (!creds) {
        fprintf(stderr, "grpc_insecure_credentials_create failed\n");
        return NULL;
    }
    grpc_channel *channel = grpc_channel_create(target, creds, &channel_args);
    grpc_channel_credentials_release(creds);
    return channel;
}

/* Binds a plaintext HTTP/2 port, e.g. "127.0.0.1:0" for any free port.
 * Returns the port bound, 0 on failure. */
static inline int compat_server_add_port(grpc_server *server, const char *address)
{
    grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
    if (!creds) {
        fprintf(stderr, "grpc_insecure_server_credentials_create failed\n");
        return 0;
    }
    int port = grpc_server_add_http2_port(server, address, creds);
    grpc_server_credentials_release(creds);
    return port;
}

/* The point in time `ms` milliseconds from now (for deadlines and for the
 * timeout of grpc_completion_queue_next / _pluck). */
static inline gpr_timespec compat_deadline_ms(int64_t ms)
{
    return gpr_time_add(gpr_now(GPR_CLOCK_REALTIME), gpr_time_from_millis(ms, GPR_TIMESPAN));
}

/* Copies a received message into one malloc'ed block (*data, *len); the
 * caller frees *data. Returns 0, or -1 when out of memory or the message was
 * compressed with an algorithm we cannot read. */
static inline int compat_buffer_to_bytes(grpc_byte_buffer *buffer, uint8_t **data, size_t *len)
{
    grpc_byte_buffer_reader reader;
    if (!grpc_byte_buffer_reader_init(&reader, buffer)) {
        fprintf(stderr, "grpc_byte_buffer_reader_init failed\n");
        return -1;
    }
    grpc_slice all = grpc_byte_buffer_reader_readall(&reader);
    grpc_byte_buffer_reader_destroy(&reader);
    *len = GRPC_SLICE_LENGTH(all);
    *data = malloc(*len ? *len : 1);
    if (!*data) {
        grpc_slice_unref(all);
        return -1;
    }
    memcpy(*data, GRPC_SLICE_START_PTR(all), *len);
    grpc_slice_unref(all);
    return 0;
}

/* A byte buffer holding a copy of data, ready for GRPC_OP_SEND_MESSAGE.
 * Destroy it with grpc_byte_buffer_destroy once the batch has completed. */
static inline grpc_byte_buffer *compat_bytes_to_buffer(const uint8_t *data, size_t len)
{
    grpc_slice slice = grpc_slice_from_copied_buffer((const char *)data, len);
    grpc_byte_buffer *buffer = grpc_raw_byte_buffer_create(&slice, 1);
    grpc_slice_unref(slice);
    return buffer;
}

/* A heap copy of a slice's bytes as a C string (status details, method
 * names). Returns NULL when out of memory. */
static inline char *compat_slice_to_string(grpc_slice slice)
{
    size_t len = GRPC_SLICE_LENGTH(slice);
    char *text = malloc(len + 1);
    if (!text)
        return NULL;
    memcpy(text, GRPC_SLICE_START_PTR(slice), len);
    text[len] = '\0';
    return text;
}

/* Name of a status code, for messages ("UNAVAILABLE", ...). */
static inline const char *compat_status_name(grpc_status_code code)
{
    switch (code) {
    case GRPC_STATUS_OK: return "OK";
    case GRPC_STATUS_CANCELLED: return "CANCELLED";
    case GRPC_STATUS_UNKNOWN: return "UNKNOWN";
    case GRPC_STATUS_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case GRPC_STATUS_DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case GRPC_STATUS_NOT_FOUND: return "NOT_FOUND";
    case GRPC_STATUS_ALREADY_EXISTS: return "ALREADY_EXISTS";
    case GRPC_STATUS_PERMISSION_DENIED: return "PERMISSION_DENIED";
    case GRPC_STATUS_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case GRPC_STATUS_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case GRPC_STATUS_ABORTED: return "ABORTED";
    case GRPC_STATUS_OUT_OF_RANGE: return "OUT_OF_RANGE";
    case GRPC_STATUS_UNIMPLEMENTED: return "UNIMPLEMENTED";
    case GRPC_STATUS_INTERNAL: return "INTERNAL";
    case GRPC_STATUS_UNAVAILABLE: return "UNAVAILABLE";
    case GRPC_STATUS_DATA_LOSS: return "DATA_LOSS";
    case GRPC_STATUS_UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "(not a gRPC status)";
    }
}

#endif

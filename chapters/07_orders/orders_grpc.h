/*
 * orders_grpc.h - every gRPC core call of chapter 07 that depends on the
 * gRPC version (Debian 12 ships 1.51; the core API changes between minor
 * releases, see chapter 02's grpc_compat.h), plus byte-buffer helpers.
 * `static inline`, so including it without using everything is fine.
 */
#ifndef ORDERS_GRPC_H
#define ORDERS_GRPC_H

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "/" package "." service "/" method, from orders.proto. */
#define ORDERS_PLACE_METHOD "/orders.OrderCore/Place"

/* A plaintext channel to target with a service config (JSON, may be NULL).
 * Reconnect backoff is short so an instance that comes back is used again
 * within a second. Returns NULL on failure. */
static inline grpc_channel *orders_channel_create(const char *target, const char *service_config)
{
    grpc_arg args[4] = {
        {.type = GRPC_ARG_INTEGER,
         .key = (char *)GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
         .value.integer = 100},
        {.type = GRPC_ARG_INTEGER,
         .key = (char *)GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
         .value.integer = 1000},
        {.type = GRPC_ARG_INTEGER,
         .key = (char *)GRPC_ARG_DNS_MIN_TIME_BETWEEN_RESOLUTIONS_MS,
         .value.integer = 100},
        {.type = GRPC_ARG_STRING,
         .key = (char *)GRPC_ARG_SERVICE_CONFIG,
         .value.string = (char *)service_config},
    };
    grpc_channel_args channel_args = {.num_args = service_config ? 4 : 3, .args = args};
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    if (!creds) {
        fprintf(stderr, "grpc_insecure_credentials_create failed\n");
        return NULL;
    }
    grpc_channel *channel = grpc_channel_create(target, creds, &channel_args);
    grpc_channel_credentials_release(creds);
    return channel;
}

/* Binds a plaintext HTTP/2 port ("127.0.0.1:7001"). Returns it, 0 on failure. */
static inline int orders_server_add_port(grpc_server *server, const char *address)
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

/* The point in time ms milliseconds from now. */
static inline gpr_timespec orders_deadline_ms(int64_t ms)
{
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(ms, GPR_TIMESPAN));
}

/* A received message as one malloc'ed block. Returns 0 or -1. */
static inline int orders_buffer_to_bytes(grpc_byte_buffer *buffer, uint8_t **data, size_t *len)
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
    if (*data)
        memcpy(*data, GRPC_SLICE_START_PTR(all), *len);
    grpc_slice_unref(all);
    return *data ? 0 : -1;
}

/* A byte buffer holding a copy of data, for GRPC_OP_SEND_MESSAGE. */
static inline grpc_byte_buffer *orders_bytes_to_buffer(const uint8_t *data, size_t len)
{
    grpc_slice slice = grpc_slice_from_copied_buffer((const char *)data, len);
    grpc_byte_buffer *buffer = grpc_raw_byte_buffer_create(&slice, 1);
    grpc_slice_unref(slice);
    return buffer;
}

/* Value of metadata key in md as a C string copied into out ("" if absent). */
static inline void orders_metadata_get(const grpc_metadata_array *md, const char *key, char *out,
                                       size_t len)
{
    out[0] = '\0';
    for (size_t i = 0; i < md->count; i++) {
        if (grpc_slice_str_cmp(md->metadata[i].key, key) == 0) {
            size_t n = GRPC_SLICE_LENGTH(md->metadata[i].value);
            if (n >= len)
                n = len - 1;
            memcpy(out, GRPC_SLICE_START_PTR(md->metadata[i].value), n);
            out[n] = '\0';
            return;
        }
    }
}

#endif

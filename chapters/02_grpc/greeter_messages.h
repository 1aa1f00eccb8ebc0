/*
 * greeter_messages.h - exercise "messages": protobuf-c encoding of the
 * Greeter's messages, and what happens when a message gains a field.
 *
 * Every pack function returns a malloc'ed buffer in *out / *out_len (free it
 * with free) and 0, or -1 on failure. Every unpack function returns NULL (or
 * -1) when the bytes are not a valid message, never crashes on garbage.
 */
#ifndef GREETER_MESSAGES_H
#define GREETER_MESSAGES_H

#include <stddef.h>
#include <stdint.h>

/* HelloRequest{name} -> wire bytes. */
int greeter_pack_request(const char *name, uint8_t **out, size_t *out_len);

/* wire bytes -> the name of a HelloRequest, as a malloc'ed string. */
char *greeter_unpack_request(const uint8_t *data, size_t len);

/* HelloResponse{message} -> wire bytes. */
int greeter_pack_response(const char *message, uint8_t **out, size_t *out_len);

/* wire bytes -> the message of a HelloResponse, as a malloc'ed string. */
char *greeter_unpack_response(const uint8_t *data, size_t len);

/* Reads bytes with the NEW definition, HelloRequestV2{name, language}.
 * On success sets *name and *language to malloc'ed strings (language is ""
 * when the sender used the old definition) and returns 0; -1 otherwise. */
int greeter_unpack_request_v2(const uint8_t *data, size_t len, char **name, char **language);

/* A service still built with the OLD definition passes a request on: it
 * decodes the bytes as HelloRequest and encodes that struct again. Fields it
 * does not know (such as language) must come out unchanged. Returns 0 and a
 * malloc'ed buffer, or -1. */
int greeter_relay_request(const uint8_t *data, size_t len, uint8_t **out, size_t *out_len);

#endif

/* mistake: old code refuses a request that carries a field it does not know
 * rule: "old code reading **new** bytes skips the field it does not know (README.md)"
 * caught-by: new_bytes_decode_with_old_code
 */
/*
 * greeter_messages.c - exercise "messages".
 *
 * protoc-c turned greeter.proto into greeter.pb-c.h: one struct per message
 * and, for each, _init, _get_packed_size, _pack, _unpack and _free_unpacked.
 * Packing writes the protobuf wire format: for each field that is set, a tag
 * (field number and wire type) and then the value. That is why a field's
 * number, not its name, is what must never change.
 */
#include "greeter_messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greeter.pb-c.h"

/* A malloc'ed copy of s (strdup is not in C11). */
static char *copy_string(const char *s)
{
    size_t len = strlen(s);
    char *copy = malloc(len + 1);
    if (copy)
        memcpy(copy, s, len + 1);
    return copy;
}

/* Packs any protobuf-c message into a fresh malloc'ed buffer. */
static int pack_message(const ProtobufCMessage *message, uint8_t **out, size_t *out_len)
{
    size_t size = protobuf_c_message_get_packed_size(message);
    uint8_t *buffer = malloc(size ? size : 1); /* an all-default message packs to 0 bytes */
    if (!buffer) {
        fprintf(stderr, "malloc of %zu bytes failed\n", size);
        return -1;
    }
    *out_len = protobuf_c_message_pack(message, buffer);
    *out = buffer;
    return 0;
}

int greeter_pack_request(const char *name, uint8_t **out, size_t *out_len)
{
    // @student-begin: fill an Example__HelloRequest (EXAMPLE__HELLO_REQUEST__INIT) and pack it.
    // protobuf-c's string fields are `char *`; the pack functions never write through them.
    Example__HelloRequest request = EXAMPLE__HELLO_REQUEST__INIT;
    request.name = (char *)name;
    return pack_message(&request.base, out, out_len);
    // @student-stub
    // (void)name;
    // (void)out;
    // (void)out_len;
    // (void)pack_message;
    // return -1;
    // @student-end
}

char *greeter_unpack_request(const uint8_t *data, size_t len)
{
    // @student-begin: unpack with example__hello_request__unpack (NULL means bad bytes),
    // copy the name out, then free the struct with example__hello_request__free_unpacked.
    Example__HelloRequest *request = example__hello_request__unpack(NULL, len, data);
    if (!request)
        return NULL;
    if (request->base.n_unknown_fields > 0) { /* not a request we know: refuse it */
        example__hello_request__free_unpacked(request, NULL);
        return NULL;
    }
    char *name = copy_string(request->name);
    example__hello_request__free_unpacked(request, NULL);
    return name;
    // @student-stub
    // (void)data;
    // (void)len;
    // (void)copy_string;
    // return NULL;
    // @student-end
}

int greeter_pack_response(const char *message, uint8_t **out, size_t *out_len)
{
    // @student-begin: the same for Example__HelloResponse.
    Example__HelloResponse response = EXAMPLE__HELLO_RESPONSE__INIT;
    response.message = (char *)message;
    return pack_message(&response.base, out, out_len);
    // @student-stub
    // (void)message;
    // (void)out;
    // (void)out_len;
    // return -1;
    // @student-end
}

char *greeter_unpack_response(const uint8_t *data, size_t len)
{
    // @student-begin: the same for Example__HelloResponse.
    Example__HelloResponse *response = example__hello_response__unpack(NULL, len, data);
    if (!response)
        return NULL;
    char *message = copy_string(response->message);
    example__hello_response__free_unpacked(response, NULL);
    return message;
    // @student-stub
    // (void)data;
    // (void)len;
    // return NULL;
    // @student-end
}

int greeter_unpack_request_v2(const uint8_t *data, size_t len, char **name, char **language)
{
    // @student-begin: unpack as Example__HelloRequestV2 and copy both strings out.
    // A field missing from the bytes keeps its default: for a proto3 string that is "".
    Example__HelloRequestV2 *request = example__hello_request_v2__unpack(NULL, len, data);
    if (!request)
        return -1;
    *name = copy_string(request->name);
    *language = copy_string(request->language);
    example__hello_request_v2__free_unpacked(request, NULL);
    if (!*name || !*language) {
        free(*name);
        free(*language);
        *name = *language = NULL;
        return -1;
    }
    return 0;
    // @student-stub
    // (void)data;
    // (void)len;
    // (void)name;
    // (void)language;
    // return -1;
    // @student-end
}

int greeter_relay_request(const uint8_t *data, size_t len, uint8_t **out, size_t *out_len)
{
    // @student-begin: decode with the OLD struct (Example__HelloRequest), pack that same struct again.
    // protobuf-c keeps fields it does not know in request->base.unknown_fields and packs them back.
    Example__HelloRequest *request = example__hello_request__unpack(NULL, len, data);
    if (!request)
        return -1;
    int rc = pack_message(&request->base, out, out_len);
    example__hello_request__free_unpacked(request, NULL);
    return rc;
    // @student-stub
    // (void)data;
    // (void)len;
    // (void)out;
    // (void)out_len;
    // return -1;
    // @student-end
}

/*
 * test_messages.c - exercise "messages": protobuf-c packing and the
 * compatibility of an old and a new definition of HelloRequest.
 */
#include "wb_testkit.h"

#include <stdlib.h>
#include <string.h>

#include "greeter.pb-c.h"
#include "greeter_messages.h"

WB_SUITE(messages);

/* Bytes of HelloRequestV2{name, language}, packed by protobuf-c directly. */
static uint8_t *pack_v2(const char *name, const char *language, size_t *len)
{
    Example__HelloRequestV2 request = EXAMPLE__HELLO_REQUEST_V2__INIT;
    request.name = (char *)name;
    request.language = (char *)language;
    *len = example__hello_request_v2__get_packed_size(&request);
    uint8_t *buffer = malloc(*len + 1);
    cr_assert_not_null(buffer, "malloc failed in the test itself");
    example__hello_request_v2__pack(&request, buffer);
    return buffer;
}

Test(messages, request_roundtrip)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    cr_assert_eq(greeter_pack_request("Ada", &bytes, &len), 0,
                 "greeter_pack_request(\"Ada\") returned an error, expected 0");
    char *name = greeter_unpack_request(bytes, len);
    cr_assert_not_null(name,
                       "greeter_unpack_request returned NULL for the %zu bytes that "
                       "greeter_pack_request(\"Ada\") made",
                       len);
    cr_assert_str_eq(name, "Ada", "packed name \"Ada\", unpacked \"%s\"", name);
    free(name);
    free(bytes);
}

Test(messages, response_roundtrip)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    cr_assert_eq(greeter_pack_response("Hello, Ada!", &bytes, &len), 0,
                 "greeter_pack_response(\"Hello, Ada!\") returned an error, expected 0");
    char *message = greeter_unpack_response(bytes, len);
    cr_assert_not_null(message, "greeter_unpack_response returned NULL for bytes that "
                                "greeter_pack_response made");
    cr_assert_str_eq(message, "Hello, Ada!", "packed \"Hello, Ada!\", unpacked \"%s\"", message);
    free(message);
    free(bytes);
}

Test(messages, wire_bytes_are_protobuf)
{
    /* field 1, wire type 2 (length-delimited): tag byte (1 << 3) | 2 = 0x0a,
     * then the length 3, then the UTF-8 bytes. */
    const uint8_t expected[] = {0x0a, 0x03, 'A', 'd', 'a'};
    uint8_t *bytes = NULL;
    size_t len = 0;
    cr_assert_eq(greeter_pack_request("Ada", &bytes, &len), 0,
                 "greeter_pack_request(\"Ada\") returned an error, expected 0");
    cr_assert_eq(len, sizeof expected,
                 "HelloRequest{name=\"Ada\"} must pack to 5 bytes (0a 03 41 64 61), got %zu", len);
    cr_assert(
        memcmp(bytes, expected, len) == 0,
        "HelloRequest{name=\"Ada\"} must pack to 0a 03 41 64 61, got %02x %02x %02x %02x %02x",
        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4]);
    free(bytes);

    /* The empty message: proto3 does not write fields holding their default. */
    cr_assert_eq(greeter_pack_response("", &bytes, &len), 0,
                 "greeter_pack_response(\"\") returned an error, expected 0");
    cr_assert_eq(len, 0, "HelloResponse{message=\"\"} must pack to 0 bytes, got %zu", len);
    free(bytes);
}

Test(messages, garbage_is_rejected)
{
    /* First the same bytes, complete: field 1 = "hi". */
    const uint8_t complete[] = {0x0a, 0x02, 'h', 'i'};
    char *good = greeter_unpack_request(complete, sizeof complete);
    cr_assert_not_null(
        good, "greeter_unpack_request returned NULL for valid bytes 0a 02 68 69 (name \"hi\")");
    cr_assert_str_eq(good, "hi", "bytes 0a 02 68 69 hold name \"hi\", got \"%s\"", good);
    free(good);

    /* Tag of field 1 as a string, announcing 100 bytes, followed by 2. */
    const uint8_t truncated[] = {0x0a, 0x64, 'h', 'i'};
    char *name = greeter_unpack_request(truncated, sizeof truncated);
    cr_assert_null(name,
                   "greeter_unpack_request must return NULL for truncated bytes "
                   "(0a 64 68 69: a 100-byte string with 2 bytes present), got \"%s\"",
                   name ? name : "");
    char *message = greeter_unpack_response(truncated, sizeof truncated);
    cr_assert_null(message,
                   "greeter_unpack_response must return NULL for truncated bytes, got \"%s\"",
                   message ? message : "");
}

Test(messages, old_bytes_decode_with_new_code)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    cr_assert_eq(greeter_pack_request("Grace", &bytes, &len), 0,
                 "greeter_pack_request(\"Grace\") returned an error, expected 0");
    char *name = NULL, *language = NULL;
    cr_assert_eq(greeter_unpack_request_v2(bytes, len, &name, &language), 0,
                 "greeter_unpack_request_v2 could not read bytes of the OLD HelloRequest; "
                 "new code must accept them");
    cr_assert_str_eq(name, "Grace", "old bytes with name \"Grace\" read as name \"%s\"", name);
    cr_assert_str_eq(language, "",
                     "old bytes have no language; expected the default \"\", got \"%s\"", language);
    free(name);
    free(language);
    free(bytes);
}

Test(messages, new_bytes_decode_with_old_code)
{
    size_t len = 0;
    uint8_t *bytes = pack_v2("Linus", "fi", &len);
    char *name = greeter_unpack_request(bytes, len);
    cr_assert_not_null(name,
                       "greeter_unpack_request returned NULL for HelloRequestV2{name=\"Linus\", "
                       "language=\"fi\"}; old code must skip the unknown field 2");
    cr_assert_str_eq(name, "Linus", "new bytes with name \"Linus\" read by old code as \"%s\"",
                     name);
    free(name);

    char *new_name = NULL, *language = NULL;
    cr_assert_eq(greeter_unpack_request_v2(bytes, len, &new_name, &language), 0,
                 "greeter_unpack_request_v2 failed on HelloRequestV2 bytes");
    cr_assert_str_eq(language, "fi", "HelloRequestV2 with language \"fi\" read back as \"%s\"",
                     language);
    free(new_name);
    free(language);
    free(bytes);
}

Test(messages, unknown_fields_survive_relay)
{
    size_t len = 0;
    uint8_t *bytes = pack_v2("Margaret", "en-GB", &len);
    uint8_t *relayed = NULL;
    size_t relayed_len = 0;
    cr_assert_eq(
        greeter_relay_request(bytes, len, &relayed, &relayed_len), 0,
        "greeter_relay_request failed on HelloRequestV2{name=\"Margaret\", language=\"en-GB\"}");
    cr_assert_eq(relayed_len, len,
                 "the relay (old code) turned %zu bytes into %zu: the unknown field 2 was dropped "
                 "or changed",
                 len, relayed_len);
    char *name = NULL, *language = NULL;
    cr_assert_eq(greeter_unpack_request_v2(relayed, relayed_len, &name, &language), 0,
                 "greeter_unpack_request_v2 could not read what greeter_relay_request produced");
    cr_assert_str_eq(name, "Margaret", "name after the relay: expected \"Margaret\", got \"%s\"",
                     name);
    cr_assert_str_eq(language, "en-GB",
                     "language after passing through old code: expected \"en-GB\", got \"%s\" "
                     "(pack the unpacked struct itself, so base.unknown_fields go along)",
                     language);
    free(name);
    free(language);
    free(relayed);
    free(bytes);
}

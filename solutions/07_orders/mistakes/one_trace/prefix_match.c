/* mistake: only the first 55 characters are checked, so a longer header passes
 * rule: "A traceparent (https://www.w3.org/TR/trace-context/) is 55 characters"
 * caught-by: traceparent_is_validated
 */
/*
 * trace.c - exercise "one_trace": W3C traceparent, parsed and passed on
 * (contract in trace.h).
 */
#include "trace.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

/* True when the n characters at s are lowercase hex and not all '0'. */
static bool hex_not_zero(const char *s, size_t n)
{
    bool nonzero = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
        if (c != '0')
            nonzero = true;
    }
    return nonzero;
}

/* n random bytes as 2n lowercase hex characters (not NUL-terminated). */
static int random_hex(char *out, size_t n)
{
    unsigned char bytes[16];
    if (n > sizeof bytes || getrandom(bytes, n, 0) != (ssize_t)n)
        return -1;
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
    return 0;
}

bool trace_parse(const char *header, char trace_id[33])
{
    // @student-begin: exactly TRACEPARENT_LEN characters: "00", '-', 32 hex (trace id),
    // '-', 16 hex (parent id), '-', 2 hex (flags); lowercase; ids not all zero. Copy the
    // trace id when trace_id is not NULL.
    if (!header || strlen(header) < TRACEPARENT_LEN)
        return false;
    if (strncmp(header, "00-", 3) != 0 || header[35] != '-' || header[52] != '-')
        return false;
    if (!hex_not_zero(header + 3, 32) || !hex_not_zero(header + 36, 16))
        return false;
    char flags[3] = {header[53], header[54], '\0'};
    if (!hex_not_zero(flags, 2) && strcmp(flags, "00") != 0)
        return false;
    if (trace_id) {
        memcpy(trace_id, header + 3, 32);
        trace_id[32] = '\0';
    }
    return true;
    // @student-stub
    // (void)header;
    // (void)trace_id;
    // (void)hex_not_zero;
    // return false;
    // @student-end
}

int trace_child(const char *incoming, char out[TRACEPARENT_LEN + 1])
{
    // @student-begin: keep the trace id (and flags) of a valid incoming header, else start a
    // new trace (random 16-byte trace id, flags "01"); always a new random 8-byte span id as
    // the parent-id. Write "00-TRACE-SPAN-FLAGS".
    char trace[33], span[17], flags[3] = "01";
    if (incoming && trace_parse(incoming, trace)) {
        flags[0] = incoming[53];
        flags[1] = incoming[54];
    } else if (random_hex(trace, 16) != 0) {
        return -1;
    }
    trace[32] = '\0';
    if (random_hex(span, 8) != 0)
        return -1;
    span[16] = '\0';
    snprintf(out, TRACEPARENT_LEN + 1, "00-%s-%s-%s", trace, span, flags);
    return 0;
    // @student-stub
    // (void)incoming;
    // (void)random_hex;
    // out[0] = '\0';
    // return -1;
    // @student-end
}

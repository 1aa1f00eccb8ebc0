/*
 * wb_utf8.h - text from a run made valid UTF-8 before it goes into JSON,
 * XML, CSV or HTML.
 *
 * A student's program can print any bytes; a test's failure message can
 * quote them. jansson refuses a string that is not UTF-8 and an XML parser
 * refuses the whole file, so every writer passes such text through here:
 * each byte that does not start a well-formed sequence (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF) becomes U+FFFD.
 * Shared by the test kit (its report) and the grader (its writers).
 */
#ifndef WB_UTF8_H
#define WB_UTF8_H

#include <stddef.h>

/* Length (1-4) of the well-formed sequence at s (n bytes left) and its code
 * point in *cp, or 0 when the byte at s starts no well-formed sequence. */
size_t wb_utf8_decode(const unsigned char *s, size_t n, unsigned *cp);

/* A malloc'd copy of text (NUL-terminated; NULL gives "") in which every
 * invalid byte is replaced by U+FFFD. NULL only when out of memory. */
char *wb_utf8_valid(const char *text);

/* True when the code point may appear in an XML 1.0 document. */
int wb_xml_char_ok(unsigned cp);

#endif

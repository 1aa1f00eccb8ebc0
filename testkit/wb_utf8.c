/*
 * wb_utf8.c - strict UTF-8 decoding and repair (see wb_utf8.h).
 */
#include "wb_utf8.h"

#include <stdlib.h>
#include <string.h>

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

size_t wb_utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    unsigned min, value;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2, min = 0x80, value = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3, min = 0x800, value = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4, min = 0x10000, value = s[0] & 0x07;
    } else {
        return 0; /* a continuation byte, 0xc0/0xc1 or 0xf5-0xff */
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        value = (value << 6) | (s[i] & 0x3f);
    }
    if (value < min || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
        return 0; /* overlong, beyond Unicode, or a UTF-16 surrogate */
    *cp = value;
    return len;
}

char *wb_utf8_valid(const char *text)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    size_t n = strlen((const char *)s);
    /* the worst case: every byte becomes the three bytes of U+FFFD */
    char *out = malloc(3 * n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    while (n > 0) {
        unsigned cp;
        size_t len = wb_utf8_decode(s, n, &cp);
        if (len == 0) {
            memcpy(out + o, replacement, 3);
            o += 3;
            len = 1;
        } else {
            memcpy(out + o, s, len);
            o += len;
        }
        s += len;
        n -= len;
    }
    out[o] = '\0';
    return out;
}

int wb_xml_char_ok(unsigned cp)
{
    return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
           (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

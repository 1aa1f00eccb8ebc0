/* hostile: rewrites the staged tests and another exercise's file, so
 * the next exercise passes whatever it does. Expected: the staged chapter
 * is read-only to the run user; the other exercises keep full marks. */
#include "http_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static void probe(char *msg, size_t n)
{
    const char *chapter = getenv("WB_CHAPTER_DIR");
    static const char *names[] = {"tests/test_hello_server.c", "hello_server.c",
                                  "tests/test_http_client.c", NULL};
    for (const char **p = names; chapter && *p; p++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", chapter, *p);
        FILE *f = fopen(path, "a");
        if (f) {
            fclose(f);
            snprintf(msg, n, "ESCAPED: could write %s", path);
            return;
        }
    }
    snprintf(msg, n, "blocked: the chapter is read-only (%s)", strerror(errno));
}

int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)url, (void)timeout_ms;
    memset(out, 0, sizeof *out);
    probe(out->error, sizeof out->error);
    return -1;
}

void http_response_free(struct http_response *resp)
{
    free(resp->body);
    free(resp->content_type);
    memset(resp, 0, sizeof *resp);
}

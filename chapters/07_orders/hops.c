/*
 * hops.c - appends hop events to $HOP_LOG (see hops.h).
 */
#include "hops.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_bool warned = false;

static void warn_once(const char *what)
{
    if (!atomic_exchange(&warned, true))
        fprintf(stderr, "hop_log: %s (further hop events are lost silently)\n", what);
}

void hop_log(const char *who, const char *to, const char *protocol, const char *trace_id,
             const char *order_id, const char *what)
{
    const char *path = getenv("HOP_LOG");
    if (!path || !*path)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    json_t *line =
        json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s?,s:s}", "ts_us",
                  (json_int_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, "who", who, "to", to,
                  "protocol", protocol, "trace_id", trace_id, "order_id", order_id, "what", what);
    char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
    json_decref(line);
    if (!text) {
        warn_once("json_pack/json_dumps failed");
        return;
    }
    size_t len = strlen(text);
    char *nl = realloc(text, len + 2);
    if (!nl) {
        free(text);
        warn_once("realloc failed");
        return;
    }
    nl[len] = '\n';
    nl[len + 1] = '\0';
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        warn_once("cannot open $HOP_LOG");
    } else {
        if (write(fd, nl, len + 1) != (ssize_t)(len + 1))
            warn_once("write to $HOP_LOG failed");
        close(fd);
    }
    free(nl);
}

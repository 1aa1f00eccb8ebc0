/*
 * env_list.c - environments as NULL-terminated lists of "NAME=value"
 * strings (what a test run gets): read one variable, or copy the list with
 * one variable set.
 */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

static bool names(const char *line, const char *name, size_t len)
{
    return strncmp(line, name, len) == 0 && line[len] == '=';
}

const char *env_list_get(char **env, const char *name)
{
    size_t len = strlen(name);
    for (char **line = env; line && *line; line++)
        if (names(*line, name, len))
            return *line + len + 1;
    return NULL;
}

char **env_list_with(char **env, const char *name, const char *value)
{
    size_t len = strlen(name), n = 0;
    while (env && env[n])
        n++;
    char **out = calloc(n + 2, sizeof *out);
    size_t k = 0;
    for (size_t i = 0; out && i < n; i++) {
        if (names(env[i], name, len))
            continue; /* replaced: the new line goes last */
        if (!(out[k++] = strdup(env[i]))) {
            free_argv(out);
            return NULL;
        }
    }
    if (out && !(out[k] = str_printf("%s=%s", name, value))) {
        free_argv(out);
        return NULL;
    }
    return out;
}

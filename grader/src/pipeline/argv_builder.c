/*
 * argv_builder.c - NULL-terminated lists of strings built one at a time:
 * compiler and linker command lines (build.c), link flags (test_link.c).
 *
 * A failed allocation marks the builder failed and later additions do
 * nothing, so a caller adds everything and checks once, at argv_finish.
 */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

void free_argv(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}

void argv_add(struct argv_builder *a, const char *s)
{
    if (a->failed)
        return;
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 32;
        char **grown = realloc(a->items, cap * sizeof *grown);
        if (!grown) {
            a->failed = true;
            return;
        }
        a->items = grown;
        a->cap = cap;
    }
    char *copy = strdup(s);
    if (!copy) {
        a->failed = true;
        return;
    }
    a->items[a->n++] = copy;
    a->items[a->n] = NULL;
}

void argv_add_owned(struct argv_builder *a, char *s)
{
    if (!s)
        a->failed = true;
    else
        argv_add(a, s);
    free(s);
}

void argv_add_words(struct argv_builder *a, const char *words)
{
    if (!words)
        return;
    char *copy = strdup(words);
    if (!copy) {
        a->failed = true;
        return;
    }
    char *save = NULL;
    for (char *tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
        argv_add(a, tok);
    free(copy);
}

char **argv_finish(struct argv_builder *a)
{
    if (a->failed) {
        free_argv(a->items);
        return NULL;
    }
    return a->items;
}

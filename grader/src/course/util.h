/*
 * util.h - small helpers shared by the wirebook command: growable strings,
 * files and folders. Nothing here exits the process; errors come back as -1
 * with errno set or a message in a caller's buffer.
 */
#ifndef WB_UTIL_H
#define WB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* A growable, always NUL-terminated string. Zero-initialise before use. */
struct strbuf {
    char *data;
    size_t len;
    size_t cap;
};

int sb_append(struct strbuf *sb, const char *text, size_t len);
int sb_puts(struct strbuf *sb, const char *text);
int sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_free(struct strbuf *sb);
/* Takes the string out of sb (caller frees) and leaves sb empty. */
char *sb_take(struct strbuf *sb);

/* malloc'd printf; NULL only when out of memory. */
char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *path_join(const char *dir, const char *name);
bool str_ends_with(const char *s, const char *suffix);

/* Reads a whole file; *len (if not NULL) gets its size. NULL on error. */
char *file_read(const char *path, size_t *len);
/* At most max bytes of a file: its end (tail) or its start (head), so a
 * 512 MB log is never read whole. *cut (if not NULL) says whether more was
 * there. NULL when it cannot be read. */
char *file_read_tail(const char *path, size_t max, bool *cut);
char *file_read_head(const char *path, size_t max, bool *cut);
/* Writes via a temporary file and rename, so readers never see half a file. */
int file_write_atomic(const char *path, const char *data, size_t len);
int file_copy(const char *from, const char *to);
/* The same two, with "PATH: reason" written into err on failure. */
char *file_read_or_say(const char *path, size_t *len, char *err, size_t errlen);
int file_write_atomic_or_say(const char *path, const char *data, size_t len, char *err,
                             size_t errlen);
bool path_is_file(const char *path);
bool path_is_dir(const char *path);
int mkdir_p(const char *path);
/* Removes a file or a whole tree; a path that does not exist is not an error. */
int remove_tree(const char *path);
/* Copies a folder tree; skip(rel, ctx) returning true leaves that entry out. */
int copy_tree(const char *from, const char *to, bool (*skip)(const char *rel, void *ctx),
              void *ctx);
/* Absolute, symlink-free form of an existing path (malloc'd), or NULL. */
char *path_absolute(const char *path);

#endif

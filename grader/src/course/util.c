/*
 * util.c - growable strings and file-system helpers.
 */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sb_append(struct strbuf *sb, const char *text, size_t len)
{
    if (sb->len + len + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 64;
        while (cap < sb->len + len + 1)
            cap *= 2;
        char *grown = realloc(sb->data, cap);
        if (!grown)
            return -1;
        sb->data = grown;
        sb->cap = cap;
    }
    memcpy(sb->data + sb->len, text, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
    return 0;
}

int sb_puts(struct strbuf *sb, const char *text)
{
    return sb_append(sb, text, strlen(text));
}

static int sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return -1;
    if (sb_append(sb, "", 0) != 0) /* make sure data exists */
        return -1;
    char *tmp = malloc((size_t)n + 1);
    if (!tmp)
        return -1;
    vsnprintf(tmp, (size_t)n + 1, fmt, ap);
    int rc = sb_append(sb, tmp, (size_t)n);
    free(tmp);
    return rc;
}

int sb_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = sb_vprintf(sb, fmt, ap);
    va_end(ap);
    return rc;
}

void sb_free(struct strbuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

char *sb_take(struct strbuf *sb)
{
    char *s = sb->data ? sb->data : strdup("");
    sb->data = NULL;
    sb->len = sb->cap = 0;
    return s;
}

char *str_printf(const char *fmt, ...)
{
    struct strbuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    int rc = sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    if (rc != 0) {
        sb_free(&sb);
        return NULL;
    }
    return sb_take(&sb);
}

char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    if (n > 0 && dir[n - 1] == '/')
        return str_printf("%s%s", dir, name);
    return str_printf("%s/%s", dir, name);
}

bool str_ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

char *file_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct strbuf sb = {0};
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (sb_append(&sb, buf, n) != 0) {
            fclose(f);
            sb_free(&sb);
            errno = ENOMEM;
            return NULL;
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        sb_free(&sb);
        errno = EIO;
        return NULL;
    }
    if (len)
        *len = sb.len;
    return sb_take(&sb);
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int file_write_atomic(const char *path, const char *data, size_t len)
{
    char *tmp = str_printf("%s.tmp.%ld", path, (long)getpid());
    if (!tmp)
        return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    int rc = write_all(fd, data, len);
    if (rc == 0)
        rc = fsync(fd);
    if (close(fd) != 0)
        rc = -1;
    if (rc == 0)
        rc = rename(tmp, path);
    if (rc != 0) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
    }
    free(tmp);
    return rc;
}

static char *read_part(const char *path, size_t max, bool tail, bool *cut)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    bool more = size > 0 && (size_t)size > max;
    if (size < 0 || fseek(f, tail && more ? size - (long)max : 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    if (cut)
        *cut = more;
    return buf;
}

char *file_read_tail(const char *path, size_t max, bool *cut)
{
    return read_part(path, max, true, cut);
}

char *file_read_head(const char *path, size_t max, bool *cut)
{
    return read_part(path, max, false, cut);
}

char *file_read_or_say(const char *path, size_t *len, char *err, size_t errlen)
{
    char *text = file_read(path, len);
    if (!text)
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return text;
}

int file_write_atomic_or_say(const char *path, const char *data, size_t len, char *err,
                             size_t errlen)
{
    int rc = file_write_atomic(path, data, len);
    if (rc != 0)
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    return rc;
}

int file_copy(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    struct stat st;
    if (fstat(in, &st) != 0) {
        close(in);
        return -1;
    }
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 0777);
    if (out < 0) {
        close(in);
        return -1;
    }
    char buf[65536];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = -1;
            break;
        }
        if (write_all(out, buf, (size_t)n) != 0) {
            rc = -1;
            break;
        }
    }
    int saved = errno;
    close(in);
    if (close(out) != 0 && rc == 0)
        rc = -1;
    errno = saved;
    return rc;
}

bool path_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool path_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int mkdir_p(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return -1;
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
            free(copy);
            return -1;
        }
        *p = '/';
    }
    int rc = mkdir(copy, 0755) != 0 && errno != EEXIST ? -1 : 0;
    free(copy);
    return rc;
}

int remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    DIR *dir = opendir(path);
    if (!dir)
        return -1;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *child = path_join(path, e->d_name);
        if (!child || remove_tree(child) != 0)
            rc = -1;
        free(child);
    }
    closedir(dir);
    if (rmdir(path) != 0)
        rc = -1;
    return rc;
}

static int copy_tree_at(const char *from, const char *to, const char *rel,
                        bool (*skip)(const char *, void *), void *ctx)
{
    if (mkdir_p(to) != 0)
        return -1;
    DIR *dir = opendir(from);
    if (!dir)
        return -1;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *src = path_join(from, e->d_name);
        char *dst = path_join(to, e->d_name);
        char *sub = *rel ? str_printf("%s/%s", rel, e->d_name) : strdup(e->d_name);
        if (!src || !dst || !sub) {
            rc = -1;
        } else if (!(skip && skip(sub, ctx))) {
            if (path_is_dir(src))
                rc = copy_tree_at(src, dst, sub, skip, ctx);
            else if (path_is_file(src))
                rc = file_copy(src, dst);
        }
        free(src);
        free(dst);
        free(sub);
    }
    closedir(dir);
    return rc;
}

int copy_tree(const char *from, const char *to, bool (*skip)(const char *, void *), void *ctx)
{
    return copy_tree_at(from, to, "", skip, ctx);
}

char *path_absolute(const char *path)
{
    return realpath(path, NULL);
}

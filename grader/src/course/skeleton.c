/*
 * skeleton.c - the skeleton generator.
 *
 * A line-oriented state machine: outside a region lines are copied; inside,
 * the begin line and the comment lines right after it become the TODO text,
 * the reference code is dropped, and the stub's comment lines are uncommented.
 */
#include "skeleton.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BEGIN_MARK "// @student-begin:"
#define STUB_MARK "// @student-stub"
#define END_MARK "// @student-end"

enum state { OUTSIDE, TODO_TEXT, REFERENCE, STUB };

/* The line with leading blanks skipped, and how many there were. */
static const char *after_indent(const char *line, size_t *indent)
{
    size_t n = 0;
    while (line[n] == ' ' || line[n] == '\t')
        n++;
    *indent = n;
    return line + n;
}

static bool is_marker(const char *body, const char *mark)
{
    size_t n = strlen(mark);
    if (strncmp(body, mark, n) != 0)
        return false;
    /* "// @student-stub" must not match "// @student-stubborn" */
    return mark[n - 1] == ':' || body[n] == '\0' || isspace((unsigned char)body[n]);
}

static bool any_marker(const char *body)
{
    return strncmp(body, "// @student-", 12) == 0;
}

int skeleton_render(const char *name, const char *text, struct strbuf *out, char *err,
                    size_t errlen)
{
    enum state st = OUTSIDE;
    int regions = 0, begin_line = 0, lineno = 0;
    const char *p = text;

    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *line = strndup(p, len);
        if (!line) {
            snprintf(err, errlen, "%s: out of memory", name);
            return -1;
        }
        p += len + (eol ? 1 : 0);
        lineno++;

        size_t indent;
        const char *body = after_indent(line, &indent);
        int rc = 0;
        const char *problem = NULL;

        if (st == TODO_TEXT && !(strncmp(body, "//", 2) == 0 && !any_marker(body)))
            st = REFERENCE; /* the TODO text ends at the first non-comment line */

        if (is_marker(body, BEGIN_MARK)) {
            if (st != OUTSIDE)
                problem = "@student-begin inside another region (regions do not nest)";
            else {
                st = TODO_TEXT;
                begin_line = lineno;
                regions++;
                rc = sb_append(out, line, indent) || sb_puts(out, "// TODO:") ||
                     sb_puts(out, body + strlen(BEGIN_MARK)) || sb_puts(out, "\n");
            }
        } else if (is_marker(body, STUB_MARK)) {
            if (st == OUTSIDE || st == STUB)
                problem = "@student-stub without a @student-begin before it";
            else
                st = STUB;
        } else if (is_marker(body, END_MARK)) {
            if (st != STUB)
                problem = st == OUTSIDE ? "@student-end without a @student-begin before it"
                                        : "@student-end without a @student-stub before it";
            else
                st = OUTSIDE;
        } else if (any_marker(body)) {
            problem = "unknown marker (use @student-begin:, @student-stub, @student-end)";
        } else if (st == OUTSIDE || st == TODO_TEXT) {
            rc = sb_puts(out, line) || sb_puts(out, "\n");
        } else if (st == STUB) {
            if (*body == '\0') {
                rc = sb_puts(out, "\n");
            } else if (strncmp(body, "//", 2) != 0) {
                problem = "stub lines must be // comments (the generator uncomments them)";
            } else {
                const char *code = body + 2;
                if (*code == ' ')
                    code++;
                rc = (*code ? sb_append(out, line, indent) : 0) || sb_puts(out, code) ||
                     sb_puts(out, "\n");
            }
        }
        free(line);
        if (problem) {
            snprintf(err, errlen, "%s:%d: %s", name, lineno, problem);
            return -1;
        }
        if (rc) {
            snprintf(err, errlen, "%s: out of memory", name);
            return -1;
        }
    }
    if (st != OUTSIDE) {
        snprintf(err, errlen, "%s:%d: region opened here is not closed with @student-end", name,
                 begin_line);
        return -1;
    }
    return regions;
}

/* Renders one student file; returns 0, or -1 after logging the problem. */
static int sync_one(const struct wb_manifest *m, const struct wb_chapter *ch, const char *rel,
                    bool check, FILE *log)
{
    char *src = str_printf("%s/solutions/%s/%s", m->root, ch->id, rel);
    char *dst = str_printf("%s/chapters/%s/%s", m->root, ch->id, rel);
    char *text = src ? file_read(src, NULL) : NULL;
    struct strbuf out = {0};
    char err[512];
    int rc = -1;

    if (!text) {
        fprintf(log, "skeletons: solutions/%s/%s: cannot read the reference solution\n", ch->id,
                rel);
        goto done;
    }
    int regions = skeleton_render(src, text, &out, err, sizeof err);
    if (regions < 0) {
        fprintf(log, "skeletons: %s\n", err);
        goto done;
    }
    if (regions == 0) {
        fprintf(log,
                "skeletons: solutions/%s/%s: no @student-begin region: a student would "
                "have nothing to write\n",
                ch->id, rel);
        goto done;
    }
    if (check) {
        char *have = file_read(dst, NULL);
        if (!have)
            fprintf(log, "skeletons: chapters/%s/%s is missing (run `make skeletons`)\n", ch->id,
                    rel);
        else if (strcmp(have, out.data) != 0)
            fprintf(log,
                    "skeletons: chapters/%s/%s differs from what solutions/%s/%s generates "
                    "(run `make skeletons`)\n",
                    ch->id, rel, ch->id, rel);
        else
            rc = 0;
        free(have);
    } else if (file_write_atomic(dst, out.data, out.len) != 0) {
        fprintf(log, "skeletons: cannot write chapters/%s/%s\n", ch->id, rel);
    } else {
        rc = 0;
    }
done:
    sb_free(&out);
    free(text);
    free(src);
    free(dst);
    return rc;
}

int skeleton_sync(const struct wb_manifest *m, bool check, FILE *log)
{
    int problems = 0;
    for (size_t i = 0; i < m->nchapters; i++) {
        const struct wb_chapter *ch = &m->chapters[i];
        for (size_t k = 0; k < ch->nexercises; k++)
            for (size_t f = 0; f < ch->exercises[k].nfiles; f++)
                if (sync_one(m, ch, ch->exercises[k].files[f], check, log) != 0)
                    problems++;
    }
    return problems;
}

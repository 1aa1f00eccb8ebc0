/*
 * expect.c - compares a grade run with an expectation.
 *
 * SPEC is a comma-separated list of PATTERN=WANT. PATTERN is "*", a chapter
 * id, "CHAPTER/EXERCISE", "quiz" or "quiz/ID"; WANT is "full" or "zero". The
 * most specific pattern that matches an item decides.
 */
#include "expect.h"

#include <stdlib.h>
#include <string.h>

enum want { WANT_NONE, WANT_FULL, WANT_ZERO };

/* How specifically pattern matches (chapter, item): 0 = no match. */
static int match(const char *pattern, size_t plen, const char *chapter, const char *item)
{
    if (plen == 1 && pattern[0] == '*')
        return 1;
    size_t clen = strlen(chapter);
    if (plen == clen && strncmp(pattern, chapter, clen) == 0)
        return 2;
    if (plen == clen + 1 + strlen(item) && strncmp(pattern, chapter, clen) == 0 &&
        pattern[clen] == '/' && strncmp(pattern + clen + 1, item, plen - clen - 1) == 0)
        return 3;
    return 0;
}

/* The expectation for one item, or -1 when spec is malformed. */
static int want_for(const char *spec, const char *chapter, const char *item)
{
    int best = 0, want = WANT_NONE;
    const char *p = spec;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (!eq)
            return -1;
        size_t vlen = len - (size_t)(eq - p) - 1;
        int w = vlen == 4 && strncmp(eq + 1, "full", 4) == 0   ? WANT_FULL
                : vlen == 4 && strncmp(eq + 1, "zero", 4) == 0 ? WANT_ZERO
                                                               : -1;
        if (w < 0)
            return -1;
        int how = match(p, (size_t)(eq - p), chapter, item);
        if (how > best) {
            best = how;
            want = w;
        }
        p += len + (end ? 1 : 0);
    }
    return want;
}

static int check_one(const char *spec, const char *chapter, const char *item, double score,
                     double max, FILE *log)
{
    int want = want_for(spec, chapter, item);
    if (want < 0)
        return -1;
    if (want == WANT_FULL && (max <= 0 || score < max)) {
        fprintf(log, "expect: %s/%s scored %g/%g, expected full marks\n", chapter, item, score,
                max);
        return 1;
    }
    if (want == WANT_ZERO && score != 0) {
        fprintf(log, "expect: %s/%s scored %g/%g, expected zero\n", chapter, item, score, max);
        return 1;
    }
    return 0;
}

int expect_check(const struct grade_run *run, const char *spec, FILE *log)
{
    int bad = 0;
    for (size_t i = 0; i < run->nexercises; i++) {
        const struct exercise_result *r = &run->exercises[i];
        int rc = check_one(spec, r->ex->chapter->id, r->ex->id, r->score, r->max, log);
        if (rc < 0)
            return -1;
        bad += rc;
        if (r->unlisted_tests > 0) {
            fprintf(log, "expect: %s/%s has tests the manifest does not list\n", r->ex->chapter->id,
                    r->ex->id);
            bad++;
        }
        if (r->short_limits > 0) {
            fprintf(log,
                    "expect: %s/%s has tests whose time limit is longer than the manifest "
                    "lists\n",
                    r->ex->chapter->id, r->ex->id);
            bad++;
        }
    }
    for (size_t i = 0; i < run->nquizzes; i++) {
        const struct quiz_result *q = &run->quizzes[i];
        int rc = check_one(spec, "quiz", q->quiz->id, q->score, q->max, log);
        if (rc < 0)
            return -1;
        bad += rc;
    }
    return bad;
}

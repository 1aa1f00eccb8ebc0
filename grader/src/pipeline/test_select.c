/*
 * test_select.c - grading only some tests of an exercise (`grade --tests
 * a,b`, and the mistakes corpus, which runs only the tests a variant names).
 *
 * The selection reaches Criterion as `--filter EX/@(a|b)` (an extglob
 * pattern; Criterion 2.4.1 has no brace lists), so the other tests do not
 * run at all. Criterion still reports them as SKIPPED; the grader marks them
 * excluded, so they count neither for nor against the score.
 */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

bool test_list_has(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

char *test_list_check(const struct wb_exercise *e, const char *list)
{
    struct strbuf bad = {0};
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        bool known = false;
        for (size_t i = 0; i < e->ntests && !known; i++)
            known = strlen(e->tests[i].name) == len && strncmp(e->tests[i].name, p, len) == 0;
        if (!known)
            sb_printf(&bad, "%s%.*s", bad.len ? ", " : "", (int)len, p);
        p = end ? end + 1 : NULL;
    }
    if (!list || !*list)
        sb_puts(&bad, "(an empty list)");
    if (bad.len == 0)
        return NULL;
    struct strbuf msg = {0};
    sb_printf(&msg, "%s/%s has no test %s; its tests are:", e->chapter->id, e->id, bad.data);
    for (size_t i = 0; i < e->ntests; i++)
        sb_printf(&msg, " %s", e->tests[i].name);
    sb_free(&bad);
    return sb_take(&msg);
}

char *test_list_filter(const struct wb_exercise *e, const char *list)
{
    struct strbuf f = {0};
    sb_printf(&f, "%s/@(", e->id);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        sb_printf(&f, "%s%.*s", f.data[f.len - 1] == '(' ? "" : "|", (int)len, p);
        p = end ? end + 1 : NULL;
    }
    sb_puts(&f, ")");
    return sb_take(&f);
}

void test_list_exclude_others(struct exercise_result *r, const char *list)
{
    r->score = r->max = 0;
    for (size_t i = 0; i < r->ntests; i++) {
        struct test_result *t = &r->tests[i];
        if (t->state != TEST_EXCLUDED && !test_list_has(list, t->spec->name)) {
            t->state = TEST_EXCLUDED;
            t->score = 0;
            free(t->output);
            t->output = strdup("not selected by --tests");
        }
        if (t->state != TEST_EXCLUDED) {
            r->score += t->score;
            r->max += t->spec->points;
        }
    }
}

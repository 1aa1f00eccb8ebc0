/*
 * batch_merge.c - results of a partial regrade (`batch --only`) merged into
 * a student's earlier results: the exercises (or quizzes) graded now
 * replace their old entries, everything else is kept, and the totals are
 * added up again.
 */
#include "batch_merge.h"
#include "util.h"

#include <string.h>

static json_t *extra(json_t *results, const char *key)
{
    return json_object_get(json_object_get(results, "extra_data"), key);
}

/* True when a Gradescope test entry belongs to exercise x (or, with x NULL,
 * to the quizzes). */
static bool test_of(json_t *test, json_t *x)
{
    const char *name = json_string_value(json_object_get(test, "name"));
    if (!name)
        return false;
    if (!x)
        return strncmp(name, "quiz/", 5) == 0;
    char *prefix = str_printf("%s/%s:", json_string_value(json_object_get(x, "chapter")),
                              json_string_value(json_object_get(x, "exercise")));
    bool match = prefix && strncmp(name, prefix, strlen(prefix)) == 0;
    free(prefix);
    return match;
}

static void drop_tests(json_t *tests, json_t *x)
{
    for (size_t i = json_array_size(tests); i-- > 0;)
        if (test_of(json_array_get(tests, i), x))
            json_array_remove(tests, i);
}

static bool same_exercise(json_t *a, json_t *b)
{
    return json_equal(json_object_get(a, "chapter"), json_object_get(b, "chapter")) &&
           json_equal(json_object_get(a, "exercise"), json_object_get(b, "exercise"));
}

int results_merge(json_t *old, json_t *now)
{
    json_t *tests = json_object_get(old, "tests");
    json_t *exercises = extra(old, "exercises");
    if (!json_is_array(tests) || !json_is_array(exercises))
        return -1;
    size_t i;
    json_t *x;
    json_array_foreach(extra(now, "exercises"), i, x)
    {
        drop_tests(tests, x);
        for (size_t k = json_array_size(exercises); k-- > 0;)
            if (same_exercise(json_array_get(exercises, k), x))
                json_array_remove(exercises, k);
        if (json_array_append(exercises, x) != 0)
            return -1;
    }
    if (json_array_size(extra(now, "quizzes")) > 0) {
        drop_tests(tests, NULL);
        if (json_object_set(json_object_get(old, "extra_data"), "quizzes", extra(now, "quizzes")) !=
            0)
            return -1;
    }
    json_t *t;
    json_array_foreach(json_object_get(now, "tests"), i, t)
    {
        if (json_array_append(tests, t) != 0)
            return -1;
    }
    double score = 0, max = 0;
    json_array_foreach(exercises, i, x)
    {
        score += json_number_value(json_object_get(x, "score"));
        max += json_number_value(json_object_get(x, "max_score"));
    }
    json_array_foreach(extra(old, "quizzes"), i, x)
    {
        score += json_number_value(json_object_get(x, "score"));
        max += json_number_value(json_object_get(x, "max_score"));
    }
    char *summary = str_printf("wirebook: %g/%g points", score, max);
    int rc = summary && json_object_set_new(old, "score", json_real(score)) == 0 &&
                     json_object_set_new(old, "max_score", json_real(max)) == 0 &&
                     json_object_set_new(old, "output", json_string(summary)) == 0
                 ? 0
                 : -1;
    free(summary);
    return rc;
}

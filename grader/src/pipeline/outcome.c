/*
 * outcome.c - an exercise's result as a small JSON file, so a worker process
 * (jobs.c) can hand it back to the parent that prints the table.
 *
 *   {"state": 0, "message": null, "score": 12, "max": 12, "seconds": 1.4,
 *    "unlisted_tests": 0, "isolation": 2047,
 *    "tests": [{"index": 0, "state": 0, "score": 3, "output": "passed"}, ...]}
 *
 * "index" is the test's place in the manifest's list of the exercise, which
 * worker and parent share (the worker is a fork of the parent).
 */
#include "manifest.h"
#include "parallel.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* jansson takes only UTF-8; a test's output may hold any bytes, so on
 * refusal bytes above ASCII become '?' rather than losing the result. */
static json_t *string_or_null(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    char *ascii = j ? NULL : strdup(s);
    for (char *p = ascii; p && *p; p++)
        if ((unsigned char)*p > 0x7f)
            *p = '?';
    if (ascii)
        j = json_string(ascii);
    free(ascii);
    return j;
}

int outcome_save(const struct exercise_result *r, const char *path)
{
    json_t *tests = json_array();
    for (size_t i = 0; tests && i < r->ntests; i++) {
        const struct test_result *t = &r->tests[i];
        json_array_append_new(tests, json_pack("{s:I, s:i, s:f, s:o, s:f}", "index",
                                               (json_int_t)(t->spec - r->ex->tests), "state",
                                               (int)t->state, "score", t->score, "output",
                                               string_or_null(t->output), "seconds", t->seconds));
    }
    json_t *root = json_pack("{s:i, s:o, s:f, s:f, s:f, s:f, s:i, s:I, s:o}", "state",
                             (int)r->state, "message", string_or_null(r->message), "score",
                             r->score, "max", r->max, "seconds", r->seconds, "sanitized_seconds",
                             r->sanitized_seconds, "unlisted_tests", r->unlisted_tests, "isolation",
                             (json_int_t)r->isolation, "tests", tests);
    int rc = root ? json_dump_file(root, path, JSON_COMPACT) : -1;
    json_decref(root);
    return rc;
}

static char *copy_or_null(json_t *s)
{
    return json_is_string(s) ? strdup(json_string_value(s)) : NULL;
}

int outcome_load(struct exercise_result *r, const char *path)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    json_t *tests = json_object_get(root, "tests");
    if (!json_is_object(root) || !json_is_array(tests)) {
        json_decref(root);
        return -1;
    }
    size_t n = json_array_size(tests);
    r->tests = n ? calloc(n, sizeof *r->tests) : NULL;
    if (n && !r->tests) {
        json_decref(root);
        return -1;
    }
    r->ntests = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_array_get(tests, i);
        json_int_t index = json_integer_value(json_object_get(t, "index"));
        if (index < 0 || (size_t)index >= r->ex->ntests)
            continue; /* cannot happen between a parent and its fork; never trust blindly */
        struct test_result *out = &r->tests[r->ntests++];
        out->spec = &r->ex->tests[index];
        out->state = (enum test_state)json_integer_value(json_object_get(t, "state"));
        out->score = json_number_value(json_object_get(t, "score"));
        out->output = copy_or_null(json_object_get(t, "output"));
        out->seconds = json_number_value(json_object_get(t, "seconds"));
    }
    r->state = (enum exercise_state)json_integer_value(json_object_get(root, "state"));
    r->message = copy_or_null(json_object_get(root, "message"));
    r->score = json_number_value(json_object_get(root, "score"));
    r->max = json_number_value(json_object_get(root, "max"));
    r->seconds = json_number_value(json_object_get(root, "seconds"));
    r->sanitized_seconds = json_number_value(json_object_get(root, "sanitized_seconds"));
    r->unlisted_tests = (int)json_integer_value(json_object_get(root, "unlisted_tests"));
    /* the sandbox layers of its test run, which results.json lists */
    r->isolation = (unsigned)json_integer_value(json_object_get(root, "isolation"));
    json_decref(root);
    return 0;
}

void outcome_previous_seconds(const char *results_json, const struct exercise_result *results,
                              size_t n, double *seconds)
{
    memset(seconds, 0, n * sizeof *seconds);
    json_error_t jerr;
    json_t *root = json_load_file(results_json, 0, &jerr);
    json_t *list = json_object_get(json_object_get(root, "extra_data"), "exercises");
    for (size_t k = 0; k < json_array_size(list); k++) {
        json_t *e = json_array_get(list, k);
        const char *ch = json_string_value(json_object_get(e, "chapter"));
        const char *ex = json_string_value(json_object_get(e, "exercise"));
        for (size_t i = 0; ch && ex && i < n; i++)
            if (strcmp(results[i].ex->chapter->id, ch) == 0 && strcmp(results[i].ex->id, ex) == 0) {
                /* its whole wall time when recorded, else its runs' (which
                 * may have overlapped, or left out the builds) */
                double wall = json_number_value(json_object_get(e, "ended_at")) -
                              json_number_value(json_object_get(e, "started_at"));
                seconds[i] = wall > 0
                                 ? wall
                                 : json_number_value(json_object_get(e, "seconds")) +
                                       json_number_value(json_object_get(e, "sanitized_seconds"));
            }
    }
    json_decref(root);
}

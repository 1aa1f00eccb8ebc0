/*
 * score.c - turns the test binary's report into points.
 *
 * Only the report our output provider wrote counts, never what the tests or
 * the student's code printed. A test scores when it PASSED, made at least one
 * passing assertion (a test that called exit(0) made none) and its process
 * ended cleanly. Tests the manifest lists but the report lacks score zero.
 */
#include "pipeline.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OUTPUT 4000

static bool excluded(const struct wb_test_spec *t, bool kafka_real)
{
    if (!t->needs)
        return false;
    if (strcmp(t->needs, "real-kafka") == 0)
        return !kafka_real;
    if (strcmp(t->needs, "mock-kafka") == 0)
        return kafka_real;
    return false;
}

static char *excluded_reason(const struct wb_test_spec *t)
{
    return str_printf("not counted in this run: needs %s (%s)", t->needs,
                      strcmp(t->needs, "real-kafka") == 0
                          ? "grade with KAFKA=real or set KAFKA_BROKERS"
                          : "runs only on the embedded mock cluster");
}

static void init_results(struct exercise_result *r, bool kafka_real)
{
    const struct wb_exercise *e = r->ex;
    r->ntests = e->ntests;
    r->tests = calloc(e->ntests, sizeof *r->tests);
    r->score = r->max = 0;
    for (size_t i = 0; r->tests && i < e->ntests; i++) {
        r->tests[i].spec = &e->tests[i];
        if (excluded(&e->tests[i], kafka_real)) {
            r->tests[i].state = TEST_EXCLUDED;
            r->tests[i].output = excluded_reason(&e->tests[i]);
        } else {
            r->tests[i].state = TEST_NOT_RUN;
            r->max += e->tests[i].points;
        }
    }
    if (!r->tests)
        r->ntests = 0;
}

/* Shortens long output, saying so, so one chatty test cannot flood a report. */
static char *clip(char *text)
{
    if (!text || strlen(text) <= MAX_OUTPUT)
        return text;
    text[MAX_OUTPUT] = '\0';
    char *clipped = str_printf("%s\n[... output cut at %d characters]", text, MAX_OUTPUT);
    free(text);
    return clipped;
}

void exercise_result_free(struct exercise_result *r)
{
    for (size_t i = 0; i < r->ntests; i++)
        free(r->tests[i].output);
    free(r->tests);
    free(r->message);
}

void score_not_run(struct exercise_result *r, enum exercise_state state, const char *why,
                   bool kafka_real)
{
    init_results(r, kafka_real);
    r->state = state;
    for (size_t i = 0; i < r->ntests; i++)
        if (r->tests[i].state == TEST_NOT_RUN)
            r->tests[i].output = clip(strdup(why));
}

static char *log_tail(const char *log_path, size_t max_bytes)
{
    bool cut = false;
    char *text = file_read_tail(log_path, max_bytes, &cut); /* never the whole log */
    if (!text)
        return strdup("");
    if (!cut)
        return text;
    char *tail = str_printf("[...]%s", text);
    free(text);
    return tail;
}

static json_t *find_entry(json_t *tests, const char *suite, const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(tests, i, t)
    {
        const char *s = json_string_value(json_object_get(t, "suite"));
        const char *n = json_string_value(json_object_get(t, "name"));
        if (s && n && strcmp(s, suite) == 0 && strcmp(n, name) == 0)
            return t;
    }
    return NULL;
}

static bool listed(const struct wb_exercise *e, const char *suite, const char *name)
{
    if (!suite || !name || strcmp(suite, e->id) != 0)
        return false;
    for (size_t i = 0; i < e->ntests; i++)
        if (strcmp(e->tests[i].name, name) == 0)
            return true;
    return false;
}

/* The failed assertions of a report entry, one "file:line: message" each. */
static void append_failures(struct strbuf *sb, json_t *entry)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(entry, "failures"), i, f)
    {
        const char *msg = json_string_value(json_object_get(f, "message"));
        const char *file = json_string_value(json_object_get(f, "file"));
        json_int_t line = json_integer_value(json_object_get(f, "line"));
        const char *base = file && strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
        sb_printf(sb, "%s%s:%lld: %s", sb->len ? "\n" : "", base ? base : "?", (long long)line,
                  msg && *msg ? msg : "assertion failed");
    }
}

/* Decides one listed test from its report entry; cap is the grader's limit
 * on every test (0 = none), which Criterion applies but does not report. */
static void judge(struct test_result *t, json_t *entry, double cap)
{
    struct strbuf why = {0};
    const char *status = json_string_value(json_object_get(entry, "status"));
    bool crashed = json_is_true(json_object_get(entry, "crashed"));
    bool timed_out = json_is_true(json_object_get(entry, "timed_out"));
    json_int_t sig = json_integer_value(json_object_get(entry, "signal"));
    json_int_t code = json_integer_value(json_object_get(entry, "exit_code"));
    json_int_t passed = json_integer_value(json_object_get(entry, "passed_asserts"));
    double limit = json_number_value(json_object_get(entry, "timeout"));
    double elapsed = json_number_value(json_object_get(entry, "elapsed"));
    t->seconds = elapsed > 0 ? elapsed : 0;
    if (cap > 0 && (limit <= 0 || cap < limit))
        limit = cap;

    if (timed_out) {
        sb_printf(&why,
                  "timed out after %.0f s: the code under test never finished "
                  "(an endless loop, or waiting for something that never comes)",
                  limit);
        /* A test's .description says what it waits for, where that helps. */
        const char *waits_for = json_string_value(json_object_get(entry, "description"));
        if (waits_for && *waits_for)
            sb_printf(&why, "; the test was waiting for %s", waits_for);
    } else if (crashed) {
        sb_printf(&why, "crashed: killed by %s", sig ? proc_signal_words((int)sig) : "a signal");
        append_failures(&why, entry);
    } else if (status && strcmp(status, "PASSED") == 0) {
        /* Criterion reports a worker that exited mid-test as PASSED with an
         * elapsed time of exactly 0 (no end-of-test message came), whatever
         * assertions its .init made before: neither counts. */
        if (passed < 1 || elapsed <= 0)
            sb_puts(&why, "ended without checking anything: the test process exited before "
                          "its assertions ran (does the code call exit()?)");
        else if (code == 99)
            sb_printf(&why, "passed its checks, but valgrind found a memory error or a leak in "
                            "it (see run.log.valgrind.* beside the report)");
        else if (code != 0)
            sb_printf(&why,
                      "passed its checks, but the test process then exited with code %lld "
                      "(a sanitizer finding or a crash while cleaning up: see the log)",
                      (long long)code);
    } else if (status && strcmp(status, "SKIPPED") == 0) {
        const char *msg = json_string_value(json_object_get(entry, "message"));
        sb_printf(&why, "skipped%s%s", msg ? ": " : "", msg ? msg : "");
    } else {
        append_failures(&why, entry);
        if (why.len == 0)
            sb_printf(&why, "failed (exit code %lld)", (long long)code);
    }

    if (why.len == 0) {
        t->state = TEST_PASSED;
        t->score = t->spec->points;
        t->output = strdup("passed");
        sb_free(&why);
    } else {
        t->state = TEST_FAILED;
        t->score = 0;
        t->output = clip(sb_take(&why));
    }
}

/* The grader gives an exercise 30 s plus the sum of its tests' limits as the
 * manifest lists them (grade.c), so that one test hanging until its limit
 * cannot cut short the tests after it. A test whose own .timeout is longer
 * than its manifest entry says breaks that: note it (an authoring error). */
static void note_short_limit(struct exercise_result *r, const struct test_result *t, json_t *entry)
{
    double own = json_number_value(json_object_get(entry, "timeout"));
    double listed = t->spec->timeout > 0 ? t->spec->timeout : WB_DEFAULT_TEST_TIMEOUT;
    if (own <= listed + 0.001)
        return;
    r->short_limits++;
    char *note = str_printf("%s%stest %s has a time limit of %.0f s but the manifest lists "
                            "%.0f s: add \"timeout\": %.0f to its entry (the exercise's wall "
                            "limit is summed from the manifest)",
                            r->message ? r->message : "", r->message ? "\n" : "", t->spec->name,
                            own, listed, own);
    if (note) {
        free(r->message);
        r->message = note;
    }
}

void score_exercise(struct exercise_result *r, const char *report_path, const char *log_path,
                    const struct proc_outcome *run, int timeout_ms, double test_timeout,
                    bool kafka_real)
{
    json_error_t jerr;
    json_t *root = json_load_file(report_path, 0, &jerr);
    json_t *tests = root ? json_object_get(root, "tests") : NULL;
    const char *format = root ? json_string_value(json_object_get(root, "format")) : NULL;

    if (!json_is_array(tests) || !format || strcmp(format, "wirebook-report-1") != 0) {
        /* Runner killed, crashed outside a test, or the report was tampered with. */
        char *tail = log_tail(log_path, 1500);
        char *why = str_printf("the test runner %s and left no usable report, so no test of "
                               "this exercise can be counted.\nLast output:\n%s",
                               proc_describe(run, timeout_ms), tail);
        score_not_run(r, EX_NO_REPORT, why ? why : "no report", kafka_real);
        for (size_t i = 0; i < r->ntests; i++)
            if (r->tests[i].state == TEST_NOT_RUN)
                r->tests[i].state = TEST_FAILED;
        free(tail);
        r->message = why; /* the table shows it once for the exercise */
        json_decref(root);
        return;
    }

    init_results(r, kafka_real);
    r->state = EX_GRADED;
    r->short_limits = 0;
    for (size_t i = 0; i < r->ntests; i++) {
        struct test_result *t = &r->tests[i];
        if (t->state == TEST_EXCLUDED)
            continue;
        json_t *entry = find_entry(tests, r->ex->id, t->spec->name);
        if (!entry) {
            t->state = TEST_FAILED;
            t->output = str_printf("this test is missing from the runner's report (test %s/%s "
                                   "did not run)",
                                   r->ex->id, t->spec->name);
            continue;
        }
        judge(t, entry, test_timeout);
        r->score += t->score;
        note_short_limit(r, t, entry);
    }

    size_t i;
    json_t *entry;
    r->unlisted_tests = 0;
    json_array_foreach(tests, i, entry)
    {
        if (!listed(r->ex, json_string_value(json_object_get(entry, "suite")),
                    json_string_value(json_object_get(entry, "name"))))
            r->unlisted_tests++;
    }
    if (r->unlisted_tests > 0) {
        char *note =
            str_printf("%s%s%d test(s) in the binary are not in the manifest and score "
                       "nothing",
                       r->message ? r->message : "", r->message ? "\n" : "", r->unlisted_tests);
        free(r->message);
        r->message = note;
    }
    json_decref(root);
}

/*
 * report.c - what grading tells people: a table on the terminal and
 * results.json in the shape Gradescope reads (score, max_score, tests[]),
 * with wirebook's own per-chapter detail under "extra_data". Every text
 * that came from a run is made valid UTF-8 first (wb_utf8.c): jansson
 * refuses anything else, and an unwritable results.json is a 0 for all.
 */
#include "grade.h"
#include "late.h"
#include "sandbox.h"
#include "util.h"
#include "wb_utf8.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GREEN "\033[32m"
#define RED "\033[31m"
#define YELLOW "\033[33m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

const char *test_state_name(enum test_state s)
{
    switch (s) {
    case TEST_PASSED: return "passed";
    case TEST_FAILED: return "failed";
    case TEST_NOT_RUN: return "not run";
    case TEST_EXCLUDED: return "not counted";
    }
    return "?";
}

static const char *exercise_state_words(enum exercise_state s)
{
    switch (s) {
    case EX_GRADED: return NULL;
    case EX_MISSING_FILES: return "missing files";
    case EX_BUILD_FAILED: return "did not compile";
    case EX_NO_REPORT: return "test runner failed";
    case EX_BROKER_DOWN: return "broker not available";
    case EX_REFUSED: return "not run: the student files contain what grading forbids";
    }
    return NULL;
}

static const char *paint(const struct grade_run *run, const char *code)
{
    return run->opts->color ? code : "";
}

static const char *score_colour(const struct grade_run *run, double score, double max)
{
    if (max > 0 && score >= max)
        return paint(run, GREEN);
    return score > 0 ? paint(run, YELLOW) : paint(run, RED);
}

/* Prints text indented, at most max_lines lines. */
static void print_indented(FILE *out, const char *text, const char *indent, int max_lines)
{
    int lines = 0;
    const char *p = text;
    while (*p && lines < max_lines) {
        const char *eol = strchr(p, '\n');
        int len = eol ? (int)(eol - p) : (int)strlen(p);
        fprintf(out, "%s%.*s\n", indent, len, p);
        lines++;
        p += len + (eol ? 1 : 0);
    }
    if (*p)
        fprintf(out, "%s[...]\n", indent);
}

static void print_exercise(const struct grade_run *run, const struct exercise_result *r, FILE *out)
{
    fprintf(out, "  %s%-16s %5g/%-5g%s %s\n", score_colour(run, r->score, r->max), r->ex->id,
            r->score, r->max, paint(run, RESET), r->ex->title);
    const char *state = exercise_state_words(r->state);
    if (state) {
        fprintf(out, "      %s%s%s:\n", paint(run, RED), state, paint(run, RESET));
        print_indented(out, r->message ? r->message : "", "        ", run->opts->verbose ? 40 : 8);
        return;
    }
    if (r->message)
        fprintf(out, "      note: %s\n", r->message);
    if (r->score < r->max && run->opts->verbose)
        fprintf(out, "      everything the tests printed: %s/%s/%s/run.log\n", run->opts->out_dir,
                r->ex->chapter->id, r->ex->id);
    for (size_t k = 0; k < r->ntests; k++) {
        const struct test_result *t = &r->tests[k];
        if (t->state == TEST_PASSED && !run->opts->verbose)
            continue;
        const char *mark = t->state == TEST_PASSED     ? "ok  "
                           : t->state == TEST_EXCLUDED ? "--  "
                                                       : "FAIL";
        fprintf(out, "      %s%s%s %s (%g)\n",
                t->state == TEST_PASSED     ? paint(run, GREEN)
                : t->state == TEST_EXCLUDED ? ""
                                            : paint(run, RED),
                mark, paint(run, RESET), t->spec->name, t->spec->points);
        if (t->state != TEST_PASSED && t->output)
            print_indented(out, t->output, "           ", run->opts->verbose ? 30 : 6);
    }
}

void report_table(const struct grade_run *run, FILE *out)
{
    const struct wb_manifest *m = run->manifest;
    fprintf(out, "\n%swirebook%s - %s\n", paint(run, BOLD), paint(run, RESET),
            run->opts->submission);
    if (run->layout_note)
        fprintf(out, "(%s)\n", run->layout_note);
    const struct wb_chapter *current = NULL;
    for (size_t i = 0; i < run->nexercises; i++) {
        const struct exercise_result *r = &run->exercises[i];
        if (r->ex->chapter != current) {
            current = r->ex->chapter;
            double score = 0, max = 0;
            for (size_t k = i; k < run->nexercises && run->exercises[k].ex->chapter == current;
                 k++) {
                score += run->exercises[k].score;
                max += run->exercises[k].max;
            }
            fprintf(out, "\n%s%-18s%s %s%5g/%-5g%s %s\n", paint(run, BOLD), current->id,
                    paint(run, RESET), score_colour(run, score, max), score, max, paint(run, RESET),
                    current->title);
        }
        print_exercise(run, r, out);
    }
    if (run->nquizzes > 0)
        fprintf(out, "\n%s%-18s%s\n", paint(run, BOLD), "quizzes", paint(run, RESET));
    for (size_t i = 0; i < run->nquizzes; i++) {
        const struct quiz_result *q = &run->quizzes[i];
        fprintf(out, "  %s%-16s %5g/%-5g%s %s\n", score_colour(run, q->score, q->max), q->quiz->id,
                q->score, q->max, paint(run, RESET), q->quiz->file);
        if (q->message)
            print_indented(out, q->message, "      ", 6);
        size_t unanswered = 0;
        for (size_t k = 0; k < q->nquestions; k++)
            if (strcmp(q->questions[k].output, "not answered") == 0)
                unanswered++;
        if (unanswered == q->nquestions && !run->opts->verbose) {
            fprintf(out, "      no question answered yet: run `wirebook quiz %s`\n", q->quiz->id);
            continue;
        }
        for (size_t k = 0; k < q->nquestions; k++)
            if (q->questions[k].earned < q->questions[k].points || run->opts->verbose)
                fprintf(out, "      %s: %s\n", q->questions[k].id,
                        q->questions[k].output ? q->questions[k].output : "");
    }
    double pct = run->max > 0 ? 100.0 * run->score / run->max : 0;
    fprintf(out, "\n%s%-18s %s%5g/%-5g%s (%.0f%%) in %.1f s%s\n", paint(run, BOLD), "total",
            score_colour(run, run->score, run->max), run->score, run->max, paint(run, BOLD), pct,
            run->seconds, paint(run, RESET));
    (void)m;
}

/* A JSON string of text made valid UTF-8 (whatever a student's program
 * printed), "" for NULL. */
static json_t *text_json(const char *text)
{
    char *valid = wb_utf8_valid(text);
    json_t *j = valid ? json_string(valid) : NULL;
    free(valid);
    return j;
}

/* One entry of Gradescope's tests[]: number sorts it, tags group it. */
static int add_test(json_t *tests, const char *name, const char *number, const char *tag,
                    double score, double max, const char *status, const char *output,
                    const char *visibility)
{
    json_t *t =
        json_pack("{s:o, s:s, s:[s], s:f, s:f, s:s, s:o, s:s, s:s}", "name", text_json(name),
                  "number", number, "tags", tag, "score", score, "max_score", max, "status", status,
                  "output", text_json(output), "output_format", "text", "visibility", visibility);
    return t ? json_array_append_new(tests, t) : -1;
}

static const char *test_visibility(const struct wb_test_spec *spec)
{
    if (spec->visibility)
        return spec->visibility;
    return spec->hidden ? "after_published" : "visible";
}

static json_t *exercise_json(const struct exercise_result *r)
{
    const char *state = exercise_state_words(r->state);
    json_t *e = json_pack("{s:s, s:s, s:f, s:f, s:s, s:o, s:f}", "chapter", r->ex->chapter->id,
                          "exercise", r->ex->id, "score", r->score, "max_score", r->max, "state",
                          state ? state : "graded", "message",
                          r->message ? text_json(r->message) : json_null(), "seconds", r->seconds);
    if (e && r->sanitized_seconds > 0)
        json_object_set_new(e, "sanitized_seconds", json_real(r->sanitized_seconds));
    if (e && r->ended_at > 0) {
        json_object_set_new(e, "started_at", json_real(r->started_at));
        json_object_set_new(e, "ended_at", json_real(r->ended_at));
    }
    /* Which sandbox layers held while its tests ran (sandbox.c). */
    char *layers = r->isolation ? sandbox_layers_text(r->isolation) : NULL;
    if (e && layers)
        json_object_set_new(e, "isolation", json_string(layers));
    free(layers);
    return e;
}

/* Gradescope entries of one exercise. When none of its tests ran (no
 * build, missing files, refused) the reason is one entry worth the whole
 * exercise, not the same compiler output repeated under every test. */
static int add_exercise_tests(json_t *tests, const struct exercise_result *r, size_t chapter_no,
                              size_t exercise_no)
{
    const char *tag = r->ex->chapter->id;
    bool any_ran = false;
    for (size_t k = 0; k < r->ntests; k++)
        any_ran |= r->tests[k].state == TEST_PASSED || r->tests[k].state == TEST_FAILED;
    int rc = 0;
    if (!any_ran && r->state != EX_GRADED) {
        char *name = str_printf("%s/%s: %s", tag, r->ex->id, exercise_state_words(r->state));
        char *number = str_printf("%zu.%zu", chapter_no, exercise_no);
        rc = name && number
                 ? add_test(tests, name, number, tag, 0, r->max, "failed", r->message, "visible")
                 : -1;
        free(name);
        free(number);
        return rc;
    }
    for (size_t k = 0; rc == 0 && k < r->ntests; k++) {
        const struct test_result *t = &r->tests[k];
        if (t->state == TEST_EXCLUDED)
            continue;
        char *name = str_printf("%s/%s: %s", tag, r->ex->id, t->spec->name);
        char *number = str_printf("%zu.%zu.%zu", chapter_no, exercise_no, k + 1);
        rc = name && number ? add_test(tests, name, number, tag, t->score, t->spec->points,
                                       t->state == TEST_PASSED ? "passed" : "failed", t->output,
                                       test_visibility(t->spec))
                            : -1;
        free(name);
        free(number);
    }
    return rc;
}

static int add_quiz_tests(json_t *tests, json_t *quizzes, const struct quiz_result *q,
                          size_t quiz_no)
{
    int rc =
        json_array_append_new(quizzes, json_pack("{s:s, s:f, s:f, s:o}", "quiz", q->quiz->id,
                                                 "score", q->score, "max_score", q->max, "message",
                                                 q->message ? text_json(q->message) : json_null()));
    if (q->message && rc == 0) {
        char *name = str_printf("quiz/%s", q->quiz->id);
        char *number = str_printf("Q%zu", quiz_no);
        /* with questions listed, they carry the points; else this entry does */
        rc = name && number ? add_test(tests, name, number, "quiz", 0, q->nquestions ? 0 : q->max,
                                       "failed", q->message, "visible")
                            : -1;
        free(name);
        free(number);
    }
    for (size_t k = 0; rc == 0 && k < q->nquestions; k++) {
        const struct quiz_question_result *qq = &q->questions[k];
        char *name = str_printf("quiz/%s: %s", q->quiz->id, qq->id);
        char *number = str_printf("Q%zu.%zu", quiz_no, k + 1);
        rc = name && number
                 ? add_test(tests, name, number, "quiz", qq->earned, qq->points,
                            qq->earned >= qq->points ? "passed" : "failed", qq->output, "visible")
                 : -1;
        free(name);
        free(number);
    }
    return rc;
}

/* The sandbox layers that held for every test run of the grade. */
static void add_isolation(json_t *root, const struct grade_run *run)
{
    unsigned all = SB_ALL_LAYERS;
    bool any = false;
    for (size_t i = 0; i < run->nexercises; i++)
        if (run->exercises[i].isolation) {
            all &= run->exercises[i].isolation;
            any = true;
        }
    char *text = sandbox_layers_text(any ? all : 0);
    json_t *extra = json_object_get(root, "extra_data");
    if (text && extra)
        json_object_set_new(extra, "isolation", json_string(text));
    free(text);
}

/* Where the exercise's chapter and the exercise sit in the manifest (1-based). */
static void exercise_numbers(const struct wb_manifest *m, const struct wb_exercise *e,
                             size_t *chapter_no, size_t *exercise_no)
{
    *chapter_no = (size_t)(e->chapter - m->chapters) + 1;
    *exercise_no = (size_t)(e - e->chapter->exercises) + 1;
}

int report_results_json(const struct grade_run *run, const char *path)
{
    json_t *tests = json_array();
    json_t *exercises = json_array();
    json_t *quizzes = json_array();
    int rc = tests && exercises && quizzes ? 0 : -1;

    for (size_t i = 0; rc == 0 && i < run->nexercises; i++) {
        const struct exercise_result *r = &run->exercises[i];
        size_t chapter_no, exercise_no;
        exercise_numbers(run->manifest, r->ex, &chapter_no, &exercise_no);
        rc = json_array_append_new(exercises, exercise_json(r));
        if (rc == 0)
            rc = add_exercise_tests(tests, r, chapter_no, exercise_no);
    }
    for (size_t i = 0; rc == 0 && i < run->nquizzes; i++)
        rc = add_quiz_tests(tests, quizzes, &run->quizzes[i], i + 1);

    struct late_outcome late = {0};
    char late_err[512] = "";
    if (late_from_metadata(run->manifest, run->opts->submission_metadata, &late, late_err,
                           sizeof late_err) != 0)
        snprintf(late.note, sizeof late.note, "late policy not applied: %.200s", late_err);
    double score = run->score * (1 - late.fraction);

    json_t *root = NULL;
    if (rc == 0) {
        char *summary = str_printf(
            "wirebook: %g/%g points%s%s%s%s", score, run->max, late.note[0] ? "; " : "", late.note,
            run->layout_note ? "\n" : "", run->layout_note ? run->layout_note : "");
        const char *stdout_vis =
            run->manifest->stdout_visibility ? run->manifest->stdout_visibility : "visible";
        root = json_pack("{s:f, s:f, s:f, s:o, s:s, s:s, s:o, s:{s:o, s:o, s:o, s:{s:b, s:f, "
                         "s:f, s:f}}}",
                         "score", score, "max_score", run->max, "execution_time", run->seconds,
                         "output", text_json(summary), "output_format", "text", "stdout_visibility",
                         stdout_vis, "tests", tests, "extra_data", "submission",
                         text_json(run->opts->submission), "exercises", exercises, "quizzes",
                         quizzes, "late", "late", late.late, "days", late.days, "penalty",
                         late.fraction, "score_before_penalty", run->score);
        free(summary);
        tests = exercises = quizzes = NULL; /* owned by root now, even on failure */
    }
    if (root)
        add_isolation(root, run);
    char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
    rc = text && file_write_atomic(path, text, strlen(text)) == 0 ? 0 : -1;
    free(text);
    json_decref(root);
    json_decref(tests);
    json_decref(exercises);
    json_decref(quizzes);
    return rc;
}

/*
 * report.c - what grading tells people: a table on the terminal and
 * results.json in the shape Gradescope reads (score, max_score, tests[]),
 * with wirebook's own per-chapter detail under "extra_data".
 */
#include "grade.h"
#include "sandbox.h"
#include "util.h"

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

static int add_test(json_t *tests, const char *name, double score, double max, const char *status,
                    const char *output)
{
    json_t *t =
        json_pack("{s:s, s:f, s:f, s:s, s:s, s:s}", "name", name, "score", score, "max_score", max,
                  "status", status, "output", output ? output : "", "visibility", "visible");
    return t ? json_array_append_new(tests, t) : -1;
}

static json_t *exercise_json(const struct exercise_result *r)
{
    const char *state = exercise_state_words(r->state);
    json_t *e = json_pack("{s:s, s:s, s:f, s:f, s:s, s:s?, s:f}", "chapter", r->ex->chapter->id,
                          "exercise", r->ex->id, "score", r->score, "max_score", r->max, "state",
                          state ? state : "graded", "message", r->message, "seconds", r->seconds);
    /* Which sandbox layers held while its tests ran (sandbox.c). */
    char *layers = r->isolation ? sandbox_layers_text(r->isolation) : NULL;
    if (e && layers)
        json_object_set_new(e, "isolation", json_string(layers));
    free(layers);
    return e;
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

int report_results_json(const struct grade_run *run, const char *path)
{
    json_t *tests = json_array();
    json_t *exercises = json_array();
    json_t *quizzes = json_array();
    int rc = tests && exercises && quizzes ? 0 : -1;

    for (size_t i = 0; rc == 0 && i < run->nexercises; i++) {
        const struct exercise_result *r = &run->exercises[i];
        rc = json_array_append_new(exercises, exercise_json(r));
        for (size_t k = 0; rc == 0 && k < r->ntests; k++) {
            const struct test_result *t = &r->tests[k];
            if (t->state == TEST_EXCLUDED)
                continue;
            char *name = str_printf("%s/%s: %s", r->ex->chapter->id, r->ex->id, t->spec->name);
            rc = name ? add_test(tests, name, t->score, t->spec->points,
                                 t->state == TEST_PASSED ? "passed" : "failed", t->output)
                      : -1;
            free(name);
        }
    }
    for (size_t i = 0; rc == 0 && i < run->nquizzes; i++) {
        const struct quiz_result *q = &run->quizzes[i];
        rc = json_array_append_new(quizzes,
                                   json_pack("{s:s, s:f, s:f, s:s?}", "quiz", q->quiz->id, "score",
                                             q->score, "max_score", q->max, "message", q->message));
        if (q->message && rc == 0) {
            char *name = str_printf("quiz/%s", q->quiz->id);
            rc = name ? add_test(tests, name, 0, q->max, "failed", q->message) : -1;
            free(name);
        }
        for (size_t k = 0; rc == 0 && k < q->nquestions; k++) {
            const struct quiz_question_result *qq = &q->questions[k];
            char *name = str_printf("quiz/%s: %s", q->quiz->id, qq->id);
            rc = name ? add_test(tests, name, qq->earned, qq->points,
                                 qq->earned >= qq->points ? "passed" : "failed", qq->output)
                      : -1;
            free(name);
        }
    }
    json_t *root = NULL;
    if (rc == 0) {
        char *summary = str_printf("wirebook: %g/%g points", run->score, run->max);
        root = json_pack("{s:f, s:f, s:f, s:s, s:s, s:o, s:{s:s, s:o, s:o}}", "score", run->score,
                         "max_score", run->max, "execution_time", run->seconds, "output",
                         summary ? summary : "", "stdout_visibility", "visible", "tests", tests,
                         "extra_data", "submission", run->opts->submission, "exercises", exercises,
                         "quizzes", quizzes);
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

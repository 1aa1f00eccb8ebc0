/*
 * grade.c - runs the pipeline over the chapters of a submission:
 * stage -> build -> run -> score for each exercise, then the quizzes.
 */
#include "layout.h"
#include "pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Per-exercise wall limit: enough for every test to use its own limit (the
 * manifest's "timeout", else the suite's 10 s), so that one test hanging
 * until its limit does not cost the tests that passed. */
static int exercise_timeout_ms(const struct wb_exercise *e, const struct grade_options *o)
{
    double sum = 0;
    for (size_t i = 0; i < e->ntests; i++) {
        double limit = e->tests[i].timeout > 0 ? e->tests[i].timeout : 10;
        /* --test-timeout caps every test, so the whole run can be capped too */
        sum += o->test_timeout > 0 && o->test_timeout < limit ? o->test_timeout : limit;
    }
    int seconds = 30 + (int)sum;
    return (o->sanitize || o->valgrind ? 3 : 1) * seconds * 1000;
}

bool grade_selects_chapter(const struct grade_options *o, const struct wb_chapter *ch)
{
    if (!o->only || strcmp(o->only, "quiz") == 0)
        return !o->only;
    size_t n = strlen(ch->id);
    return strncmp(o->only, ch->id, n) == 0 && (o->only[n] == '\0' || o->only[n] == '/');
}

static bool selected_exercise(const struct grade_options *o, const struct wb_exercise *e)
{
    const char *slash = o->only ? strchr(o->only, '/') : NULL;
    return !slash || strcmp(slash + 1, e->id) == 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Builds and runs one exercise whose chapter is staged and ready. */
static void grade_exercise(const struct build_ctx *b, const char *ex_dir, char **env,
                           const struct grade_options *o, struct exercise_result *r)
{
    const struct wb_exercise *e = r->ex;
    bool kafka_real = brokers_kafka_is_real();
    char *missing = stage_missing_files(e, b->work_dir);
    if (missing) {
        char *why = str_printf("missing file(s) in the submission: %s", missing);
        score_not_run(r, EX_MISSING_FILES, why ? why : missing, kafka_real);
        r->message = why;
        free(missing);
        return;
    }
    char *bin = path_join(ex_dir, "tests.bin");
    char *compile_log = path_join(ex_dir, "compile.log");
    char *run_log = path_join(ex_dir, "run.log");
    char *report = path_join(ex_dir, "report.json");
    char *screen_dir = path_join(ex_dir, "screen");
    char *message = NULL;
    char *refused = screen_dir && compile_log ? screen_exercise(b, e, screen_dir, compile_log)
                                              : strdup("out of memory");

    if (refused) {
        score_not_run(r, EX_REFUSED, refused, kafka_real);
        r->message = refused;
    } else if (build_exercise(b, e, bin, compile_log, &message) != 0) {
        score_not_run(r, EX_BUILD_FAILED, message, kafka_real);
        r->message = message;
    } else {
        int timeout = exercise_timeout_ms(e, o);
        pid_t prebuild = memory_safety_wanted(e, o) ? memory_safety_prebuild(b, e, ex_dir) : -1;
        struct proc_outcome outcome;
        struct grade_options selected = *o; /* --tests: only those run */
        char *filter = o->tests ? test_list_filter(e, o->tests) : NULL;
        selected.test_filter = filter;
        /* --sanitize: this run is the sanitizer run, its reports go to files */
        char *san_prefix = o->sanitize ? path_join(ex_dir, "sanitizer") : NULL;
        char **san_env = san_prefix ? memory_safety_env(env, san_prefix, b->course_root) : NULL;
        if (run_tests(bin, report, run_log, san_env ? san_env : env, timeout, &selected,
                      b->course_root, &outcome) != 0) {
            score_not_run(r, EX_NO_REPORT, "could not start the test runner (fork failed)",
                          kafka_real);
        } else {
            score_exercise(r, report, run_log, &outcome, timeout, o->test_timeout, kafka_real);
            if (o->tests)
                test_list_exclude_others(r, o->tests);
            r->seconds = outcome.seconds;
            r->isolation = outcome.layers;
        }
        if (san_prefix)
            memory_safety_from_run(r, san_prefix);
        else if (o->valgrind) /* valgrind judges each test instead */
            memory_safety_not_counted(r, "not counted in a valgrind run");
        else
            memory_safety_run(b, e, ex_dir, env, o, 3 * timeout, prebuild, r);
        free(filter);
        free(san_prefix);
        free_argv(san_env);
    }
    free(bin);
    free(compile_log);
    free(run_log);
    free(report);
    free(screen_dir);
}

/* Stages one chapter and grades its selected exercises into results. */
static void grade_chapter(const struct wb_manifest *m, const struct wb_chapter *ch,
                          const char *submission_dir, const struct grade_options *o,
                          struct exercise_result *results, size_t count)
{
    char err[4096] = "";
    char *ch_dir = str_printf("%s/%s", o->out_dir, ch->id);
    char *work = str_printf("%s/%s/src", o->out_dir, ch->id);
    char *gen = str_printf("%s/%s/gen", o->out_dir, ch->id);
    char *prep_log = str_printf("%s/%s/prepare.log", o->out_dir, ch->id);
    struct build_ctx b = {0};
    char **broker_env = NULL;
    enum exercise_state failed_state = EX_BUILD_FAILED;
    bool kafka_real = brokers_kafka_is_real();

    if (!ch_dir || !work || !gen || !prep_log || mkdir_p(ch_dir) != 0)
        snprintf(err, sizeof err, "cannot create %s/%s: %s", o->out_dir, ch->id, strerror(errno));
    else if (stage_chapter(m, ch, submission_dir, work, err, sizeof err) != 0)
        ;
    else if (build_ctx_init(&b, m, ch, work, gen, o->sanitize, o->werror, prep_log, err,
                            sizeof err) != 0)
        ;
    else if (!(broker_env = brokers_env_for(m, ch, err, sizeof err)))
        failed_state = EX_BROKER_DOWN;

    for (size_t i = 0; i < count; i++) {
        struct exercise_result *r = &results[i];
        double start = now_seconds();
        if (err[0]) {
            score_not_run(r, failed_state, err, kafka_real);
            r->message = strdup(err);
            continue;
        }
        char *ex_dir = str_printf("%s/%s", ch_dir, r->ex->id);
        char *scratch = ex_dir ? path_join(ex_dir, "scratch") : NULL;
        char **env = NULL;
        if (scratch && remove_tree(ex_dir) == 0 && mkdir_p(scratch) == 0)
            env = run_environment(scratch, work, NULL, broker_env, o->sanitize);
        if (!env) {
            score_not_run(r, EX_NO_REPORT, "cannot prepare the exercise's folder", kafka_real);
        } else {
            if (!o->quiet_progress) {
                fflush(stdout); /* what stdout holds belongs before this line */
                fprintf(stderr, "  grading %s/%s ...\n", ch->id, r->ex->id);
            }
            grade_exercise(&b, ex_dir, env, o, r);
        }
        if (r->seconds == 0)
            r->seconds = now_seconds() - start;
        free_argv(env);
        free(scratch);
        free(ex_dir);
    }
    build_ctx_free(&b);
    free_argv(broker_env);
    free(ch_dir);
    free(work);
    free(gen);
    free(prep_log);
}

int grade_run(const struct wb_manifest *m, const struct grade_options *o, struct grade_run *run,
              char *err, size_t errlen)
{
    memset(run, 0, sizeof *run);
    run->manifest = m;
    run->opts = o;
    double start = now_seconds();
    if (errlen > 0)
        err[0] = '\0';

    if (mkdir_p(o->out_dir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", o->out_dir, strerror(errno));
        return -1;
    }
    char *unpack_dir = path_join(o->out_dir, "unpacked");
    char *opened = unpack_dir ? submission_open(o->submission, unpack_dir, err, errlen) : NULL;
    char *submission_dir =
        opened ? layout_resolve(m, opened, o->out_dir, &run->layout_note, err, errlen) : NULL;
    free(unpack_dir);
    free(opened);
    if (!submission_dir) {
        if (errlen > 0 && !err[0])
            snprintf(err, errlen, "submission %s: no such folder", o->submission);
        return -1;
    }

    size_t total = 0;
    for (size_t i = 0; i < m->nchapters; i++)
        total += m->chapters[i].nexercises;
    run->exercises = calloc(total + 1, sizeof *run->exercises);
    if (!run->exercises) {
        snprintf(err, errlen, "out of memory");
        free(submission_dir);
        return -1;
    }
    for (size_t i = 0; i < m->nchapters; i++) {
        const struct wb_chapter *ch = &m->chapters[i];
        if (!grade_selects_chapter(o, ch))
            continue;
        size_t first = run->nexercises;
        for (size_t k = 0; k < ch->nexercises; k++)
            if (selected_exercise(o, &ch->exercises[k]))
                run->exercises[run->nexercises++].ex = &ch->exercises[k];
        if (run->nexercises > first)
            grade_chapter(m, ch, submission_dir, o, &run->exercises[first],
                          run->nexercises - first);
    }
    brokers_stop_started(m);

    if (o->quizzes && (!o->only || strcmp(o->only, "quiz") == 0))
        grade_quizzes(m, submission_dir, run);

    for (size_t i = 0; i < run->nexercises; i++) {
        run->score += run->exercises[i].score;
        run->max += run->exercises[i].max;
    }
    for (size_t i = 0; i < run->nquizzes; i++) {
        run->score += run->quizzes[i].score;
        run->max += run->quizzes[i].max;
    }
    run->seconds = now_seconds() - start;
    free(submission_dir);
    return 0;
}

void grade_run_free(struct grade_run *run)
{
    for (size_t i = 0; i < run->nexercises; i++) {
        struct exercise_result *r = &run->exercises[i];
        for (size_t k = 0; k < r->ntests; k++)
            free(r->tests[k].output);
        free(r->tests);
        free(r->message);
    }
    free(run->exercises);
    for (size_t i = 0; i < run->nquizzes; i++) {
        struct quiz_result *q = &run->quizzes[i];
        for (size_t k = 0; k < q->nquestions; k++) {
            free(q->questions[k].id);
            free(q->questions[k].output);
        }
        free(q->questions);
        free(q->message);
    }
    free(run->quizzes);
    free(run->layout_note);
    memset(run, 0, sizeof *run);
}

/*
 * grade.h - the grading pipeline and what it produces.
 *
 *   stage -> build -> run -> collect -> score -> report
 *
 * `wirebook grade`, `wirebook check` and `make test` are this one pipeline
 * with different options; none of them re-implements a stage.
 */
#ifndef WB_GRADE_H
#define WB_GRADE_H

#include "manifest.h"

#include <stdbool.h>
#include <stdio.h>

struct grade_options {
    const char *submission; /* folder laid out like chapters/ */
    const char *out_dir;    /* where work trees, logs and results.json go */
    const char *only;       /* NULL, "CHAPTER" or "CHAPTER/EXERCISE" */
    bool sanitize;          /* build with ASan + UBSan */
    bool valgrind;          /* run the tests under valgrind (memcheck) */
    bool werror;            /* warnings are errors (the course's own code) */
    bool quizzes;           /* grade the quiz answers file too */
    bool verbose;           /* print each test's output in the table */
    bool color;
    bool quiet_progress;             /* no "grading CH/EX ..." lines on stderr */
    double test_timeout;             /* caps every test's own limit (seconds), 0 = no cap */
    const char *submission_metadata; /* Gradescope's, for the late policy; or NULL */
    const char *tests;       /* NULL, or "a,b": run and score only these tests (test_select.c) */
    const char *test_filter; /* set by grade.c from tests: Criterion's --filter pattern */
    int jobs;                /* exercises graded at once; 0 = 3 per CPU (grade.c) */
    /* Whole-submission grading (`wirebook grade`, batch): an exercise with a
     * memory_safety test runs its tests under the sanitizers first, and when
     * every one passes, that run scores it (memory_safety_first). */
    bool sanitized_first;
    /* When set, it decides sanitized_first exercise by exercise instead. A
     * student's check sets it: an exercise that passed its last check most
     * likely passes again and runs once, sanitized; one that failed runs
     * plain first, where its failures show sooner and run once. */
    bool (*sanitized_first_for)(const struct wb_exercise *e, void *arg);
    void *sanitized_first_arg;
    bool fail_fast; /* Criterion's --fail-fast: the run ends at the first failed test */
    int test_jobs;  /* tests of one exercise run at once; 0 = run.c decides */
    /* Which of run.c's passes run (test_passes.c): all of them, or, for
     * memory_safety.c's sanitized run split around the plain one, only the
     * tests that run side by side, or only the "alone" ones. */
    enum passes_part { PASSES_ALL, PASSES_SIDE_BY_SIDE, PASSES_ALONE } passes_part;
    /* Called in a run of two passes after the first, before the alone tests
     * (memory_safety.c: wait until the sanitized side-by-side tests ended). */
    void (*between_passes)(void *arg);
    void *between_arg;
    /* Set by grade.c for the exercises of a chapter whose broker restarts
     * stop a RabbitMQ virtual host of the run's own, not the broker
     * (private_vhost.c): its runs need not keep out of each other's way. */
    bool restarts_scoped;
};

enum test_state {
    TEST_PASSED,
    TEST_FAILED,
    TEST_NOT_RUN,  /* the exercise did not build, or its files are missing */
    TEST_EXCLUDED, /* needs a broker kind this run does not have: not counted */
};

struct test_result {
    const struct wb_test_spec *spec;
    enum test_state state;
    double score;
    char *output;   /* what a student reads: expected / got / crash / time-out */
    double seconds; /* how long its test ran, as the report says (0: not run) */
};

enum exercise_state {
    EX_GRADED,
    EX_MISSING_FILES,
    EX_BUILD_FAILED,
    EX_NO_REPORT, /* the test runner died or wrote no usable report */
    EX_BROKER_DOWN,
    EX_REFUSED, /* screening found a constructor or a forbidden call (screen.c) */
};

struct exercise_result {
    const struct wb_exercise *ex;
    enum exercise_state state;
    char *message; /* why it was not graded, or notes (unlisted tests) */
    struct test_result *tests;
    size_t ntests;
    double score, max;
    double seconds;           /* its plain test run */
    double sanitized_seconds; /* memory_safety's sanitized run, 0 when there was none */
    /* when the grader started and finished the exercise, in seconds since
     * the run began: its whole wall time (builds, both runs, waits for a
     * broker), and where it sat in a parallel run (0, 0: not recorded) */
    double started_at, ended_at;
    int unlisted_tests; /* tests in the binary the manifest does not list */
    /* tests whose own time limit is longer than the manifest says, so the
     * exercise's wall limit (from the manifest) is too short (not saved in
     * results.json: an authoring error, which --expect reports) */
    int short_limits;
    unsigned isolation; /* sandbox layers its test run had (enum sandbox_layer) */
};

struct quiz_question_result {
    char *id;
    double points, earned;
    char *output;
};

struct quiz_result {
    const struct wb_quiz *quiz;
    char *message; /* set when the quiz could not be graded at all */
    struct quiz_question_result *questions;
    size_t nquestions;
    double score, max;
};

struct grade_run {
    const struct wb_manifest *manifest;
    const struct grade_options *opts;
    struct exercise_result *exercises;
    size_t nexercises;
    struct quiz_result *quizzes;
    size_t nquizzes;
    double score, max;
    double seconds;
    char *layout_note; /* what shape the submission had (layout.c), or NULL */
};

/* Runs the whole pipeline. Returns 0 when grading ran (whatever the score),
 * -1 with a message in err when it could not (no submission, no compiler...). */
int grade_run(const struct wb_manifest *m, const struct grade_options *opts, struct grade_run *run,
              char *err, size_t errlen);
void grade_run_free(struct grade_run *run);
/* True when o->only leaves chapter ch in the run. */
bool grade_selects_chapter(const struct grade_options *o, const struct wb_chapter *ch);

/* report.c */
void report_table(const struct grade_run *run, FILE *out);
int report_results_json(const struct grade_run *run, const char *path);
/* report_junit.c: the same grade as JUnit XML, for CI systems. */
int report_junit_xml(const struct grade_run *run, const char *path);
const char *test_state_name(enum test_state s);

/* quiz_bridge.c: grades the quizzes of the manifest from the submission's
 * answers file into run->quizzes. */
int grade_quizzes(const struct wb_manifest *m, const char *submission, struct grade_run *run);

#endif

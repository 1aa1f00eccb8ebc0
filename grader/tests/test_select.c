/*
 * test_select.c - grading only some tests (`grade --tests`, the mistakes
 * corpus) and the memory_safety test's scoring.
 */
#include "pipeline.h"
#include "wb_testkit.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

WB_SUITE(select);

static struct wb_test_spec specs[] = {{.name = "alpha", .points = 2},
                                      {.name = "beta", .points = 1},
                                      {.name = "memory_safety", .points = 2}};
static struct wb_chapter chapter = {.id = "01_x"};
static struct wb_exercise exercise = {
    .id = "ex", .title = "Ex", .tests = specs, .ntests = 3, .chapter = &chapter};

Test(select, list_names_whole_tests_only)
{
    cr_assert(test_list_has("alpha,beta", "beta"), "beta is in \"alpha,beta\"");
    cr_assert_not(test_list_has("alpha,beta", "bet"), "a prefix is not a name");
    cr_assert_not(test_list_has("alphabet", "alpha"), "\"alphabet\" does not name alpha");
}

Test(select, filter_is_an_extglob_of_the_suite)
{
    char *f = test_list_filter(&exercise, "alpha,beta");
    cr_assert_str_eq(f, "ex/@(alpha|beta)", "Criterion --filter for alpha,beta");
    free(f);
}

Test(select, unknown_names_are_listed_with_the_known_ones)
{
    cr_assert_null(test_list_check(&exercise, "alpha,memory_safety"), "both are tests of ex");
    char *why = test_list_check(&exercise, "alpha,gamma");
    cr_assert(why && strstr(why, "gamma") && strstr(why, "beta"),
              "the message names gamma and lists the tests, got: %s", why ? why : "(null)");
    free(why);
}

static struct exercise_result graded(void)
{
    struct exercise_result r = {.ex = &exercise, .state = EX_GRADED, .ntests = 3, .max = 5};
    r.tests = calloc(3, sizeof *r.tests);
    cr_assert_not_null(r.tests, "calloc");
    for (size_t i = 0; i < 3; i++) {
        r.tests[i].spec = &specs[i];
        r.tests[i].state = i < 2 ? TEST_PASSED : TEST_FAILED;
        r.tests[i].score = i < 2 ? specs[i].points : 0;
        r.tests[i].output = strdup(i < 2 ? "passed" : "missing");
        r.score += r.tests[i].score;
    }
    return r;
}

static void release(struct exercise_result *r)
{
    for (size_t i = 0; i < r->ntests; i++)
        free(r->tests[i].output);
    free(r->tests);
}

Test(select, unselected_tests_count_neither_way)
{
    struct exercise_result r = graded();
    test_list_exclude_others(&r, "beta");
    cr_assert(r.score == 1 && r.max == 1, "only beta counts: expected 1/1, got %g/%g", r.score,
              r.max);
    cr_assert_eq(r.tests[0].state, TEST_EXCLUDED, "alpha is not selected");
    release(&r);
}

Test(select, memory_safety_scores_the_finding)
{
    struct exercise_result r = graded();
    memory_safety_judge(&r, "ERROR: LeakSanitizer: detected memory leaks", NULL);
    cr_assert(r.score == 3 && r.tests[2].state == TEST_FAILED &&
                  strstr(r.tests[2].output, "LeakSanitizer"),
              "a finding fails memory_safety with it as the message: %g, %s", r.score,
              r.tests[2].output);
    memory_safety_judge(&r, NULL, NULL);
    cr_assert(r.score == 5 && r.tests[2].state == TEST_PASSED,
              "no finding: memory_safety passes, 5/5, got %g", r.score);
    memory_safety_not_counted(&r, "valgrind run");
    cr_assert(r.score == 3 && r.max == 3, "not counted: 3/3, got %g/%g", r.score, r.max);
    release(&r);
}

Test(select, leak_after_a_failed_test_names_the_test)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.json", wb_env_or("TMPDIR", "/tmp"),
             wb_unique_name("sanitized-report"));
    const char *report =
        "{\"format\":\"wirebook-report-1\",\"tests\":["
        "{\"suite\":\"ex\",\"name\":\"alpha\",\"status\":\"PASSED\",\"failures\":[]},"
        "{\"suite\":\"ex\",\"name\":\"beta\",\"status\":\"FAILED\",\"failures\":["
        "{\"message\":\"call 1 of 30 got UNAVAILABLE\",\"file\":\"/x/test_ex.c\",\"line\":97}]}]}";
    cr_assert_eq(file_write_atomic(path, report, strlen(report)), 0, "cannot write %s", path);

    char *leak = memory_safety_blame(strdup("ERROR: LeakSanitizer: detected memory leaks"), path);
    cr_assert(leak && strstr(leak, "beta (test_ex.c:97: call 1 of 30 got UNAVAILABLE)") &&
                  !strstr(leak, "alpha") && strstr(leak, "LeakSanitizer"),
              "a leak after a failed test names the test, then the leak: %s", leak);
    free(leak);

    char *overflow =
        memory_safety_blame(strdup("ERROR: AddressSanitizer: heap-buffer-overflow"), path);
    cr_assert_str_eq(overflow, "ERROR: AddressSanitizer: heap-buffer-overflow",
                     "other findings are the code's whatever failed: unchanged");
    free(overflow);
    cr_assert_null(memory_safety_blame(NULL, path), "no finding stays no finding");
    unlink(path);
}

/* ---- test_passes.c: which tests run side by side ------------------------- */

static struct wb_test_spec restart_specs[] = {{.name = "alpha", .points = 1},
                                              {.name = "restart", .points = 1, .alone = true},
                                              {.name = "memory_safety", .points = 2}};
static struct wb_exercise restart_ex = {.id = "ex",
                                        .tests = restart_specs,
                                        .ntests = 3,
                                        .chapter = &chapter,
                                        .parallel_tests = true,
                                        .restarts_broker = true};

Test(select, tests_run_side_by_side_up_to_their_number)
{
    struct test_pass p[2];
    struct grade_options o = {0};
    struct wb_exercise e = exercise;
    e.parallel_tests = true;
    cr_assert_eq(test_passes_plan(&e, &o, false, p), 1, "one run without alone tests");
    cr_assert(p[0].filter == NULL && p[0].jobs == 2,
              "alpha and beta side by side (memory_safety is not in the binary): -j%d", p[0].jobs);
    test_passes_free(p);
    e.parallel_tests = false;
    cr_assert_eq(test_passes_plan(&e, &o, false, p), 1, "one run");
    cr_assert_eq(p[0].jobs, 1, "\"parallel_tests\": false runs them one at a time");
    test_passes_free(p);
}

Test(select, alone_tests_get_a_second_run)
{
    struct test_pass p[2];
    struct grade_options o = {0};
    cr_assert_eq(test_passes_plan(&restart_ex, &o, true, p), 2, "the alone test runs after");
    cr_assert_str_eq(p[0].filter, "ex/!(restart)", "the first run leaves it out");
    cr_assert_str_eq(p[1].filter, "ex/@(restart)", "the second runs only it");
    cr_assert(p[0].jobs == 2 && p[1].jobs == 1, "-j%d then -j%d", p[0].jobs, p[1].jobs);
    test_passes_free(p);
    /* --tests naming the alone test: one run, one test at a time */
    o.tests = "alpha,restart";
    o.test_filter = "ex/@(alpha|restart)";
    cr_assert_eq(test_passes_plan(&restart_ex, &o, true, p), 1, "--tests: one run");
    cr_assert_eq(p[0].jobs, 1, "with an alone test among them, one at a time");
    test_passes_free(p);
}

Test(select, alone_tests_of_a_private_broker_run_beside_the_others)
{
    struct test_pass p[2];
    struct grade_options o = {0};
    cr_assert_eq(test_passes_plan(&restart_ex, &o, false, p), 1,
                 "each test restarts its own broker (Kafka's mock): one run");
    cr_assert(p[0].filter == NULL && p[0].jobs == 2, "every test side by side: -j%d, filter %s",
              p[0].jobs, p[0].filter ? p[0].filter : "none");
    test_passes_free(p);
}

Test(select, a_split_run_takes_one_part_at_a_time)
{
    struct test_pass p[2];
    struct grade_options o = {0};
    cr_assert(test_passes_split(&restart_ex, &o), "an alone test: two passes, so it can split");
    o.passes_part = PASSES_SIDE_BY_SIDE;
    cr_assert_eq(test_passes_plan(&restart_ex, &o, true, p), 1, "one part");
    cr_assert_str_eq(p[0].filter, "ex/!(restart)", "the side-by-side part leaves it out");
    cr_assert_eq(p[0].jobs, 2, "side by side: -j%d", p[0].jobs);
    test_passes_free(p);
    o.passes_part = PASSES_ALONE;
    cr_assert_eq(test_passes_plan(&restart_ex, &o, true, p), 1, "one part");
    cr_assert_str_eq(p[0].filter, "ex/@(restart)", "the alone part runs only it");
    cr_assert(p[0].jobs == 1 && p[1].filter == NULL, "alone: -j%d, no second pass", p[0].jobs);
    test_passes_free(p);
    struct wb_exercise e = restart_ex;
    e.parallel_tests = false;
    o.passes_part = PASSES_ALL;
    cr_assert(!test_passes_split(&e, &o), "one run at a time has one pass: nothing to split");
}

Test(select, restarting_exercise_without_alone_tests_runs_one_at_a_time)
{
    struct test_pass p[2];
    struct grade_options o = {0};
    struct wb_test_spec specs2[] = {{.name = "a", .points = 1}, {.name = "b", .points = 1}};
    struct wb_exercise e = restart_ex;
    e.tests = specs2;
    e.ntests = 2;
    cr_assert_eq(test_passes_plan(&e, &o, true, p), 1, "one run");
    cr_assert_eq(p[0].jobs, 1, "a test restarts the shared broker: one at a time");
    test_passes_free(p);
    cr_assert_eq(test_passes_plan(&e, &o, false, p), 1, "one run");
    cr_assert_eq(p[0].jobs, 2, "a private broker (the mock Kafka cluster): side by side");
    test_passes_free(p);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

Test(select, reports_of_two_runs_are_merged)
{
    char dir[] = "/tmp/wb-merge-XXXXXX";
    cr_assert_not_null(mkdtemp(dir), "mkdtemp");
    char *first = path_join(dir, "first.json"), *second = path_join(dir, "second.json");
    write_text(first, "{\"format\":\"wirebook-report-1\",\"tests\":["
                      "{\"suite\":\"ex\",\"name\":\"alpha\",\"status\":\"PASSED\"},"
                      "{\"suite\":\"ex\",\"name\":\"restart\",\"status\":\"SKIPPED\"}]}");
    write_text(second, "{\"format\":\"wirebook-report-1\",\"tests\":["
                       "{\"suite\":\"ex\",\"name\":\"alpha\",\"status\":\"SKIPPED\"},"
                       "{\"suite\":\"ex\",\"name\":\"restart\",\"status\":\"FAILED\"}]}");
    cr_assert_eq(test_reports_merge(&restart_ex, first, second, second), 0, "merge");
    char *merged = file_read(second, NULL);
    cr_assert(merged && strstr(merged, "\"PASSED\"") && strstr(merged, "\"FAILED\"") &&
                  !strstr(merged, "SKIPPED"),
              "alpha from the first run, restart from the second: %s", merged);
    free(merged);
    /* no usable first report: no report at all */
    write_text(first, "not json");
    cr_assert_eq(test_reports_merge(&restart_ex, first, second, second), -1, "merge fails");
    cr_assert(!path_is_file(second), "and leaves no report for score.c to trust");
    remove(first);
    rmdir(dir);
    free(first);
    free(second);
}

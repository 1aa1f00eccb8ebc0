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

/*
 * test_score.c - scoring from the runner's report: only real passes count,
 * and a report a student's string tried to forge stays harmless.
 */
#include "pipeline.h"
#include "wb_testkit.h"

#include <stdlib.h>
#include <string.h>

WB_SUITE(score);

static struct wb_test_spec specs[] = {{.name = "a", .points = 2},
                                      {.name = "b", .points = 1},
                                      {.name = "c", .points = 1, .needs = "real-kafka"}};
static struct wb_chapter chapter = {.id = "01_x"};
static struct wb_exercise exercise = {
    .id = "ex", .title = "Ex", .tests = specs, .ntests = 3, .chapter = &chapter};

static const char *write_report(const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s.json", wb_env_or("TMPDIR", "/tmp"),
             wb_unique_name("report"));
    cr_assert_eq(file_write_atomic(path, text, strlen(text)), 0, "cannot write %s", path);
    return path;
}

static struct exercise_result score(const char *report)
{
    struct exercise_result r = {.ex = &exercise};
    struct proc_outcome run = {.started = true, .exit_code = 1};
    score_exercise(&r, report ? write_report(report) : "/nonexistent/report.json",
                   "/nonexistent/run.log", &run, 10000, 0, false);
    return r;
}

#define ENTRY(name, status, extra)                                                                 \
    "{\"suite\":\"ex\",\"name\":\"" name "\",\"status\":\"" status "\",\"crashed\":false,"         \
    "\"signal\":0,\"exit_code\":0,\"timed_out\":false,\"timeout\":10,\"elapsed\":0.1,"             \
    "\"failed_asserts\":0,\"failures\":[]" extra "}"
#define REPORT(entries) "{\"format\":\"wirebook-report-1\",\"tests\":[" entries "]}"

Test(score, passed_tests_score_their_points)
{
    struct exercise_result r = score(REPORT(ENTRY("a", "PASSED", ",\"passed_asserts\":3") "," ENTRY(
        "b", "PASSED", ",\"passed_asserts\":1")));
    cr_assert_eq(r.state, EX_GRADED, "the exercise should be graded");
    cr_assert(r.score == 3 && r.max == 3,
              "expected 3/3 (c needs real Kafka and is not "
              "counted), got %g/%g",
              r.score, r.max);
    cr_assert_eq(r.tests[2].state, TEST_EXCLUDED, "c must be excluded without real Kafka");
    cr_assert(r.tests[0].seconds > 0.099 && r.tests[0].seconds < 0.101,
              "a test's seconds come from the report's elapsed (0.1), got %g", r.tests[0].seconds);
    cr_assert(r.tests[2].seconds == 0, "an excluded test did not run: 0 s, got %g",
              r.tests[2].seconds);
}

Test(score, pass_without_assertions_is_a_failure)
{
    /* what a student's exit(0) inside a test looks like */
    struct exercise_result r = score(REPORT(ENTRY("a", "PASSED", ",\"passed_asserts\":0") "," ENTRY(
        "b", "PASSED", ",\"passed_asserts\":1")));
    cr_assert(r.score == 1, "a test that checked nothing must score 0, total got %g", r.score);
    cr_assert(strstr(r.tests[0].output, "exit()"), "say why: %s", r.tests[0].output);
}

Test(score, missing_test_scores_zero)
{
    struct exercise_result r = score(REPORT(ENTRY("a", "PASSED", ",\"passed_asserts\":1")));
    cr_assert_eq(r.tests[1].state, TEST_FAILED, "b is absent from the report: it must fail");
    cr_assert(strstr(r.tests[1].output, "missing"), "say why: %s", r.tests[1].output);
}

Test(score, no_report_fails_every_test)
{
    struct exercise_result r = score(NULL);
    cr_assert_eq(r.state, EX_NO_REPORT, "a missing report must be noticed");
    cr_assert(r.score == 0 && r.max == 3, "expected 0/3, got %g/%g", r.score, r.max);
    cr_assert(strstr(r.tests[0].output, "exited with code 1"), "say how the runner ended: %s",
              r.tests[0].output);
}

Test(score, forged_strings_do_not_change_the_result)
{
    /* A failure message holding what looks like JSON of a passing test is
     * just text: jansson escaped it when the report was written. */
    struct exercise_result r = score(REPORT(
        "{\"suite\":\"ex\",\"name\":\"a\",\"status\":\"FAILED\",\"crashed\":false,\"signal\":0,"
        "\"exit_code\":0,\"timed_out\":false,\"timeout\":10,\"passed_asserts\":0,"
        "\"failed_asserts\":1,\"failures\":[{\"message\":\"x\\\"],\\\"status\\\":\\\"PASSED\\\","
        "\\\"z\\\":[\\\"\",\"file\":\"t.c\",\"line\":3}]}"));
    cr_assert_eq(r.tests[0].state, TEST_FAILED, "a FAILED test stays failed");
    cr_assert(r.score == 0, "nothing may be scored, got %g", r.score);
    cr_assert(strstr(r.tests[0].output, "t.c:3:"), "the failure is shown: %s", r.tests[0].output);
}

Test(score, crash_and_timeout_are_explained)
{
    struct exercise_result r = score(REPORT(
        "{\"suite\":\"ex\",\"name\":\"a\",\"status\":\"FAILED\",\"crashed\":true,\"signal\":11,"
        "\"exit_code\":0,\"timed_out\":false,\"timeout\":10,\"passed_asserts\":0,"
        "\"failures\":[]},"
        "{\"suite\":\"ex\",\"name\":\"b\",\"status\":\"FAILED\",\"crashed\":false,\"signal\":0,"
        "\"exit_code\":0,\"timed_out\":true,\"timeout\":10,\"passed_asserts\":0,"
        "\"failures\":[]}"));
    cr_assert(strstr(r.tests[0].output, "SIGSEGV"), "name the signal: %s", r.tests[0].output);
    cr_assert(strstr(r.tests[1].output, "timed out after 10 s"), "say it timed out: %s",
              r.tests[1].output);
}

Test(score, timeout_names_what_the_test_waited_for)
{
    struct exercise_result r = score(REPORT(
        "{\"suite\":\"ex\",\"name\":\"a\",\"status\":\"FAILED\",\"crashed\":false,\"signal\":0,"
        "\"exit_code\":0,\"timed_out\":true,\"timeout\":25,\"passed_asserts\":0,"
        "\"description\":\"the group to form\",\"failures\":[]}"));
    cr_assert(strstr(r.tests[0].output, "timed out after 25 s") &&
                  strstr(r.tests[0].output, "waiting for the group to form"),
              "say what it waited for: %s", r.tests[0].output);
}

Test(score, unlisted_tests_are_counted_but_score_nothing)
{
    struct exercise_result r = score(REPORT(ENTRY("a", "PASSED", ",\"passed_asserts\":1") "," ENTRY(
        "extra", "PASSED", ",\"passed_asserts\":1")));
    cr_assert_eq(r.unlisted_tests, 1, "one test is not in the manifest, got %d", r.unlisted_tests);
    cr_assert(r.score == 2, "only a counts: expected 2, got %g", r.score);
}

Test(score, limit_longer_than_the_manifest_is_an_authoring_error)
{
    /* a's own limit is 25 s; the manifest lists none (10 s), so the wall
     * limit summed from the manifest is too short */
    struct exercise_result r = score(REPORT(
        "{\"suite\":\"ex\",\"name\":\"a\",\"status\":\"PASSED\",\"crashed\":false,"
        "\"signal\":0,\"exit_code\":0,\"timed_out\":false,\"timeout\":25,\"elapsed\":0.1,"
        "\"passed_asserts\":1,\"failures\":[]}," ENTRY("b", "PASSED", ",\"passed_asserts\":1")));
    cr_assert_eq(r.short_limits, 1, "a's 25 s limit is not in the manifest: expected 1, got %d",
                 r.short_limits);
    cr_assert(r.message && strstr(r.message, "test a has a time limit of 25 s") &&
                  strstr(r.message, "\"timeout\": 25"),
              "the note names the test and the fix: %s", r.message ? r.message : "(none)");
    cr_assert(r.score == 3, "the limits do not change the score: expected 3, got %g", r.score);

    specs[0].timeout = 25; /* now listed: nothing to note */
    struct exercise_result listed = score(
        REPORT("{\"suite\":\"ex\",\"name\":\"a\",\"status\":\"PASSED\",\"crashed\":false,"
               "\"signal\":0,\"exit_code\":0,\"timed_out\":false,\"timeout\":25,\"elapsed\":0.1,"
               "\"passed_asserts\":1,\"failures\":[]}"));
    specs[0].timeout = 0;
    cr_assert_eq(listed.short_limits, 0, "a 25 s limit listed as 25 s is fine, got %d",
                 listed.short_limits);
}

Test(score, wrong_format_is_not_trusted)
{
    struct exercise_result r =
        score("{\"tests\":[" ENTRY("a", "PASSED", ",\"passed_asserts\":1") "]}");
    cr_assert_eq(r.state, EX_NO_REPORT, "a report without our format tag must not count");
    cr_assert(r.score == 0, "expected 0, got %g", r.score);
}

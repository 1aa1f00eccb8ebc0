/*
 * test_hardening.c - the grader's fences that need no course: screening of
 * student objects, the JUnit report's escaping, and archive names.
 */
#include "grade.h"
#include "pipeline.h"
#include "wb_testkit.h"

#include <stdlib.h>
#include <string.h>

WB_SUITE(hardening);

/* Compiles C source text to an object in TMPDIR and screens it. */
static char *screen_source(const char *source)
{
    const char *dir = wb_env_or("TMPDIR", "/tmp");
    char c_path[512], o_path[512], cmd[1200];
    const char *name = wb_unique_name("screen");
    snprintf(c_path, sizeof c_path, "%s/%s.c", dir, name);
    snprintf(o_path, sizeof o_path, "%s/%s.o", dir, name);
    cr_assert_eq(file_write_atomic(c_path, source, strlen(source)), 0, "cannot write %s", c_path);
    snprintf(cmd, sizeof cmd, "cc -c -o '%s' '%s'", o_path, c_path);
    cr_assert_eq(system(cmd), 0, "could not compile: %s", source);
    return screen_object(o_path);
}

Test(hardening, clean_object_passes_screening)
{
    char *found =
        screen_source("#include <string.h>\nsize_t f(const char *s) { return strlen(s); }\n");
    cr_assert_null(found, "a clean object was flagged: %s", found ? found : "");
}

Test(hardening, constructor_is_flagged)
{
    char *found = screen_source("__attribute__((constructor)) static void c(void) {}\n");
    cr_assert(found && strstr(found, "constructor"), "a constructor was not flagged: %s",
              found ? found : "(nothing)");
    free(found);
}

Test(hardening, exit_and_fork_are_flagged)
{
    char *found = screen_source("#include <stdlib.h>\n#include <unistd.h>\n"
                                "int f(void) { if (fork() == 0) exit(0); return 1; }\n");
    cr_assert(found && strstr(found, "calls exit()") && strstr(found, "calls fork()"),
              "exit and fork should both be named, got: %s", found ? found : "(nothing)");
    free(found);
}

Test(hardening, ifunc_and_runner_names_are_flagged)
{
    char *found = screen_source("static int impl(void) { return 1; }\n"
                                "static void *pick(void) { return (void *)impl; }\n"
                                "int f(void) __attribute__((ifunc(\"pick\")));\n"
                                "int main(void) { return 0; }\n"
                                "void wb_report_write(void) {}\n");
    cr_assert(found && strstr(found, "IFUNC") && strstr(found, "defines main") &&
                  strstr(found, "defines wb_report_write"),
              "IFUNC, main and wb_report_write should be named, got: %s",
              found ? found : "(nothing)");
    free(found);
}

Test(hardening, hand_made_init_array_is_flagged)
{
    char *found = screen_source("static void f(void) {}\n"
                                "__attribute__((used, section(\".init_array\"))) "
                                "static void (*p)(void) = f;\n");
    cr_assert(found && strstr(found, "constructor"), "a hand-made .init_array entry: %s",
              found ? found : "(nothing)");
    free(found);
}

Test(hardening, junit_output_is_escaped)
{
    static struct wb_test_spec spec = {.name = "t<1>", .points = 1};
    static struct wb_chapter ch = {.id = "01_x"};
    static struct wb_exercise ex = {.id = "e&x", .tests = &spec, .ntests = 1, .chapter = &ch};
    struct test_result t = {
        .spec = &spec, .state = TEST_FAILED, .output = "got \"<x>\" & ']]>' \x01\xff end"};
    struct exercise_result r = {.ex = &ex, .tests = &t, .ntests = 1, .max = 1};
    struct grade_options o = {.submission = "s<"};
    struct grade_run run = {.opts = &o, .exercises = &r, .nexercises = 1, .max = 1};
    char path[512];
    snprintf(path, sizeof path, "%s/%s.xml", wb_env_or("TMPDIR", "/tmp"), wb_unique_name("j"));
    cr_assert_eq(report_junit_xml(&run, path), 0, "report_junit_xml failed");
    char *xml = file_read(path, NULL);
    cr_assert(xml, "no file");
    cr_assert(
        strstr(xml,
               "got &quot;&lt;x&gt;&quot; &amp; &apos;]]&gt;&apos; \xef\xbf\xbd\xef\xbf\xbd end"),
        "output not escaped: %s", xml);
    cr_assert(strstr(xml, "name=\"t&lt;1&gt;\"") && strstr(xml, "01_x/e&amp;x"),
              "names not escaped: %s", xml);
    free(xml);
}

Test(hardening, folder_and_missing_submissions)
{
    char err[512] = "";
    char *dir = submission_open("/", "/nonexistent-unpack", err, sizeof err);
    cr_assert(dir && strcmp(dir, "/") == 0, "a folder is used in place");
    free(dir);
    cr_assert_null(submission_open("/no/such/thing.zip", "/tmp/x", err, sizeof err),
                   "a missing archive is an error");
    cr_assert(strstr(err, "no such folder or archive"), "message: %s", err);
    cr_assert(submission_is_archive("a.tar.gz") && submission_is_archive("b.zip") &&
                  !submission_is_archive("c.tar"),
              "archive kinds");
}

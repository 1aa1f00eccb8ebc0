/*
 * test_student.c - the student's loop without a terminal: the progress file,
 * the current and next exercise, "did you mean" suggestions, hint sections
 * and backup names.
 */
#include "course_path.h"
#include "pipeline.h"
#include "student.h"
#include "util.h"
#include "wb_testkit.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

WB_SUITE(student);

static struct wb_manifest m;
static char dir[] = "/tmp/wb-test-student.XXXXXX";

static void setup(void)
{
    char err[1024];
    cr_assert(manifest_load(course_root(), &m, err, sizeof err) == 0, "manifest: %s", err);
    cr_assert(mkdtemp(dir) != NULL, "cannot make a temporary folder");
}

static void teardown(void)
{
    remove_tree(dir);
    manifest_free(&m);
}

static const struct wb_exercise *ex(const char *name)
{
    const struct wb_exercise *e = manifest_exercise(&m, name);
    cr_assert(e != NULL, "the course has no exercise %s", name);
    return e;
}

Test(student, progress_file_round_trip, .init = setup, .fini = teardown)
{
    char err[1024];
    char *path = str_printf("%s/sub/state.json", dir);
    struct progress p;
    cr_assert(progress_load(&p, path, err, sizeof err) == 0, "a missing file is empty: %s", err);
    const struct wb_exercise *first = &m.chapters[0].exercises[0];
    cr_assert(progress_status(&p, first) == EXS_NOT_STARTED, "fresh state: not started");
    cr_assert(progress_current(&m, &p) == first, "fresh state: current is the first exercise");

    cr_assert(progress_record(&p, first, 3, 13, 1000) == 0);
    cr_assert(progress_set_hints_used(&p, first, 2) == 0);
    cr_assert(progress_save(&p, err, sizeof err) == 0, "save (creating its folder): %s", err);
    progress_free(&p);

    cr_assert(progress_load(&p, path, err, sizeof err) == 0, "reload: %s", err);
    cr_assert(progress_status(&p, first) == EXS_FAILING, "3/13 is failing");
    cr_assert(progress_score(&p, first) == 3, "score kept: got %g", progress_score(&p, first));
    cr_assert(progress_hints_used(&p, first) == 2, "hints kept: got %d",
              progress_hints_used(&p, first));

    progress_record(&p, first, 13, 13, 1001);
    cr_assert(progress_status(&p, first) == EXS_PASSING, "13/13 is passing");
    const struct wb_exercise *second = &m.chapters[0].exercises[1];
    cr_assert(progress_current(&m, &p) == second, "current moves past a passing exercise");
    cr_assert(progress_next(&m, &p, first) == second, "next after the first is the second");

    progress_forget(&p, first);
    cr_assert(progress_status(&p, first) == EXS_NOT_STARTED, "forgotten after a reset");
    cr_assert(progress_hints_used(&p, first) == 2, "hints survive a reset");
    progress_free(&p);
    free(path);
}

/* A check runs an exercise sanitized first only when it passed last time:
 * then one run scores it; a failing one runs plain first (memory_safety.c). */
Test(student, check_runs_sanitized_first_only_after_a_pass, .init = setup, .fini = teardown)
{
    char err[1024];
    char *path = str_printf("%s/state.json", dir);
    struct progress p;
    cr_assert(progress_load(&p, path, err, sizeof err) == 0, "%s", err);
    const struct wb_exercise *e = ex("03_amqp/work_queue");
    struct grade_options o = {.sanitized_first_for = check_sanitized_first,
                              .sanitized_first_arg = &p};
    cr_assert(!memory_safety_first_applies(e, &o), "never checked: plain first");
    progress_record(&p, e, 4, 10, 1000);
    cr_assert(!memory_safety_first_applies(e, &o), "failed last time: plain first");
    progress_record(&p, e, 10, 10, 1001);
    cr_assert(memory_safety_first_applies(e, &o), "passed last time: sanitized first");
    o.tests = "memory_safety";
    cr_assert(!memory_safety_first_applies(e, &o), "--tests: never sanitized first");
    o.tests = NULL;
    o.sanitize = true;
    cr_assert(!memory_safety_first_applies(e, &o), "--sanitize: one run, already sanitized");
    progress_free(&p);
    free(path);
}

Test(student, next_wraps_around_to_earlier_unfinished, .init = setup, .fini = teardown)
{
    char err[1024];
    char *path = str_printf("%s/state.json", dir);
    struct progress p;
    cr_assert(progress_load(&p, path, err, sizeof err) == 0);
    const struct wb_chapter *last_ch = &m.chapters[m.nchapters - 1];
    const struct wb_exercise *last = &last_ch->exercises[last_ch->nexercises - 1];
    cr_assert(progress_next(&m, &p, last) == &m.chapters[0].exercises[0],
              "after the last exercise comes the first unfinished one");
    for (size_t i = 0; i < m.nchapters; i++)
        for (size_t k = 0; k < m.chapters[i].nexercises; k++)
            progress_record(&p, &m.chapters[i].exercises[k], 1, 1, 0);
    cr_assert(progress_current(&m, &p) == NULL, "all pass: no current exercise");
    cr_assert(progress_next(&m, &p, last) == NULL, "all pass: no next exercise");
    progress_free(&p);
    free(path);
}

Test(student, broken_progress_file_is_named, .init = setup, .fini = teardown)
{
    char err[1024];
    char *path = str_printf("%s/state.json", dir);
    cr_assert(file_write_atomic(path, "{not json", 9) == 0);
    struct progress p;
    cr_assert(progress_load(&p, path, err, sizeof err) != 0, "a broken file is an error");
    cr_assert(strstr(err, path) != NULL, "the message names the file: %s", err);
    free(path);
}

Test(student, edit_distance)
{
    cr_assert(edit_distance("", "") == 0);
    cr_assert(edit_distance("abc", "") == 3);
    cr_assert(edit_distance("kitten", "sitting") == 3, "kitten/sitting: got %zu",
              edit_distance("kitten", "sitting"));
    cr_assert(edit_distance("http_client", "htp_client") == 1);
    cr_assert(edit_distance("flaw", "lawn") == 2);
}

Test(student, unknown_names_get_the_closest, .init = setup, .fini = teardown)
{
    const struct wb_exercise *out[5];
    size_t n = suggest_exercises(&m, "htp_clint", out, 5);
    cr_assert(n >= 1 && out[0] == ex("01_rest/http_client"),
              "htp_clint: expected 01_rest/http_client first, got %zu suggestion(s)", n);
    n = suggest_exercises(&m, "01_rest/hello_sever", out, 5);
    cr_assert(n >= 1 && out[0] == ex("01_rest/hello_server"),
              "01_rest/hello_sever: expected 01_rest/hello_server first");
    n = suggest_exercises(&m, "zzzzzzzzzzzzzzzz", out, 5);
    cr_assert(n == 0, "nothing is close to zzzz...: got %zu suggestion(s)", n);

    char *buf = NULL;
    size_t len = 0;
    FILE *msg = open_memstream(&buf, &len);
    cr_assert(msg != NULL);
    cr_assert(resolve_exercise(&m, "http_client", msg) == ex("01_rest/http_client"),
              "a unique exercise id resolves alone");
    cr_assert(resolve_exercise(&m, "producer", msg) == NULL, "producer is in two chapters");
    cr_assert(resolve_exercise(&m, "htp_client", msg) == NULL);
    cr_assert(resolve_exercise(&m, "01_rst", msg) == NULL, "01_rst is not an exercise");
    fclose(msg);
    cr_assert(strstr(buf, "the chapter 01_rest"), "a mistyped chapter gets its name: %s", buf);
    cr_assert(strstr(buf, "03_amqp/producer") && strstr(buf, "04_kafka/producer"),
              "an ambiguous name lists both chapters: %s", buf);
    cr_assert(strstr(buf, "Did you mean") && strstr(buf, "01_rest/http_client"),
              "a typo gets a suggestion: %s", buf);
    free(buf);
}

Test(student, hint_sections_split_on_dashes)
{
    char **s = NULL;
    int n = hint_sections("\nfirst hint\n\n---\nsecond\nhint\n---  \n\n---\nthird\n", &s);
    cr_assert(n == 3, "three non-empty sections expected, got %d", n);
    cr_assert_str_eq(s[0], "first hint");
    cr_assert_str_eq(s[1], "second\nhint");
    cr_assert_str_eq(s[2], "third");
    free_strings(s, n);
    n = hint_sections("a line with --- inside\n----\nstill one", &s);
    cr_assert(n == 1, "only a line of exactly --- separates; got %d sections", n);
    free_strings(s, n);
    n = hint_sections("", &s);
    cr_assert(n == 0, "no text, no hints; got %d", n);
    free_strings(s, n);
}

Test(student, hint_file_of_every_exercise_has_sections, .init = setup, .fini = teardown)
{
    for (size_t i = 0; i < m.nchapters; i++)
        for (size_t k = 0; k < m.chapters[i].nexercises; k++) {
            const struct wb_exercise *e = &m.chapters[i].exercises[k];
            char *path = str_printf("%s/chapters/%s/%s", m.root, e->chapter->id,
                                    e->hints ? e->hints : "hints/none");
            char *text = file_read(path, NULL);
            cr_assert(text != NULL, "%s/%s: cannot read %s", e->chapter->id, e->id, path);
            char **s;
            int n = hint_sections(text, &s);
            cr_assert(n >= 1, "%s holds no hint sections", path);
            free_strings(s, n);
            free(text);
            free(path);
        }
}

Test(student, backups_never_overwrite, .init = setup, .fini = teardown)
{
    time_t when = 1700000000;
    char *first = backup_path(dir, "01_rest", "http_client.c", when);
    cr_assert(first != NULL);
    cr_assert(strncmp(first, dir, strlen(dir)) == 0 && strstr(first, "/01_rest/http_client.c."),
              "backup goes to DIR/CH/FILE.STAMP: %s", first);
    char *sub = str_printf("%s/01_rest", dir);
    cr_assert(mkdir_p(sub) == 0);
    cr_assert(file_write_atomic(first, "x", 1) == 0);
    char *second = backup_path(dir, "01_rest", "http_client.c", when);
    cr_assert(second && strcmp(first, second) != 0, "the second name differs: %s", second);
    cr_assert(str_ends_with(second, "-2"), "the same second gets -2: %s", second);
    free(first);
    free(second);
    free(sub);
}

/* A one-exercise course in dir: solutions/ch/f.c with one marked region. */
static void tiny_course(struct wb_manifest *tiny)
{
    static const char *manifest =
        "{\"title\": \"t\", \"chapters\": [{\"id\": \"ch\", \"title\": \"c\", \"exercises\": ["
        "{\"id\": \"ex\", \"title\": \"e\", \"files\": [\"f.c\"],"
        " \"tests\": [{\"name\": \"t\", \"points\": 1}]}]}]}";
    static const char *solution = "int f(void)\n{\n"
                                  "    // @student-begin: return 1.\n"
                                  "    return 1;\n"
                                  "    // @student-stub\n"
                                  "    // return 0;\n"
                                  "    // @student-end\n"
                                  "}\n";
    char err[1024];
    char *sol_dir = str_printf("%s/solutions/ch", dir);
    char *ch_dir = str_printf("%s/chapters/ch", dir);
    char *mpath = str_printf("%s/manifest.json", dir);
    char *spath = str_printf("%s/f.c", sol_dir);
    cr_assert(mkdir_p(sol_dir) == 0 && mkdir_p(ch_dir) == 0);
    cr_assert(file_write_atomic(mpath, manifest, strlen(manifest)) == 0);
    cr_assert(file_write_atomic(spath, solution, strlen(solution)) == 0);
    cr_assert(manifest_load(dir, tiny, err, sizeof err) == 0, "tiny manifest: %s", err);
    free(sol_dir);
    free(ch_dir);
    free(mpath);
    free(spath);
}

Test(student, reset_keeps_the_students_file, .init = setup, .fini = teardown)
{
    struct wb_manifest tiny;
    tiny_course(&tiny);
    char err[1024], *backup = NULL;
    char *mine = str_printf("%s/chapters/ch/f.c", dir);
    const char *edited = "int f(void) { return 42; }\n";
    cr_assert(file_write_atomic(mine, edited, strlen(edited)) == 0);

    cr_assert(reset_file(&tiny, &tiny.chapters[0], "f.c", &backup, err, sizeof err) == 0,
              "reset: %s", err);
    cr_assert(backup != NULL, "an edited file is backed up");
    cr_assert(strstr(backup, "/build/student/backups/ch/f.c."), "backup place: %s", backup);
    char *kept = file_read(backup, NULL);
    cr_assert(kept && strcmp(kept, edited) == 0, "the backup holds the edited file");
    char *now = file_read(mine, NULL);
    cr_assert(now && strstr(now, "// TODO: return 1.") && strstr(now, "return 0;") &&
                  !strstr(now, "return 42"),
              "the file is the skeleton again:\n%s", now ? now : "(unreadable)");
    free(backup);
    free(kept);
    free(now);

    cr_assert(reset_file(&tiny, &tiny.chapters[0], "f.c", &backup, err, sizeof err) == 0,
              "second reset: %s", err);
    cr_assert(backup == NULL, "the skeleton itself needs no backup: %s", backup);

    remove(mine);
    cr_assert(reset_file(&tiny, &tiny.chapters[0], "f.c", &backup, err, sizeof err) == 0,
              "a deleted file is restored: %s", err);
    cr_assert(backup == NULL && path_is_file(mine), "restored without a backup");
    free(mine);
    manifest_free(&tiny);
}

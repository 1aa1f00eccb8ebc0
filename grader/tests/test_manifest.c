/*
 * test_manifest.c - manifest.json: a good one loads, and each kind of
 * mistake is reported with its place in the file.
 */
#include "manifest.h"
#include "util.h"
#include "wb_testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

WB_SUITE(manifest);

static char dir[256];
static char err[1024];

static int load_text(const char *json, struct wb_manifest *m)
{
    snprintf(dir, sizeof dir, "%s/%s", wb_env_or("TMPDIR", "/tmp"), wb_unique_name("manifest"));
    cr_assert_eq(mkdir_p(dir), 0, "cannot create %s", dir);
    char *path = path_join(dir, "manifest.json");
    cr_assert_eq(file_write_atomic(path, json, strlen(json)), 0, "cannot write %s", path);
    free(path);
    return manifest_load(dir, m, err, sizeof err);
}

#define EXERCISE(tests) "{\"id\":\"ex\",\"title\":\"T\",\"files\":[\"ex.c\"],\"tests\":" tests "}"
#define COURSE(exercises)                                                                          \
    "{\"title\":\"c\",\"chapters\":[{\"id\":\"01_a\",\"title\":\"A\",\"exercises\":[" exercises    \
    "]}]}"

Test(manifest, good_manifest_loads)
{
    struct wb_manifest m;
    int rc = load_text(COURSE(EXERCISE("[{\"name\":\"t1\",\"points\":2},{\"name\":\"t2\","
                                       "\"points\":1.5}]")),
                       &m);
    cr_assert_eq(rc, 0, "a valid manifest was refused: %s", err);
    cr_assert_eq(m.nchapters, 1, "expected 1 chapter, got %zu", m.nchapters);
    const struct wb_exercise *e = manifest_exercise(&m, "01_a/ex");
    cr_assert_not_null(e, "01_a/ex should be found");
    cr_assert_eq(manifest_exercise(&m, "ex"), e, "a unique id should be found without chapter");
    cr_assert(exercise_max_points(e) == 3.5, "max points should be 3.5, got %g",
              exercise_max_points(e));
    cr_assert(manifest_is_student_file(&m.chapters[0], "ex.c"), "ex.c is a student file");
    cr_assert(!manifest_is_student_file(&m.chapters[0], "ex.h"), "ex.h is not");
    manifest_free(&m);
}

Test(manifest, syntax_error_names_line_and_column)
{
    struct wb_manifest m;
    int rc = load_text("{\n  \"title\": \"c\",\n  oops\n}\n", &m);
    cr_assert_eq(rc, -1, "broken JSON must be refused");
    cr_assert(strstr(err, "manifest.json:3:"), "the message should point at line 3: %s", err);
}

Test(manifest, missing_points_names_the_test)
{
    struct wb_manifest m;
    int rc = load_text(COURSE(EXERCISE("[{\"name\":\"t1\"}]")), &m);
    cr_assert_eq(rc, -1, "a test without points must be refused");
    cr_assert(strstr(err, "chapters[0].exercises[0].tests[0]") && strstr(err, "points"),
              "the message should name the place and the field: %s", err);
}

Test(manifest, test_timeout_is_read_and_checked)
{
    struct wb_manifest m;
    int rc = load_text(COURSE(EXERCISE("[{\"name\":\"t1\",\"points\":1,\"timeout\":45},"
                                       "{\"name\":\"t2\",\"points\":1}]")),
                       &m);
    cr_assert_eq(rc, 0, "a test with a timeout was refused: %s", err);
    const struct wb_exercise *e = manifest_exercise(&m, "01_a/ex");
    cr_assert(e->tests[0].timeout == 45 && e->tests[1].timeout == 0,
              "timeouts should be 45 and 0 (none given), got %g and %g", e->tests[0].timeout,
              e->tests[1].timeout);
    manifest_free(&m);
    rc = load_text(COURSE(EXERCISE("[{\"name\":\"t\",\"points\":1,\"timeout\":\"long\"}]")), &m);
    cr_assert_eq(rc, -1, "a timeout that is not a number must be refused");
    cr_assert(strstr(err, "tests[0]") && strstr(err, "timeout"),
              "the message should name the place and the field: %s", err);
}

Test(manifest, alone_and_parallel_tests_are_read_and_checked)
{
    struct wb_manifest m;
    int rc = load_text(COURSE(EXERCISE("[{\"name\":\"t1\",\"points\":1,\"alone\":true},"
                                       "{\"name\":\"t2\",\"points\":1}]")),
                       &m);
    cr_assert_eq(rc, 0, "a test marked alone was refused: %s", err);
    const struct wb_exercise *e = manifest_exercise(&m, "01_a/ex");
    cr_assert(e->tests[0].alone && !e->tests[1].alone, "alone should be true, then false");
    cr_assert(e->parallel_tests, "tests run side by side unless the exercise says otherwise");
    manifest_free(&m);
    rc = load_text(COURSE(EXERCISE("[{\"name\":\"t\",\"points\":1,\"alone\":1}]")), &m);
    cr_assert_eq(rc, -1, "alone must be a boolean");
    cr_assert(strstr(err, "alone"), "the message should name the field: %s", err);
}

Test(manifest, duplicate_test_is_refused)
{
    struct wb_manifest m;
    int rc = load_text(
        COURSE(EXERCISE("[{\"name\":\"t\",\"points\":1},{\"name\":\"t\",\"points\":1}]")), &m);
    cr_assert_eq(rc, -1, "a test listed twice must be refused");
    cr_assert(strstr(err, "listed twice"), "got: %s", err);
}

Test(manifest, path_leaving_the_chapter_is_refused)
{
    struct wb_manifest m;
    int rc = load_text("{\"title\":\"c\",\"chapters\":[{\"id\":\"01_a\",\"title\":\"A\","
                       "\"exercises\":[{\"id\":\"ex\",\"title\":\"T\",\"files\":[\"../x.c\"],"
                       "\"tests\":[{\"name\":\"t\",\"points\":1}]}]}]}",
                       &m);
    cr_assert_eq(rc, -1, "../ in a student file path must be refused");
    cr_assert(strstr(err, "../x.c"), "got: %s", err);
}

Test(manifest, static_in_tests_must_be_linked_modules)
{
    struct wb_manifest m;
    int rc = load_text("{\"title\":\"c\",\"chapters\":[{\"id\":\"01_a\",\"title\":\"A\","
                       "\"pkg_config\":[\"gpr\",\"jansson\"],\"static_in_tests\":[\"gpr\"],"
                       "\"exercises\":[" EXERCISE("[{\"name\":\"t\",\"points\":1}]") "]}]}",
                       &m);
    cr_assert_eq(rc, 0, "a module the chapter links was refused: %s", err);
    cr_assert_eq(m.chapters[0].nstatic_in_tests, 1, "expected 1 module, got %zu",
                 m.chapters[0].nstatic_in_tests);
    cr_assert_str_eq(m.chapters[0].static_in_tests[0], "gpr");
    manifest_free(&m);
    rc = load_text("{\"title\":\"c\",\"chapters\":[{\"id\":\"01_a\",\"title\":\"A\","
                   "\"pkg_config\":[\"jansson\"],\"static_in_tests\":[\"grpc_unsecure\"],"
                   "\"exercises\":[" EXERCISE("[{\"name\":\"t\",\"points\":1}]") "]}]}",
                   &m);
    cr_assert_eq(rc, -1, "a module the chapter does not link must be refused");
    cr_assert(strstr(err, "grpc_unsecure") && strstr(err, "pkg_config"),
              "the message should name the module and pkg_config: %s", err);
}

Test(manifest, bad_id_and_broker_are_refused)
{
    struct wb_manifest m;
    int rc = load_text("{\"title\":\"c\",\"chapters\":[{\"id\":\"01 A\",\"title\":\"A\","
                       "\"exercises\":[]}]}",
                       &m);
    cr_assert_eq(rc, -1, "an id with a space must be refused");
    cr_assert(strstr(err, "01 A"), "got: %s", err);
    rc = load_text("{\"title\":\"c\",\"chapters\":[{\"id\":\"a\",\"title\":\"A\",\"broker\":"
                   "\"mqtt\",\"exercises\":[]}]}",
                   &m);
    cr_assert_eq(rc, -1, "an unknown broker must be refused");
    cr_assert(strstr(err, "mqtt"), "got: %s", err);
}

#define CHOOSING                                                                                   \
    "{\"title\":\"c\",\"chapters\":[{\"id\":\"a\",\"title\":\"A\",\"broker\":\"rabbitmq\","        \
    "\"broker_choice\":\"kafka\",\"exercises\":[]}]}"

Test(manifest, broker_choice_follows_BROKER)
{
    struct wb_manifest m;
    unsetenv("BROKER");
    cr_assert_eq(load_text(CHOOSING, &m), 0, "refused: %s", err);
    cr_assert_str_eq(m.chapters[0].broker, "rabbitmq", "without BROKER the default broker runs");
    manifest_free(&m);
    setenv("BROKER", "kafka", 1);
    cr_assert_eq(load_text(CHOOSING, &m), 0, "refused: %s", err);
    cr_assert_str_eq(m.chapters[0].broker, "kafka", "BROKER=kafka picks the choice");
    cr_assert_str_eq(m.chapters[0].default_broker, "rabbitmq", "the default is remembered");
    manifest_free(&m);
    setenv("BROKER", "nats", 1);
    cr_assert_eq(load_text(CHOOSING, &m), 0, "BROKER=nats must not refuse the course: %s", err);
    const char *why = m.chapters[0].broker_refused;
    cr_assert_str_eq(m.chapters[0].broker, "rabbitmq", "an unknown choice keeps the default");
    cr_assert(strstr(why, "BROKER=nats") && strstr(why, "rabbitmq") && strstr(why, "kafka"),
              "the chapter's refusal must name the value and the two brokers: %s", why);
    manifest_free(&m);
    unsetenv("BROKER");
}

/* A chapter on RabbitMQ (Kafka by choice) with one exercise whose own
 * "broker" is BROKER_FIELD (a JSON fragment ending in a comma, or ""). */
#define OWN_BROKER(BROKER_FIELD)                                                                   \
    "{\"title\":\"c\",\"chapters\":[{\"id\":\"a\",\"title\":\"A\",\"broker\":\"rabbitmq\","        \
    "\"broker_choice\":\"kafka\",\"exercises\":[{\"id\":\"ex\",\"title\":\"T\"," BROKER_FIELD      \
    "\"restarts_broker\":true,\"files\":[\"x.c\"],\"tests\":[{\"name\":\"t\",\"points\":1}]}]}]}"

Test(manifest, exercise_broker_is_its_own_or_the_chapters)
{
    struct wb_manifest m;
    unsetenv("BROKER");
    cr_assert_eq(load_text(OWN_BROKER("\"broker\":\"kafka\","), &m), 0, "refused: %s", err);
    const struct wb_exercise *e = manifest_exercise(&m, "ex");
    cr_assert_str_eq(manifest_exercise_broker(e), "kafka", "its own broker");
    cr_assert(e->restarts_broker, "restarts_broker read");
    manifest_free(&m);
    cr_assert_eq(load_text(OWN_BROKER(""), &m), 0, "refused: %s", err);
    cr_assert_str_eq(manifest_exercise_broker(manifest_exercise(&m, "ex")), "rabbitmq",
                     "without one, the chapter's");
    manifest_free(&m);
    cr_assert_eq(load_text(OWN_BROKER("\"broker\":\"redis\","), &m), -1,
                 "a broker the chapter does not run on must be refused");
    cr_assert(strstr(err, "redis") && strstr(err, "broker_choice"), "got: %s", err);
}

Test(manifest, missing_file_is_reported)
{
    struct wb_manifest m;
    int rc = manifest_load("/nonexistent-wirebook-course", &m, err, sizeof err);
    cr_assert_eq(rc, -1, "a missing course folder must be refused");
    cr_assert(strstr(err, "/nonexistent-wirebook-course"), "got: %s", err);
}

Test(manifest, hidden_tests_visibility_and_late_policy)
{
    struct wb_manifest m;
    int rc = load_text(COURSE(EXERCISE("[{\"name\":\"t1\",\"points\":1},{\"name\":\"t2\","
                                       "\"points\":1,\"hidden\":true,\"visibility\":"
                                       "\"after_due_date\"}]")),
                       &m);
    cr_assert_eq(rc, 0, "hidden and visibility were refused: %s", err);
    const struct wb_exercise *e = manifest_exercise(&m, "ex");
    cr_assert(!e->tests[0].hidden && e->tests[1].hidden, "t2 is hidden, t1 is not");
    cr_assert_str_eq(e->tests[1].visibility, "after_due_date", "visibility kept");
    manifest_free(&m);

    rc = load_text(COURSE(EXERCISE("[{\"name\":\"t1\",\"points\":1,\"visibility\":\"later\"}]")),
                   &m);
    cr_assert_eq(rc, -1, "an unknown visibility must be refused");
    cr_assert(strstr(err, "tests[0]") && strstr(err, "after_published"),
              "the message names the test and the words allowed: %s", err);

    rc = load_text("{\"title\":\"c\",\"late\":{\"penalty_per_day\":2},\"chapters\":[]}", &m);
    cr_assert_eq(rc, -1, "a penalty above 1 a day must be refused");
    cr_assert(strstr(err, "late"), "the message names \"late\": %s", err);
    rc = load_text("{\"title\":\"c\",\"late\":{\"penalty_per_day\":0.1,\"max_days\":3},"
                   "\"gradescope\":{\"stdout_visibility\":\"hidden\"},\"chapters\":[]}",
                   &m);
    cr_assert_eq(rc, 0, "a late policy was refused: %s", err);
    cr_assert(m.late_penalty_per_day == 0.1 && m.late_max_days == 3, "late policy read");
    cr_assert_str_eq(m.stdout_visibility, "hidden", "stdout visibility read");
    manifest_free(&m);
}

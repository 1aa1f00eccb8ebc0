/*
 * manifest.h - the course manifest (manifest.json): chapters, exercises,
 * the tests of each exercise and their points, quizzes.
 *
 * It is the single list of what the course contains; the grader, the
 * skeleton generator and the student CLI all read it through this module.
 * Strings point into the parsed JSON, which lives as long as the manifest.
 */
#ifndef WB_MANIFEST_H
#define WB_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct wb_chapter;

struct wb_test_spec {
    const char *name; /* Criterion test name inside the exercise's suite */
    double points;
    const char *needs; /* NULL, "real-kafka" or "mock-kafka" */
    /* "hidden": true keeps the test out of the student edition (its code
     * lives in a tests/hidden/ source); the instructor's grading runs it. */
    bool hidden;
    /* Gradescope visibility: "visible", "after_due_date", "after_published"
     * or "hidden"; NULL = visible, or after_published for a hidden test. */
    const char *visibility;
    double timeout; /* the test's own .timeout in seconds when it has one, else 0 */
    /* "alone": true: it runs after the exercise's other tests, one at a
     * time (it restarts the broker they use); see test_passes.c. */
    bool alone;
};

/* A test's time limit when it has none of its own: the suite's
 * (testkit/wb_testkit.h, WB_TEST_TIMEOUT). */
#define WB_DEFAULT_TEST_TIMEOUT 10.0

struct wb_exercise {
    const char *id;
    const char *title;
    const char *hints;  /* path relative to the chapter, or NULL */
    const char **files; /* student-owned, relative to the chapter */
    size_t nfiles;
    const char **sources; /* instructor-owned extra sources for the tests */
    size_t nsources;
    struct wb_test_spec *tests;
    size_t ntests;
    const struct wb_chapter *chapter;
    /* The broker its tests use when not the chapter's ("broker": "kafka":
     * chapter 07's kafka_path, which hosts a Kafka cluster whatever broker
     * the chapter runs on); NULL: the chapter's. See wb_exercise_broker. */
    const char *broker;
    /* A test of it stops or restarts the broker its tests use, so no other
     * exercise may use that broker while it runs, when it is shared
     * (grade.c runs it alone). */
    bool restarts_broker;
    /* Its tests may run side by side in Criterion workers (run.c); false
     * ("parallel_tests": false) runs them one at a time, for tests that
     * would disturb each other (one changes something all of them share). */
    bool parallel_tests;
};

struct wb_program {
    const char *name;
    const char **sources;
    size_t nsources;
};

struct wb_chapter {
    const char *id;
    const char *title;
    const char *broker; /* NULL, "rabbitmq", "kafka", "nats" or "redis" */
    /* A second broker the chapter's tests and services can run on, chosen
     * with BROKER=NAME in the environment (then broker is that one); NULL
     * when the chapter has one broker only. */
    const char *broker_choice;
    const char *default_broker; /* broker as the manifest names it */
    /* BROKER=NAME asked for a broker this chapter cannot run on: why, and
     * grading the chapter says so (other commands and chapters go on) */
    char broker_refused[160];
    const char **pkg_config;
    size_t npkg_config;
    /* Modules of pkg_config the test binaries link from their archives
     * (pipeline/test_link.c says why); none of their functions may be
     * replaced by a test with dlsym(RTLD_NEXT) then. */
    const char **static_in_tests;
    size_t nstatic_in_tests;
    const char **protobuf_c; /* .proto files compiled with protoc-c */
    size_t nprotobuf_c;
    struct wb_program *programs;
    size_t nprograms;
    struct wb_exercise *exercises;
    size_t nexercises;
};

struct wb_quiz {
    const char *id;
    const char *file; /* relative to the course root */
};

struct wb_manifest {
    json_t *json;
    char *root; /* absolute path of the course folder */
    const char *title;
    const char *answers_file; /* student-owned, relative to a submission */
    struct wb_chapter *chapters;
    size_t nchapters;
    struct wb_quiz *quizzes;
    size_t nquizzes;
    /* Gradescope: who sees the table ("gradescope": {"stdout_visibility"}),
     * and the late policy ("late": {"penalty_per_day", "max_days"}). */
    const char *stdout_visibility;
    double late_penalty_per_day; /* 0: no late policy */
    double late_max_days;        /* 0: no cap on the days counted */
    /* "edition": "student" in a release made by `wirebook release` */
    bool student_edition;
};

/* Loads ROOT/manifest.json. On error returns -1 and writes one sentence
 * naming the file, the place in it and the problem into err. */
int manifest_load(const char *root, struct wb_manifest *m, char *err, size_t errlen);
void manifest_free(struct wb_manifest *m);

const struct wb_chapter *manifest_chapter(const struct wb_manifest *m, const char *id);
/* "CHAPTER/EXERCISE", or an exercise id unique across the course. */
const struct wb_exercise *manifest_exercise(const struct wb_manifest *m, const char *name);

/* The broker e's tests use: its own "broker", else its chapter's (as
 * BROKER= chose it); NULL for a chapter without one. */
const char *manifest_exercise_broker(const struct wb_exercise *e);
/* True when rel (relative to the chapter) is a student-owned file of any exercise. */
int manifest_is_student_file(const struct wb_chapter *c, const char *rel);
double exercise_max_points(const struct wb_exercise *e);
/* One of Gradescope's visibility words: "visible", "after_due_date",
 * "after_published" or "hidden". */
bool manifest_visibility_ok(const char *word);

/* Finds the course root: dir itself if given, else $WB_COURSE, else the
 * nearest folder at or above the current one that holds manifest.json.
 * Returns a malloc'd path or NULL. */
char *manifest_find_root(const char *dir);

#endif

/*
 * cmd_grade.c - `wirebook grade` (instructors, CI). The students' `check`
 * is the same pipeline, in cmd_student.c.
 */
#include "commands.h"
#include "expect.h"
#include "grade.h"
#include "pipeline.h"
#include "sandbox.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool want_color(void)
{
    const char *no = getenv("NO_COLOR");
    return isatty(STDOUT_FILENO) && !(no && *no);
}

int load_course(const char *course, struct wb_manifest *m)
{
    char err[1024];
    char *root = manifest_find_root(course);
    if (!root) {
        fprintf(stderr, "wirebook: no manifest.json here or above; run inside the course "
                        "folder, or point WB_COURSE at it\n");
        return -1;
    }
    int rc = manifest_load(root, m, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "wirebook: %s\n", err);
    free(root);
    return rc;
}

/* Checks that --only names something that exists, suggesting what does. */
int check_only(const struct wb_manifest *m, const char *only)
{
    if (!only || strcmp(only, "quiz") == 0)
        return 0;
    const char *slash = strchr(only, '/');
    size_t n = slash ? (size_t)(slash - only) : strlen(only);
    for (size_t i = 0; i < m->nchapters; i++) {
        if (strlen(m->chapters[i].id) != n || strncmp(m->chapters[i].id, only, n) != 0)
            continue;
        if (!slash || manifest_exercise(m, only))
            return 0;
    }
    fprintf(stderr, "wirebook: no chapter or exercise '%s'. Known:\n", only);
    for (size_t i = 0; i < m->nchapters; i++)
        for (size_t k = 0; k < m->chapters[i].nexercises; k++)
            fprintf(stderr, "  %s/%s\n", m->chapters[i].id, m->chapters[i].exercises[k].id);
    return -1;
}

/* --tests names tests of the one exercise --only selects. */
static int check_tests(const struct wb_manifest *m, const struct grade_options *o)
{
    if (!o->tests)
        return 0;
    const struct wb_exercise *e =
        o->only && strchr(o->only, '/') ? manifest_exercise(m, o->only) : NULL;
    if (!e) {
        fprintf(stderr, "wirebook grade: --tests needs --only CHAPTER/EXERCISE\n");
        return -1;
    }
    char *why = test_list_check(e, o->tests);
    if (why)
        fprintf(stderr, "wirebook grade: --tests: %s\n", why);
    free(why);
    return why ? -1 : 0;
}

static int run_pipeline(struct wb_manifest *m, struct grade_options *o, const char *json_path,
                        const char *expect)
{
    char err[1024];
    struct grade_run run;
    if (grade_run(m, o, &run, err, sizeof err) != 0) {
        fprintf(stderr, "wirebook: %s\n", err);
        return 2;
    }
    report_table(&run, stdout);
    int rc = 0;
    if (json_path) {
        if (report_results_json(&run, json_path) != 0) {
            fprintf(stderr, "wirebook: cannot write %s\n", json_path);
            rc = 2;
        } else {
            printf("results: %s\n", json_path);
        }
        char *xml_path = str_printf("%.*s.xml", (int)(strlen(json_path) - 5), json_path);
        if (!xml_path || report_junit_xml(&run, xml_path) != 0) {
            fprintf(stderr, "wirebook: cannot write the JUnit report %s\n",
                    xml_path ? xml_path : "results.xml");
            rc = 2;
        }
        free(xml_path);
    }
    if (expect && rc == 0) {
        int bad = expect_check(&run, expect, stderr);
        if (bad < 0) {
            fprintf(stderr, "wirebook: --expect '%s': use PATTERN=full|zero, comma-separated\n",
                    expect);
            rc = 2;
        } else if (bad > 0) {
            fprintf(stderr, "wirebook: %d expectation(s) not met\n", bad);
            rc = 1;
        }
    }
    if (o->only == NULL && expect == NULL && rc == 0 && run.max <= 0)
        fprintf(stderr, "wirebook: nothing was graded (the manifest lists no exercises)\n");
    grade_run_free(&run);
    return rc;
}

static void grade_usage(FILE *out)
{
    fprintf(out,
            "usage: wirebook grade [--submission DIR] [--only CHAPTER[/EXERCISE]|quiz]\n"
            "                      [--out DIR] [--sanitize] [--valgrind] [--werror] [--no-quiz]\n"
            "                      [--verbose] [--course DIR] [--expect SPEC]\n"
            "                      [--test-timeout SECONDS] [--tests NAME,NAME] [-j N]\n"
            "                      [--test-jobs N] [--submission-metadata FILE]\n"
            "                      [--plain-first] [--unsafe-no-sandbox]\n\n"
            "Grades a submission laid out like chapters/: a folder, a checkout holding\n"
            "chapters/, or a .zip/.tar.gz/.tgz of one (default: the course's own chapters/).\n"
            "Prints a table (NO_COLOR=1: no colour) and writes OUT/results.json (Gradescope\n"
            "shape) and OUT/results.xml (JUnit).\n"
            "Exits 0 whenever grading ran, whatever the score.\n"
            "  -j, --jobs N   grade N exercises at once (default: 3 per CPU); the\n"
            "                 table and results do not depend on N\n"
            "  --test-jobs N  run up to N tests of one exercise at once (default: 8, 2\n"
            "                 under valgrind; 1 where the manifest says parallel_tests\n"
            "                 false or a test restarts the shared broker)\n"
            "  --expect SPEC  for the course's own tests: e.g. '*=full' or\n"
            "                 '*=zero,01_rest/http_client=full'; exit 1 when not met\n"
            "  --submission-metadata FILE  Gradescope's submission_metadata.json: applies\n"
            "                 the manifest's \"late\" policy to results.json\n"
            "  --tests LIST   with --only CHAPTER/EXERCISE: run and score only these tests\n"
            "  --plain-first  as a student's check: the plain build scores the tests and\n"
            "                 the sanitized one runs after (default: sanitized first, and\n"
            "                 the plain build only when a test fails; docs/authoring.md)\n"

            "  --unsafe-no-sandbox  grade without root, where student code cannot be\n"
            "                 isolated (only no_new_privs, seccomp and limits hold)\n");
}

int cmd_grade(int argc, char **argv)
{
    static const struct option longopts[] = {{"submission", required_argument, NULL, 's'},
                                             {"only", required_argument, NULL, 'o'},
                                             {"out", required_argument, NULL, 'O'},
                                             {"sanitize", no_argument, NULL, 'a'},
                                             {"werror", no_argument, NULL, 'w'},
                                             {"no-quiz", no_argument, NULL, 'q'},
                                             {"verbose", no_argument, NULL, 'v'},
                                             {"course", required_argument, NULL, 'c'},
                                             {"expect", required_argument, NULL, 'e'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"test-timeout", required_argument, NULL, 't'},
                                             {"valgrind", no_argument, NULL, 'V'},
                                             {"submission-metadata", required_argument, NULL, 'M'},
                                             {"tests", required_argument, NULL, 'T'},
                                             {"unsafe-no-sandbox", no_argument, NULL, 'U'},
                                             {"jobs", required_argument, NULL, 'j'},
                                             {"test-jobs", required_argument, NULL, 'J'},
                                             {"plain-first", no_argument, NULL, 'P'},
                                             {NULL, 0, NULL, 0}};
    struct grade_options o = {.quizzes = true, .color = want_color(), .sanitized_first = true};
    const char *course = NULL, *out_dir = NULL, *expect = NULL;
    int c;
    bool unsafe = false;
    while ((c = getopt_long(argc, argv, "s:o:O:awqvc:e:ht:VM:T:Uj:J:P", longopts, NULL)) != -1) {
        switch (c) {
        case 's': o.submission = optarg; break;
        case 'o': o.only = optarg; break;
        case 'O': out_dir = optarg; break;
        case 'a': o.sanitize = true; break;
        case 'V': o.valgrind = true; break;
        case 'U': unsafe = true; break;
        case 'P': o.sanitized_first = false; break;
        case 'w': o.werror = true; break;
        case 'q': o.quizzes = false; break;
        case 'v': o.verbose = true; break;
        case 'c': course = optarg; break;
        case 'M': o.submission_metadata = optarg; break;
        case 'e': expect = optarg; break;
        case 'T': o.tests = optarg; break;
        case 't':
            o.test_timeout = atof(optarg);
            if (o.test_timeout <= 0) {
                fprintf(stderr, "wirebook grade: --test-timeout takes seconds > 0\n");
                return 2;
            }
            break;
        case 'j':
            o.jobs = atoi(optarg);
            if (o.jobs < 1 || o.jobs > 64) {
                fprintf(stderr, "wirebook grade: -j takes a number of exercises, 1 to 64\n");
                return 2;
            }
            break;
        case 'J':
            o.test_jobs = atoi(optarg);
            if (o.test_jobs < 1 || o.test_jobs > 64) {
                fprintf(stderr, "wirebook grade: --test-jobs takes a number of tests, 1 to 64\n");
                return 2;
            }
            break;
        case 'h': grade_usage(stdout); return 0;
        default: grade_usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "wirebook grade: unexpected argument '%s'\n", argv[optind]);
        grade_usage(stderr);
        return 2;
    }
    if (sandbox_refuses("grade", unsafe))
        return 2;
    struct wb_manifest m;
    if (load_course(course, &m) != 0)
        return 2;
    if (check_only(&m, o.only) != 0 || check_tests(&m, &o) != 0) {
        manifest_free(&m);
        return 2;
    }
    char *default_sub = path_join(m.root, "chapters");
    char *default_out = path_join(m.root, "build/grade");
    if (!o.submission)
        o.submission = default_sub;
    if (!out_dir)
        out_dir = default_out;
    /* Compilers and tests run in other folders: every path must be absolute. */
    char *abs_out = mkdir_p(out_dir) == 0 ? path_absolute(out_dir) : NULL;
    if (!abs_out) {
        fprintf(stderr, "wirebook grade: cannot create the output folder %s\n", out_dir);
        free(default_sub);
        free(default_out);
        manifest_free(&m);
        return 2;
    }
    o.out_dir = abs_out;
    char *json_path = path_join(abs_out, "results.json");
    int rc = run_pipeline(&m, &o, json_path, expect);
    free(json_path);
    free(abs_out);
    free(default_sub);
    free(default_out);
    manifest_free(&m);
    return rc;
}

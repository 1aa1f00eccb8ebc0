/*
 * cmd_batch.c - `wirebook batch DIR`: grade a folder of submissions in
 * parallel, with a gradebook and a summary (see batch.c).
 */
#include "batch.h"
#include "sandbox.h"
#include "commands.h"
#include "gradebook.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void batch_usage(FILE *out)
{
    fprintf(out,
            "usage: wirebook batch DIR [-j N] [--force] [--out DIR] [--only CHAPTER[/EXERCISE]]\n"
            "                      [--test-timeout SECONDS] [--no-quiz] [--course DIR]\n"
            "                      [--roster CSV] [--format wirebook|canvas|moodle]\n"
            "                      [--unsafe-no-sandbox]\n\n"
            "Grades every submission in DIR (folders, .zip, .tar.gz, .tgz), N at a time\n"
            "(default: the number of processors). Each gets OUT/STUDENT/ with results.json,\n"
            "results.xml and report.txt; OUT/gradebook.csv holds the points, OUT/summary.html\n"
            "the score distribution. Submissions already graded (results newer than the\n"
            "submission) are skipped unless --force. Default OUT: build/batch.\n"
            "--only grades part of each submission and merges it into its earlier results.\n"
            "--roster maps folders to students (CSV with id, name, email and/or login);\n"
            "--format writes gradebook.csv in the columns Canvas or Moodle import. Each\n"
            "student also gets OUT/STUDENT/feedback.txt and feedback.html to attach.\n"
            "Exits 0 when every submission was graded, 1 when some could not be, 2 on errors.\n"

            "Without root, student code cannot be isolated: it refuses to run unless\n"
            "--unsafe-no-sandbox.\n");
}

int cmd_batch(int argc, char **argv)
{
    static const struct option longopts[] = {{"jobs", required_argument, NULL, 'j'},
                                             {"force", no_argument, NULL, 'f'},
                                             {"out", required_argument, NULL, 'O'},
                                             {"only", required_argument, NULL, 'o'},
                                             {"no-quiz", no_argument, NULL, 'q'},
                                             {"course", required_argument, NULL, 'c'},
                                             {"test-timeout", required_argument, NULL, 't'},
                                             {"roster", required_argument, NULL, 'r'},
                                             {"format", required_argument, NULL, 'F'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"unsafe-no-sandbox", no_argument, NULL, 'U'},
                                             {NULL, 0, NULL, 0}};
    bool unsafe = false;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    struct batch_options o = {.jobs = cpus > 0 ? (int)cpus : 2, .quizzes = true};
    const char *course = NULL, *out_dir = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "j:fO:o:qc:t:hr:F:U", longopts, NULL)) != -1) {
        switch (c) {
        case 'U': unsafe = true; break;
        case 'j':
            o.jobs = atoi(optarg);
            if (o.jobs < 1 || o.jobs > 256) {
                fprintf(stderr, "wirebook batch: -j takes a number from 1 to 256\n");
                return 2;
            }
            break;
        case 'f': o.force = true; break;
        case 'O': out_dir = optarg; break;
        case 'o': o.only = optarg; break;
        case 'q': o.quizzes = false; break;
        case 'c': course = optarg; break;
        case 'r': o.roster = optarg; break;
        case 'F':
            o.format = gradebook_format_parse(optarg);
            if (o.format < 0) {
                fprintf(stderr, "wirebook batch: --format is wirebook, canvas or moodle\n");
                return 2;
            }
            break;
        case 't':
            o.test_timeout = atof(optarg);
            if (o.test_timeout <= 0) {
                fprintf(stderr, "wirebook batch: --test-timeout takes seconds > 0\n");
                return 2;
            }
            break;
        case 'h': batch_usage(stdout); return 0;
        default: batch_usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        batch_usage(stderr);
        return 2;
    }
    if (sandbox_refuses("batch", unsafe))
        return 2;
    /* The per-student `wirebook grade` runs inherit the decision. */
    if (unsafe && setenv("WIREBOOK_UNSAFE_NO_SANDBOX", "1", 1) != 0)
        return 2;
    struct wb_manifest m;
    if (load_course(course, &m) != 0)
        return 2;
    if (check_only(&m, o.only) != 0) {
        manifest_free(&m);
        return 2;
    }
    char *default_out = path_join(m.root, "build/batch");
    char *abs_dir = path_absolute(argv[optind]);
    char *abs_out = NULL;
    if (!out_dir)
        out_dir = default_out;
    if (out_dir && mkdir_p(out_dir) == 0)
        abs_out = path_absolute(out_dir);
    int rc = 2;
    char err[1024] = "";
    if (!abs_dir || !path_is_dir(abs_dir)) {
        fprintf(stderr, "wirebook batch: %s: no such folder\n", argv[optind]);
    } else if (!abs_out) {
        fprintf(stderr, "wirebook batch: cannot create the output folder %s\n",
                out_dir ? out_dir : "build/batch");
    } else {
        o.dir = abs_dir;
        o.out_dir = abs_out;
        rc = batch_run(&m, &o, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "wirebook batch: %s\n", err);
            rc = 2;
        }
    }
    free(default_out);
    free(abs_dir);
    free(abs_out);
    manifest_free(&m);
    return rc;
}

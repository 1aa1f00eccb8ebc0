/*
 * batch.h - grading a folder of submissions in parallel (`wirebook batch`).
 */
#ifndef WB_BATCH_H
#define WB_BATCH_H

#include "manifest.h"

#include <stdbool.h>

struct batch_options {
    const char *dir;     /* the submissions: folders, .zip, .tar.gz, .tgz */
    const char *out_dir; /* OUT/STUDENT/ per student, gradebook and summary */
    int jobs;            /* submissions graded at once */
    bool force;          /* regrade even when results are newer than the submission */
    const char *only;    /* passed on to `grade --only` */
    double test_timeout; /* passed on to `grade --test-timeout`, 0 = none */
    bool quizzes;
    const char *roster; /* CSV: id, name, email/login (gradebook.h), or NULL */
    int format;         /* enum gradebook_format of gradebook.csv */
};

/* Grades every submission, then writes OUT/gradebook.csv, OUT/summary.txt
 * and OUT/summary.html. Returns 0 when every submission has results, 1 when
 * some could not be graded (they are listed), -1 with a message in err when
 * the batch could not run at all. */
int batch_run(const struct wb_manifest *m, const struct batch_options *o, char *err, size_t errlen);

#endif

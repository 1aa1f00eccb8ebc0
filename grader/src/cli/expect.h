/*
 * expect.h - `--expect SPEC` for the course's own tests: checks that a grade
 * run came out as intended, e.g. "*=full" for the reference solutions or
 * "*=zero,01_rest/http_client=full".
 */
#ifndef WB_EXPECT_H
#define WB_EXPECT_H

#include "grade.h"

#include <stdio.h>

/* Returns the number of exercises/quizzes whose score does not match SPEC
 * (each is reported on log), or -1 when SPEC is malformed. */
int expect_check(const struct grade_run *run, const char *spec, FILE *log);

#endif

/*
 * course_path.h - where the grader's own tests find course files (quiz/,
 * grader/tests/quiz-cases/): under $WB_COURSE_DIR when set, else under the
 * checkout the Makefile compiled them from (WB_SOURCE_ROOT).
 */
#ifndef WB_COURSE_PATH_H
#define WB_COURSE_PATH_H

#include <stdio.h>
#include <stdlib.h>

#ifndef WB_SOURCE_ROOT
#define WB_SOURCE_ROOT "."
#endif

/* The course root, then root/relative; static buffers. */
static inline const char *course_root(void)
{
    const char *env = getenv("WB_COURSE_DIR");
    return env && *env ? env : WB_SOURCE_ROOT;
}

static inline const char *course_path(const char *relative)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", course_root(), relative);
    return buf;
}

#endif

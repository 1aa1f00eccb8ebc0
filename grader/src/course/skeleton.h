/*
 * skeleton.h - turns a marked reference solution into the student's skeleton.
 *
 * Markers (see docs/authoring.md):
 *     // @student-begin: what to do        -> "// TODO: what to do"
 *     // more TODO text                    (kept)
 *     ...reference code...                 (dropped)
 *     // @student-stub
 *     // stub code                         -> "stub code"
 *     // @student-end
 */
#ifndef WB_SKELETON_H
#define WB_SKELETON_H

#include "manifest.h"
#include "util.h"

#include <stdbool.h>

/* Renders the skeleton of `text` (read from `name`, used in messages) into
 * out. Returns the number of regions, or -1 with "name:line: problem" in err. */
int skeleton_render(const char *name, const char *text, struct strbuf *out, char *err,
                    size_t errlen);

/* For every student file in the manifest: renders solutions/CH/FILE and
 * writes chapters/CH/FILE (check == false), or reports each file that
 * differs or is missing (check == true). Returns the number of problems. */
int skeleton_sync(const struct wb_manifest *m, bool check, FILE *log);

#endif

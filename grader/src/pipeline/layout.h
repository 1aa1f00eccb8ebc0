/*
 * layout.h - submissions as they arrive: finds the student's files in an
 * unpacked submission, whatever its shape.
 */
#ifndef WB_LAYOUT_H
#define WB_LAYOUT_H

#include "manifest.h"

/* Resolves where the student files of chapters are in the folder dir (a
 * folder or an archive already unpacked by submission.c):
 *   - laid out like chapters/ (CH/FILE), or a checkout holding chapters/
 *     (a GitHub Classroom repository is one): used in place;
 *   - one wrapping folder ("repo-main/", Moodle's "Name_123_assignsub
 *     mission_file_/"), or a single nested archive: looked into;
 *   - loose files anywhere in it ("http_client.c" dropped on an upload
 *     form): each found by the manifest's file names and copied into
 *     work_dir/layout/CH/FILE, with the answers file.
 * Symbolic links are never followed. Returns a malloc'd folder laid out like
 * chapters/, with *note (malloc'd) saying what was recognised; NULL with a
 * message in err when nothing could be read. */
char *layout_resolve(const struct wb_manifest *m, const char *dir, const char *work_dir,
                     char **note, char *err, size_t errlen);

#endif

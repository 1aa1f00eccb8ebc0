/*
 * stage.c - builds the work tree a submission is graded in.
 *
 * Only the files the manifest says a student edits are taken from the
 * submission; tests, headers, example mains and the test kit always come from
 * the instructor's copy, so editing them gains a student nothing.
 */
#include "pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A real folder, not a symbolic link to one. */
static bool real_dir(const char *path)
{
    struct stat st;
    return path && lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *stage_submission_dir(const char *submission)
{
    char *abs = path_absolute(submission);
    if (!abs || !path_is_dir(abs)) {
        free(abs);
        return NULL;
    }
    /* A `chapters` link (to another student, to solutions/) is not followed:
     * the submission is then graded as if it had no such folder. */
    char *nested = path_join(abs, "chapters");
    if (real_dir(nested)) {
        free(abs);
        return nested;
    }
    free(nested);
    return abs;
}

static bool skip_student_files(const char *rel, void *ctx)
{
    return manifest_is_student_file(ctx, rel) != 0;
}

int stage_chapter(const struct wb_manifest *m, const struct wb_chapter *ch,
                  const char *submission_dir, const char *work_dir, char *err, size_t errlen)
{
    char *from = str_printf("%s/chapters/%s", m->root, ch->id);
    int rc = -1;
    if (!from || remove_tree(work_dir) != 0 ||
        copy_tree(from, work_dir, skip_student_files, (void *)ch) != 0) {
        snprintf(err, errlen, "cannot copy %s to %s: %s", from ? from : "chapter", work_dir,
                 strerror(errno));
        goto out;
    }
    /* Links are never followed: a chapter folder that is a symbolic link
     * (to another submission, to solutions/) counts as missing. */
    char *sub_ch = str_printf("%s/%s", submission_dir, ch->id);
    bool chapter_ok = real_dir(sub_ch);
    free(sub_ch);
    for (size_t i = 0; chapter_ok && i < ch->nexercises; i++) {
        const struct wb_exercise *e = &ch->exercises[i];
        for (size_t k = 0; k < e->nfiles; k++) {
            char *src = str_printf("%s/%s/%s", submission_dir, ch->id, e->files[k]);
            char *dst = path_join(work_dir, e->files[k]);
            /* A missing file is not an error here: it costs its exercise.
             * Only a plain file counts: a symlink could point anywhere on the
             * grading machine (an instructor's key, another student's work). */
            struct stat st;
            if (src && dst && lstat(src, &st) == 0 && S_ISREG(st.st_mode) &&
                file_copy(src, dst) != 0) {
                snprintf(err, errlen, "cannot copy %s: %s", src, strerror(errno));
                free(src);
                free(dst);
                goto out;
            }
            free(src);
            free(dst);
        }
    }
    rc = 0;
out:
    free(from);
    return rc;
}

char *stage_missing_files(const struct wb_exercise *e, const char *work_dir)
{
    struct strbuf sb = {0};
    for (size_t k = 0; k < e->nfiles; k++) {
        char *path = path_join(work_dir, e->files[k]);
        if (path && !path_is_file(path))
            sb_printf(&sb, "%s%s/%s", sb.len ? ", " : "", e->chapter->id, e->files[k]);
        free(path);
    }
    if (sb.len)
        sb_puts(&sb, " (a file or folder that is a symbolic link counts as missing: links are "
                     "never followed)");
    return sb.len ? sb_take(&sb) : (sb_free(&sb), NULL);
}

/*
 * layout.c - recognises the shape of a submission (see layout.h).
 *
 * Students hand in what their tools make: a drag-and-drop of loose .c files,
 * GitHub's "Download ZIP" (everything inside repo-main/), a zip inside a
 * zip, Moodle's download-all folders, a Classroom repository. Grading wants
 * chapters/CH/FILE. This file works on a folder that is already on disk
 * (unpacking archives safely is submission.c's job) and never follows a
 * symbolic link: lstat only, and only regular files are taken.
 */
#include "layout.h"
#include "pipeline.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 8       /* folders deep that loose files are looked for */
#define MAX_NESTED 2      /* archives inside archives */
#define MAX_VISITED 20000 /* entries walked, at most */

/* Names that tools add and students do not mean: macOS metadata, VCS. */
static bool ignorable(const char *name)
{
    return name[0] == '.' || strcmp(name, "__MACOSX") == 0 || strcmp(name, "Thumbs.db") == 0;
}

static bool is_dir_nofollow(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file_nofollow(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* True when dir holds CH/FILE for a student file of some chapter. */
static bool has_chapter_layout(const struct wb_manifest *m, const char *dir)
{
    for (size_t c = 0; c < m->nchapters; c++) {
        const struct wb_chapter *ch = &m->chapters[c];
        for (size_t e = 0; e < ch->nexercises; e++)
            for (size_t f = 0; f < ch->exercises[e].nfiles; f++) {
                char *p = str_printf("%s/%s/%s", dir, ch->id, ch->exercises[e].files[f]);
                bool found = p && is_file_nofollow(p);
                free(p);
                if (found)
                    return true;
            }
    }
    return false;
}

/* The one entry of dir that counts (ignoring tools' litter), or NULL when
 * there are none or several. */
static char *only_entry(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char *only = NULL;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (ignorable(e->d_name))
            continue;
        count++;
        free(only);
        only = path_join(dir, e->d_name);
    }
    closedir(d);
    if (count != 1) {
        free(only);
        return NULL;
    }
    return only;
}

/* ---- loose files ---------------------------------------------------------- */

struct placement {
    const struct wb_manifest *m;
    const char *layout;  /* work_dir/layout */
    struct strbuf found; /* "http_client.c -> 01_rest, ..." */
    size_t visited, placed;
    char *answers; /* the answers file found, if any */
};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The chapter a path names in one of its folders ("01_rest"), or NULL. */
static const struct wb_chapter *chapter_in_path(const struct wb_manifest *m, const char *rel)
{
    for (size_t c = 0; c < m->nchapters; c++) {
        const char *id = m->chapters[c].id;
        size_t n = strlen(id);
        for (const char *p = strstr(rel, id); p; p = strstr(p + 1, id))
            if ((p == rel || p[-1] == '/') && p[n] == '/')
                return &m->chapters[c];
    }
    return NULL;
}

/* How strongly a file belongs to chapter ch: each `#include "X.h"` of a
 * header that exists in the course's chapters/CH counts one. */
static int include_votes(const struct wb_manifest *m, const struct wb_chapter *ch, const char *text)
{
    int votes = 0;
    for (const char *p = strstr(text, "#include \""); p; p = strstr(p + 1, "#include \"")) {
        const char *name = p + 10;
        const char *end = strchr(name, '"');
        if (!end || end - name > 200)
            continue;
        char *header = str_printf("%s/chapters/%s/%.*s", m->root, ch->id, (int)(end - name), name);
        votes += header && is_file_nofollow(header);
        free(header);
    }
    return votes;
}

/* Copies one student file found at path (rel inside the submission) to
 * every chapter it can belong to; the best-matching one when several can. */
static void place_file(struct placement *pl, const char *path, const char *rel)
{
    const struct wb_manifest *m = pl->m;
    const char *name = base_name(rel);
    const struct wb_chapter *named = chapter_in_path(m, rel);
    const struct wb_chapter *candidates[32];
    size_t n = 0;
    for (size_t c = 0; c < m->nchapters && n < 32; c++)
        if ((!named || named == &m->chapters[c]) && manifest_is_student_file(&m->chapters[c], name))
            candidates[n++] = &m->chapters[c];
    if (n == 0)
        return;
    if (n > 1) { /* the same name in several chapters: let the #includes decide */
        char *text = file_read(path, NULL);
        int best = 0;
        size_t kept = 0;
        for (size_t i = 0; text && i < n; i++) {
            int v = include_votes(m, candidates[i], text);
            if (v > best) {
                best = v;
                kept = 0;
            }
            if (v == best)
                candidates[kept++] = candidates[i];
        }
        free(text);
        if (kept > 0)
            n = kept;
    }
    for (size_t i = 0; i < n; i++) {
        char *dir = path_join(pl->layout, candidates[i]->id);
        char *dst = dir ? path_join(dir, name) : NULL;
        if (dst && !path_is_file(dst) && mkdir_p(dir) == 0 && file_copy(path, dst) == 0) {
            sb_printf(&pl->found, "%s%s -> %s", pl->placed ? ", " : "", rel, candidates[i]->id);
            pl->placed++;
        }
        free(dir);
        free(dst);
    }
}

static void walk(struct placement *pl, const char *dir, const char *rel, int depth)
{
    DIR *d = depth <= MAX_DEPTH ? opendir(dir) : NULL;
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && pl->visited++ < MAX_VISITED) {
        if (ignorable(e->d_name))
            continue;
        char *path = path_join(dir, e->d_name);
        char *sub = *rel ? str_printf("%s/%s", rel, e->d_name) : strdup(e->d_name);
        if (path && sub && is_dir_nofollow(path)) {
            walk(pl, path, sub, depth + 1);
        } else if (path && sub && is_file_nofollow(path)) {
            const char *answers = pl->m->answers_file ? pl->m->answers_file : "quiz-answers.txt";
            if (strcmp(e->d_name, base_name(answers)) == 0 && !pl->answers)
                pl->answers = strdup(path);
            else
                place_file(pl, path, sub);
        }
        free(path);
        free(sub);
    }
    closedir(d);
}

static char *gather_loose(const struct wb_manifest *m, const char *dir, const char *work_dir,
                          char **note)
{
    struct placement pl = {.m = m};
    char *layout = path_join(work_dir, "layout");
    pl.layout = layout;
    if (!layout || remove_tree(layout) != 0 || mkdir_p(layout) != 0) {
        free(layout);
        return NULL;
    }
    walk(&pl, dir, "", 0);
    if (pl.answers) {
        const char *answers = m->answers_file ? m->answers_file : "quiz-answers.txt";
        char *dst = path_join(layout, base_name(answers));
        if (dst && file_copy(pl.answers, dst) == 0)
            sb_printf(&pl.found, "%s%s", pl.placed ? ", " : "", base_name(answers));
        free(dst);
    }
    free(pl.answers);
    if (pl.placed == 0) {
        sb_free(&pl.found);
        free(layout);
        return NULL;
    }
    *note = str_printf("loose files, placed by name: %s", pl.found.data);
    sb_free(&pl.found);
    return layout;
}

/* ---- the shapes, outermost first ---------------------------------------- */

static char *resolve(const struct wb_manifest *m, const char *dir, const char *work_dir,
                     struct strbuf *said, int nested, char *err, size_t errlen)
{
    char *git = path_join(dir, ".git");
    char *classroom = path_join(dir, ".github/classroom");
    if ((classroom && path_is_dir(classroom)) || (git && path_is_dir(git)))
        sb_printf(said, "%s%s", said->len ? "; " : "",
                  classroom && path_is_dir(classroom) ? "a GitHub Classroom repository"
                                                      : "a git checkout");
    free(git);
    free(classroom);

    char *chapters = path_join(dir, "chapters");
    if (chapters && is_dir_nofollow(chapters) && has_chapter_layout(m, chapters)) {
        sb_printf(said, "%schapters/ inside", said->len ? "; " : "");
        return chapters;
    }
    free(chapters);
    if (has_chapter_layout(m, dir))
        return strdup(dir);

    char *only = only_entry(dir);
    if (only && is_dir_nofollow(only) && !manifest_chapter(m, base_name(only))) {
        const char *name = base_name(only);
        sb_printf(said, "%s%s folder '%s'", said->len ? "; " : "",
                  strstr(name, "_assignsubmission_") ? "Moodle's submission" : "one wrapping",
                  name);
        char *inner = resolve(m, only, work_dir, said, nested, err, errlen);
        free(only);
        return inner;
    }
    if (only && is_file_nofollow(only) && submission_is_archive(only) && nested < MAX_NESTED) {
        char *unpack_dir = str_printf("%s/nested%d", work_dir, nested + 1);
        char *opened = unpack_dir ? submission_open(only, unpack_dir, err, errlen) : NULL;
        char *inner = NULL;
        if (opened) {
            sb_printf(said, "%sthe archive '%s' inside", said->len ? "; " : "", base_name(only));
            inner = resolve(m, opened, work_dir, said, nested + 1, err, errlen);
        }
        free(unpack_dir);
        free(opened);
        free(only);
        return inner;
    }
    free(only);

    char *loose_note = NULL;
    char *loose = gather_loose(m, dir, work_dir, &loose_note);
    if (loose) {
        sb_printf(said, "%s%s", said->len ? "; " : "", loose_note);
        free(loose_note);
        return loose;
    }
    return strdup(dir); /* nothing recognised: every exercise reports its missing files */
}

char *layout_resolve(const struct wb_manifest *m, const char *dir, const char *work_dir,
                     char **note, char *err, size_t errlen)
{
    struct strbuf said = {0};
    *note = NULL;
    if (!is_dir_nofollow(dir)) {
        snprintf(err, errlen, "submission %s: not a folder", dir);
        return NULL;
    }
    char *resolved = resolve(m, dir, work_dir, &said, 0, err, errlen);
    if (resolved && said.len)
        *note = str_printf("recognised %s", said.data);
    sb_free(&said);
    return resolved;
}

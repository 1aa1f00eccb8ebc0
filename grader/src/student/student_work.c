/*
 * student_work.c - what the student's commands do to files and results:
 * split hints into sections, back up and reset an exercise file, and run
 * one check through the grading pipeline, recording what it found.
 */
#include "pipeline.h"
#include "skeleton.h"
#include "student.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void free_strings(char **strings, int n)
{
    for (int i = 0; i < n; i++)
        free(strings[i]);
    free(strings);
}

/* Adds text[start, end) without blank lines at either end, unless empty. */
static int add_section(char ***out, int *n, const char *start, const char *end)
{
    while (start < end && (*start == '\n' || *start == ' ' || *start == '\t' || *start == '\r'))
        start++;
    while (end > start && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    if (start == end)
        return 0;
    char **grown = realloc(*out, (size_t)(*n + 1) * sizeof **out);
    if (!grown)
        return -1;
    *out = grown;
    grown[*n] = strndup(start, (size_t)(end - start));
    if (!grown[*n])
        return -1;
    (*n)++;
    return 0;
}

int hint_sections(const char *text, char ***sections)
{
    char **out = NULL;
    int n = 0;
    const char *start = text, *line = text;
    while (*line) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\r'))
            len--;
        if (len == 3 && strncmp(line, "---", 3) == 0) {
            if (add_section(&out, &n, start, line) != 0)
                goto oom;
            start = eol ? eol + 1 : line + 3;
        }
        if (!eol)
            break;
        line = eol + 1;
    }
    if (add_section(&out, &n, start, start + strlen(start)) != 0)
        goto oom;
    *sections = out;
    return n;
oom:
    free_strings(out, n);
    *sections = NULL;
    return -1;
}

char *backup_path(const char *backup_root, const char *chapter, const char *file, time_t when)
{
    struct tm tm;
    char stamp[32] = "0";
    if (localtime_r(&when, &tm))
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    char *path = str_printf("%s/%s/%s.%s", backup_root, chapter, file, stamp);
    /* Two resets within a second must not overwrite the first backup. */
    for (int n = 2; path && path_is_file(path) && n < 1000; n++) {
        free(path);
        path = str_printf("%s/%s/%s.%s-%d", backup_root, chapter, file, stamp, n);
    }
    return path;
}

int reset_file(const struct wb_manifest *m, const struct wb_chapter *ch, const char *file,
               char **backup, char *err, size_t errlen)
{
    *backup = NULL;
    char *solution = str_printf("%s/solutions/%s/%s", m->root, ch->id, file);
    char *target = str_printf("%s/chapters/%s/%s", m->root, ch->id, file);
    char *backups = path_join(m->root, "build/student/backups");
    struct strbuf skeleton = {0};
    char *text = NULL, *mine = NULL;
    int rc = -1;
    if (!solution || !target || !backups || sb_puts(&skeleton, "") != 0) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    text = file_read(solution, NULL);
    if (!text) {
        snprintf(err, errlen, "%s: %s (the skeleton is generated from it)", solution,
                 strerror(errno));
        goto done;
    }
    if (skeleton_render(solution, text, &skeleton, err, errlen) < 0)
        goto done;
    size_t mine_len = 0;
    mine = path_is_file(target) ? file_read(target, &mine_len) : NULL;
    if (path_is_file(target) && !mine) {
        snprintf(err, errlen, "%s: %s", target, strerror(errno));
        goto done;
    }
    if (mine && mine_len == skeleton.len && memcmp(mine, skeleton.data, mine_len) == 0) {
        rc = 0; /* already the skeleton: nothing to keep */
        goto done;
    }
    if (mine) {
        /* The student's work is copied away before anything is overwritten. */
        *backup = backup_path(backups, ch->id, file, time(NULL));
        char *dir = *backup ? strdup(*backup) : NULL;
        char *slash = dir ? strrchr(dir, '/') : NULL;
        if (slash)
            *slash = '\0';
        if (!dir || mkdir_p(dir) != 0 || file_copy(target, *backup) != 0) {
            snprintf(err, errlen, "cannot back up %s to %s: %s; nothing was changed", target,
                     *backup ? *backup : backups, strerror(errno));
            free(dir);
            free(*backup);
            *backup = NULL;
            goto done;
        }
        free(dir);
    }
    rc = file_write_atomic_or_say(target, skeleton.data, skeleton.len, err, errlen);
done:
    free(mine);
    free(text);
    sb_free(&skeleton);
    free(solution);
    free(target);
    free(backups);
    return rc;
}

/* A chapter whose libraries pkg-config cannot find: name its Debian packages,
 * from the chapter's group in scripts/packages.txt. */
static void say_missing_packages(const struct wb_manifest *m, const struct wb_chapter *ch)
{
    char *path = path_join(m->root, "scripts/packages.txt");
    char *text = path ? file_read(path, NULL) : NULL;
    size_t idlen = strlen(ch->id);
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        if (strncmp(line, ch->id, idlen) != 0 || line[idlen] != ':')
            continue;
        printf("\nChapter %s needs these Debian packages:%s\n"
               "Install them as root: apt-get install -y%s   (or: make deps)\n",
               ch->id, line + idlen + 1, line + idlen + 1);
    }
    free(text);
    free(path);
}

bool check_sanitized_first(const struct wb_exercise *e, void *arg)
{
    const struct progress *p = arg;
    return progress_status(p, e) == EXS_PASSING;
}

int check_and_record(const struct wb_manifest *m, struct progress *p,
                     const struct check_request *req)
{
    char err[1024];
    char *only = req->ex   ? str_printf("%s/%s", req->ex->chapter->id, req->ex->id)
                 : req->ch ? strdup(req->ch->id)
                           : NULL;
    char *sub = path_join(m->root, "chapters");
    char *out = path_join(m->root, "build/check");
    int rc = -1;
    if (!sub || !out || ((req->ex || req->ch) && !only)) {
        fprintf(stderr, "wirebook: out of memory\n");
        goto done;
    }
    /* Brokers are started here, not by the pipeline, so they stay up between
     * checks (the pipeline stops only what it started itself). */
    for (size_t i = 0; i < m->nchapters; i++) {
        const struct wb_chapter *ch = &m->chapters[i];
        bool selected = req->ex ? ch == req->ex->chapter : req->ch ? ch == req->ch : true;
        if (selected && brokers_ensure(m, ch) != 0)
            fprintf(stderr, "wirebook: chapter %s's tests will report the broker as missing\n",
                    ch->id);
    }
    struct grade_options o = {.submission = sub,
                              .out_dir = out,
                              .only = only,
                              .sanitize = req->sanitize,
                              .sanitized_first_for = check_sanitized_first,
                              .sanitized_first_arg = p,
                              .verbose = true,
                              .color = req->color,
                              .quiet_progress = req->quiet};
    struct grade_run run;
    if (grade_run(m, &o, &run, err, sizeof err) != 0) {
        fprintf(stderr, "wirebook: %s\n", err);
        goto done;
    }
    if (!req->quiet)
        report_table(&run, stdout);
    bool all = run.nexercises > 0;
    time_t now = time(NULL);
    const struct wb_chapter *told = NULL;
    for (size_t i = 0; i < run.nexercises; i++) {
        const struct exercise_result *r = &run.exercises[i];
        if (r->message && strstr(r->message, "pkg-config cannot find") && told != r->ex->chapter) {
            told = r->ex->chapter;
            say_missing_packages(m, told);
        }
        all = all && r->max > 0 && r->score >= r->max;
        if (r->state != EX_BROKER_DOWN) /* not the student's doing: keep the old state */
            progress_record(p, r->ex, r->score, r->max, now);
    }
    grade_run_free(&run);
    if (progress_save(p, err, sizeof err) != 0)
        fprintf(stderr, "wirebook: progress not saved: %s\n", err);
    rc = all ? 1 : 0;
done:
    free(only);
    free(sub);
    free(out);
    return rc;
}

/* Prints the next hint of e (or all seen so far) and counts it: used by
 * `wirebook hint` and by the watch loop's `h` key. */
int show_hint(const struct wb_manifest *m, struct progress *p, const struct wb_exercise *e,
              bool all)
{
    char err[1024];
    char *rel = e->hints ? strdup(e->hints) : str_printf("hints/%s.md", e->id);
    char *path = rel ? str_printf("%s/chapters/%s/%s", m->root, e->chapter->id, rel) : NULL;
    char *text = path ? file_read_or_say(path, NULL, err, sizeof err) : NULL;
    char **sections = NULL;
    int n = text ? hint_sections(text, &sections) : -1;
    int rc = -1;
    if (!text)
        fprintf(stderr, "wirebook: no hints for %s/%s: %s\n", e->chapter->id, e->id,
                path ? err : "out of memory");
    else if (n <= 0)
        fprintf(stderr, "wirebook: %s holds no hints\n", path);
    else {
        int used = progress_hints_used(p, e);
        int from = all ? 0 : used < n ? used : 0;
        int to = all ? (used < 1 ? 1 : used > n ? n : used) : used < n ? used + 1 : n;
        if (!all && used >= n)
            printf("That was the last hint for %s/%s; here they all are.\n", e->chapter->id, e->id);
        for (int i = from; i < to; i++)
            printf("\n--- hint %d of %d for %s/%s ---\n\n%s\n", i + 1, n, e->chapter->id, e->id,
                   sections[i]);
        if (!all && used < n && used + 1 < n)
            printf("\n(`wirebook hint %s/%s` again for the next one; --all shows those you "
                   "have seen)\n",
                   e->chapter->id, e->id);
        if (to > used && progress_set_hints_used(p, e, to) == 0 &&
            progress_save(p, err, sizeof err) != 0)
            fprintf(stderr, "wirebook: hint count not saved: %s\n", err);
        rc = 0;
    }
    free_strings(sections, n > 0 ? n : 0);
    free(text);
    free(path);
    free(rel);
    return rc;
}

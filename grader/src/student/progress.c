/*
 * progress.c - the student's progress file, build/student/state.json:
 *
 *   {"version": 1, "exercises": {"01_rest/http_client":
 *       {"status": "passing", "score": 10, "max": 10, "hints": 2, "checked": 1732521600}}}
 *
 * It lives under build/ (never in chapters/, which is the student's work)
 * and is rewritten atomically, so an interrupted write leaves the old file.
 */
#include "student.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *progress_default_path(const char *root)
{
    return path_join(root, "build/student/state.json");
}

int progress_load(struct progress *p, const char *path, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->path = strdup(path);
    if (!p->path) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (!path_is_file(path)) {
        p->json = json_pack("{s:i, s:{}}", "version", 1, "exercises");
    } else {
        json_error_t je;
        p->json = json_load_file(path, 0, &je);
        if (!p->json || !json_is_object(json_object_get(p->json, "exercises"))) {
            snprintf(err, errlen,
                     "%s:%d: not a wirebook progress file (%s); move it away to start afresh", path,
                     je.line, p->json ? "no \"exercises\" object" : je.text);
            progress_free(p);
            return -1;
        }
    }
    if (!p->json) {
        snprintf(err, errlen, "out of memory");
        progress_free(p);
        return -1;
    }
    return 0;
}

int progress_save(const struct progress *p, char *err, size_t errlen)
{
    char *dir = strdup(p->path);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash)
        *slash = '\0';
    if (!dir || (slash && mkdir_p(dir) != 0)) {
        snprintf(err, errlen, "cannot create the folder of %s: %s", p->path, strerror(errno));
        free(dir);
        return -1;
    }
    free(dir);
    char *text = json_dumps(p->json, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!text) {
        snprintf(err, errlen, "out of memory writing %s", p->path);
        return -1;
    }
    int rc = file_write_atomic_or_say(p->path, text, strlen(text), err, errlen);
    free(text);
    return rc;
}

void progress_free(struct progress *p)
{
    json_decref(p->json);
    free(p->path);
    memset(p, 0, sizeof *p);
}

/* The exercise's entry, created when create is set (NULL when absent). */
static json_t *entry(const struct progress *p, const struct wb_exercise *e, bool create)
{
    char key[256];
    snprintf(key, sizeof key, "%s/%s", e->chapter->id, e->id);
    json_t *all = json_object_get(p->json, "exercises");
    json_t *one = json_object_get(all, key);
    if (one && json_is_object(one))
        return one;
    if (!create)
        return NULL;
    one = json_object();
    if (!one || json_object_set_new(all, key, one) != 0)
        return NULL;
    return one;
}

enum ex_status progress_status(const struct progress *p, const struct wb_exercise *e)
{
    const char *s = json_string_value(json_object_get(entry(p, e, false), "status"));
    if (s && strcmp(s, "passing") == 0)
        return EXS_PASSING;
    if (s && strcmp(s, "failing") == 0)
        return EXS_FAILING;
    return EXS_NOT_STARTED;
}

const char *progress_status_name(enum ex_status s)
{
    return s == EXS_PASSING ? "passing" : s == EXS_FAILING ? "failing" : "not started";
}

double progress_score(const struct progress *p, const struct wb_exercise *e)
{
    return json_number_value(json_object_get(entry(p, e, false), "score"));
}

double progress_max(const struct progress *p, const struct wb_exercise *e)
{
    json_t *max = json_object_get(entry(p, e, false), "max");
    return max ? json_number_value(max) : exercise_max_points(e);
}

void progress_forget(struct progress *p, const struct wb_exercise *e)
{
    json_t *one = entry(p, e, false);
    json_object_del(one, "status");
    json_object_del(one, "score");
    json_object_del(one, "max");
    json_object_del(one, "checked");
}

time_t progress_checked(const struct progress *p, const struct wb_exercise *e)
{
    return (time_t)json_integer_value(json_object_get(entry(p, e, false), "checked"));
}

bool progress_changed_since_check(const struct progress *p, const struct wb_exercise *e,
                                  const char *root)
{
    time_t checked = progress_checked(p, e);
    if (checked == 0)
        return false;
    for (size_t i = 0; i < e->nfiles; i++) {
        char *path = str_printf("%s/chapters/%s/%s", root, e->chapter->id, e->files[i]);
        struct stat st;
        bool newer = path && stat(path, &st) == 0 && st.st_mtime > checked;
        free(path);
        if (newer)
            return true;
    }
    return false;
}

int progress_hints_used(const struct progress *p, const struct wb_exercise *e)
{
    return (int)json_integer_value(json_object_get(entry(p, e, false), "hints"));
}

int progress_set_hints_used(struct progress *p, const struct wb_exercise *e, int n)
{
    json_t *one = entry(p, e, true);
    return one ? json_object_set_new(one, "hints", json_integer(n)) : -1;
}

int progress_record(struct progress *p, const struct wb_exercise *e, double score, double max,
                    time_t when)
{
    json_t *one = entry(p, e, true);
    if (!one)
        return -1;
    bool passing = max > 0 && score >= max;
    int rc = json_object_set_new(one, "status", json_string(passing ? "passing" : "failing"));
    rc |= json_object_set_new(one, "score", json_real(score));
    rc |= json_object_set_new(one, "max", json_real(max));
    rc |= json_object_set_new(one, "checked", json_integer((json_int_t)when));
    return rc ? -1 : 0;
}

const struct wb_exercise *progress_current(const struct wb_manifest *m, const struct progress *p)
{
    for (size_t i = 0; i < m->nchapters; i++)
        for (size_t k = 0; k < m->chapters[i].nexercises; k++)
            if (progress_status(p, &m->chapters[i].exercises[k]) != EXS_PASSING)
                return &m->chapters[i].exercises[k];
    return NULL;
}

const struct wb_exercise *progress_next(const struct wb_manifest *m, const struct progress *p,
                                        const struct wb_exercise *e)
{
    /* Walk the flat list of exercises from the one after e, wrapping once. */
    size_t total = 0, at = 0;
    for (size_t i = 0; i < m->nchapters; i++)
        for (size_t k = 0; k < m->chapters[i].nexercises; k++, total++)
            if (&m->chapters[i].exercises[k] == e)
                at = total;
    for (size_t step = 1; step <= total; step++) {
        size_t want = (at + step) % total, n = 0;
        for (size_t i = 0; i < m->nchapters; i++) {
            if (want >= n + m->chapters[i].nexercises) {
                n += m->chapters[i].nexercises;
                continue;
            }
            const struct wb_exercise *cand = &m->chapters[i].exercises[want - n];
            if (progress_status(p, cand) != EXS_PASSING)
                return cand;
            break;
        }
    }
    return NULL;
}

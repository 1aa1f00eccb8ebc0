/*
 * manifest.c - reads and checks manifest.json.
 *
 * Every problem is reported with its place in the file ("chapters[0].
 * exercises[2].tests[1]: ...") so an author can fix it without guessing.
 */
#include "manifest.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ctx {
    char *err;
    size_t errlen;
    const char *file;
};

__attribute__((format(printf, 3, 4))) static int fail(struct ctx *c, const char *where,
                                                      const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "%s: %s: %s", c->file, where, msg);
    return -1;
}

static int get_string(struct ctx *c, json_t *obj, const char *where, const char *key, int required,
                      const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return fail(c, where, "missing \"%s\"", key);
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0)
        return fail(c, where, "\"%s\" must be a non-empty string", key);
    *out = json_string_value(v);
    return 0;
}

/* Reads an optional array of strings into a malloc'd array of pointers. */
static int get_strings(struct ctx *c, json_t *obj, const char *where, const char *key,
                       const char ***out, size_t *n)
{
    json_t *arr = json_object_get(obj, key);
    *out = NULL;
    *n = 0;
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return fail(c, where, "\"%s\" must be an array of strings", key);
    *n = json_array_size(arr);
    *out = calloc(*n + 1, sizeof **out);
    if (!*out)
        return fail(c, where, "out of memory");
    for (size_t i = 0; i < *n; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_string(v) || json_string_length(v) == 0)
            return fail(c, where, "\"%s\"[%zu] must be a non-empty string", key, i);
        (*out)[i] = json_string_value(v);
    }
    return 0;
}

/* Ids become folder and file names and Criterion suite names. */
static int check_id(struct ctx *c, const char *where, const char *id)
{
    for (const char *p = id; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return fail(c, where, "id \"%s\" may hold only a-z, 0-9 and _", id);
    }
    return 0;
}

/* A manifest path stays inside its folder: no absolute paths, no "..". */
static int check_rel_paths(struct ctx *c, const char *where, const char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (paths[i][0] == '/' || strstr(paths[i], ".."))
            return fail(c, where, "path \"%s\" must be relative and stay inside its folder",
                        paths[i]);
    }
    return 0;
}

bool manifest_visibility_ok(const char *word)
{
    static const char *const words[] = {"visible", "after_due_date", "after_published", "hidden"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(word, words[i]) == 0)
            return true;
    return false;
}

/* "hidden" (a boolean) and "visibility" (a Gradescope word) of one test. */
static int load_test_visibility(struct ctx *c, json_t *jt, const char *where,
                                struct wb_test_spec *t)
{
    json_t *hidden = json_object_get(jt, "hidden");
    if (hidden && !json_is_boolean(hidden))
        return fail(c, where, "\"hidden\" must be true or false");
    t->hidden = json_is_true(hidden);
    if (get_string(c, jt, where, "visibility", 0, &t->visibility) != 0)
        return -1;
    if (t->visibility && !manifest_visibility_ok(t->visibility))
        return fail(c, where,
                    "\"visibility\" must be \"visible\", \"after_due_date\", "
                    "\"after_published\" or \"hidden\", not \"%s\"",
                    t->visibility);
    return 0;
}

/* The optional "gradescope" and "late" objects at the top level. */
static int load_platform(struct ctx *c, json_t *root, struct wb_manifest *m)
{
    json_t *gs = json_object_get(root, "gradescope");
    if (gs && !json_is_object(gs))
        return fail(c, "gradescope", "must be an object {\"stdout_visibility\"}");
    if (gs && get_string(c, gs, "gradescope", "stdout_visibility", 0, &m->stdout_visibility) != 0)
        return -1;
    if (m->stdout_visibility && !manifest_visibility_ok(m->stdout_visibility))
        return fail(c, "gradescope", "\"stdout_visibility\" \"%s\" is not a Gradescope visibility",
                    m->stdout_visibility);
    json_t *late = json_object_get(root, "late");
    if (late) {
        json_t *per_day = json_object_get(late, "penalty_per_day");
        json_t *max_days = json_object_get(late, "max_days");
        if (!json_is_object(late) || !json_is_number(per_day) || json_number_value(per_day) <= 0 ||
            json_number_value(per_day) > 1)
            return fail(c, "late", "must be {\"penalty_per_day\": a fraction in (0, 1]}");
        if (max_days && (!json_is_number(max_days) || json_number_value(max_days) <= 0))
            return fail(c, "late", "\"max_days\" must be a positive number");
        m->late_penalty_per_day = json_number_value(per_day);
        m->late_max_days = max_days ? json_number_value(max_days) : 0;
    }
    const char *edition = NULL;
    if (get_string(c, root, "top level", "edition", 0, &edition) != 0)
        return -1;
    if (edition && strcmp(edition, "student") != 0 && strcmp(edition, "instructor") != 0)
        return fail(c, "top level", "\"edition\" must be \"student\" or \"instructor\"");
    m->student_edition = edition && strcmp(edition, "student") == 0;
    return 0;
}

static int load_tests(struct ctx *c, json_t *jex, const char *where, struct wb_exercise *e)
{
    json_t *arr = json_object_get(jex, "tests");
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return fail(c, where, "\"tests\" must be a non-empty array of {\"name\", \"points\"}");
    e->ntests = json_array_size(arr);
    e->tests = calloc(e->ntests, sizeof *e->tests);
    if (!e->tests)
        return fail(c, where, "out of memory");
    for (size_t i = 0; i < e->ntests; i++) {
        char here[320];
        snprintf(here, sizeof here, "%s.tests[%zu]", where, i);
        json_t *jt = json_array_get(arr, i);
        struct wb_test_spec *t = &e->tests[i];
        if (!json_is_object(jt))
            return fail(c, here, "must be an object {\"name\", \"points\"}");
        if (get_string(c, jt, here, "name", 1, &t->name) != 0 ||
            get_string(c, jt, here, "needs", 0, &t->needs) != 0)
            return -1;
        json_t *pts = json_object_get(jt, "points");
        if (!json_is_number(pts) || json_number_value(pts) <= 0)
            return fail(c, here, "\"points\" must be a positive number");
        t->points = json_number_value(pts);
        if (load_test_visibility(c, jt, here, t) != 0)
            return -1;
        json_t *limit = json_object_get(jt, "timeout");
        if (limit && (!json_is_number(limit) || json_number_value(limit) <= 0))
            return fail(c, here, "\"timeout\" must be a positive number of seconds");
        t->timeout = limit ? json_number_value(limit) : 0;
        json_t *alone = json_object_get(jt, "alone");
        if (alone && !json_is_boolean(alone))
            return fail(c, here, "\"alone\" must be true or false");
        t->alone = json_is_true(alone);
        if (t->needs && strcmp(t->needs, "real-kafka") != 0 && strcmp(t->needs, "mock-kafka") != 0)
            return fail(c, here, "\"needs\" must be \"real-kafka\" or \"mock-kafka\", not \"%s\"",
                        t->needs);
        for (size_t k = 0; k < i; k++)
            if (strcmp(e->tests[k].name, t->name) == 0)
                return fail(c, here, "test \"%s\" is listed twice", t->name);
    }
    return 0;
}

static int load_exercise(struct ctx *c, json_t *jex, const char *where, struct wb_exercise *e)
{
    if (!json_is_object(jex))
        return fail(c, where, "must be an object");
    if (get_string(c, jex, where, "id", 1, &e->id) != 0 || check_id(c, where, e->id) != 0 ||
        get_string(c, jex, where, "title", 1, &e->title) != 0 ||
        get_string(c, jex, where, "hints", 0, &e->hints) != 0 ||
        get_strings(c, jex, where, "files", &e->files, &e->nfiles) != 0 ||
        get_strings(c, jex, where, "sources", &e->sources, &e->nsources) != 0)
        return -1;
    if (e->nfiles == 0)
        return fail(c, where, "\"files\" must list the files a student edits");
    if (check_rel_paths(c, where, e->files, e->nfiles) != 0 ||
        check_rel_paths(c, where, e->sources, e->nsources) != 0)
        return -1;
    if (get_string(c, jex, where, "broker", 0, &e->broker) != 0)
        return -1;
    const struct wb_chapter *ch = e->chapter;
    if (e->broker && !(ch->default_broker && strcmp(e->broker, ch->default_broker) == 0) &&
        !(ch->broker_choice && strcmp(e->broker, ch->broker_choice) == 0))
        return fail(c, where,
                    "\"broker\" must be one its chapter runs on (\"broker\" or "
                    "\"broker_choice\"), not \"%s\"",
                    e->broker);
    json_t *restarts = json_object_get(jex, "restarts_broker");
    if (restarts && !json_is_boolean(restarts))
        return fail(c, where, "\"restarts_broker\" must be true or false");
    e->restarts_broker = json_is_true(restarts);
    json_t *parallel = json_object_get(jex, "parallel_tests");
    if (parallel && !json_is_boolean(parallel))
        return fail(c, where, "\"parallel_tests\" must be true or false");
    e->parallel_tests = !parallel || json_is_true(parallel);
    return load_tests(c, jex, where, e);
}

static int load_programs(struct ctx *c, json_t *jch, const char *where, struct wb_chapter *ch)
{
    json_t *arr = json_object_get(jch, "programs");
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return fail(c, where, "\"programs\" must be an array");
    ch->nprograms = json_array_size(arr);
    ch->programs = calloc(ch->nprograms + 1, sizeof *ch->programs);
    if (!ch->programs)
        return fail(c, where, "out of memory");
    for (size_t i = 0; i < ch->nprograms; i++) {
        char here[160];
        snprintf(here, sizeof here, "%s.programs[%zu]", where, i);
        json_t *jp = json_array_get(arr, i);
        struct wb_program *p = &ch->programs[i];
        if (!json_is_object(jp))
            return fail(c, here, "must be an object {\"name\", \"sources\"}");
        if (get_string(c, jp, here, "name", 1, &p->name) != 0 || check_id(c, here, p->name) != 0 ||
            get_strings(c, jp, here, "sources", &p->sources, &p->nsources) != 0 ||
            check_rel_paths(c, here, p->sources, p->nsources) != 0)
            return -1;
        if (p->nsources == 0)
            return fail(c, here, "\"sources\" must not be empty");
    }
    return 0;
}

/* "broker_choice": BROKER=NAME in the environment picks it instead of
 * "broker" (chapter 07 runs on RabbitMQ by default, on Kafka by choice). */
static int choose_broker(struct ctx *c, const char *where, struct wb_chapter *ch)
{
    ch->default_broker = ch->broker;
    if (!ch->broker_choice)
        return 0;
    if (!ch->broker || strcmp(ch->broker_choice, "kafka") != 0)
        return fail(c, where, "\"broker_choice\" must be \"kafka\" beside a \"broker\"");
    const char *wanted = getenv("BROKER");
    if (!wanted || !*wanted || strcmp(wanted, ch->broker) == 0)
        return 0;
    if (strcmp(wanted, ch->broker_choice) != 0) {
        /* Not a reason to refuse the whole course (BROKER may be set for
         * something else entirely): grading this chapter reports it. */
        snprintf(ch->broker_refused, sizeof ch->broker_refused,
                 "BROKER=%s: chapter %s runs on %s (the default) or %s", wanted, ch->id, ch->broker,
                 ch->broker_choice);
        return 0;
    }
    ch->broker = ch->broker_choice;
    return 0;
}

/* Each module of "static_in_tests" must be one the chapter links. */
static int check_static_in_tests(struct ctx *c, const char *where, const struct wb_chapter *ch)
{
    for (size_t i = 0; i < ch->nstatic_in_tests; i++) {
        bool listed = false;
        for (size_t k = 0; k < ch->npkg_config && !listed; k++)
            listed = strcmp(ch->static_in_tests[i], ch->pkg_config[k]) == 0;
        if (!listed)
            return fail(c, where,
                        "\"static_in_tests\" names \"%s\", which is not in \"pkg_config\"",
                        ch->static_in_tests[i]);
    }
    return 0;
}

static int load_chapter(struct ctx *c, json_t *jch, const char *where, struct wb_chapter *ch)
{
    if (!json_is_object(jch))
        return fail(c, where, "must be an object");
    if (get_string(c, jch, where, "id", 1, &ch->id) != 0 || check_id(c, where, ch->id) != 0 ||
        get_string(c, jch, where, "title", 1, &ch->title) != 0 ||
        get_string(c, jch, where, "broker", 0, &ch->broker) != 0 ||
        get_string(c, jch, where, "broker_choice", 0, &ch->broker_choice) != 0 ||
        get_strings(c, jch, where, "pkg_config", &ch->pkg_config, &ch->npkg_config) != 0 ||
        get_strings(c, jch, where, "static_in_tests", &ch->static_in_tests,
                    &ch->nstatic_in_tests) != 0 ||
        check_static_in_tests(c, where, ch) != 0 ||
        get_strings(c, jch, where, "protobuf_c", &ch->protobuf_c, &ch->nprotobuf_c) != 0 ||
        check_rel_paths(c, where, ch->protobuf_c, ch->nprotobuf_c) != 0 ||
        load_programs(c, jch, where, ch) != 0)
        return -1;
    if (ch->broker && strcmp(ch->broker, "rabbitmq") != 0 && strcmp(ch->broker, "kafka") != 0 &&
        strcmp(ch->broker, "nats") != 0 && strcmp(ch->broker, "redis") != 0)
        return fail(c, where,
                    "\"broker\" must be null, \"rabbitmq\", \"kafka\", \"nats\" or \"redis\", "
                    "not \"%s\"",
                    ch->broker);
    if (choose_broker(c, where, ch) != 0)
        return -1;

    json_t *arr = json_object_get(jch, "exercises");
    if (!json_is_array(arr))
        return fail(c, where, "\"exercises\" must be an array");
    ch->nexercises = json_array_size(arr);
    ch->exercises = calloc(ch->nexercises + 1, sizeof *ch->exercises);
    if (!ch->exercises)
        return fail(c, where, "out of memory");
    for (size_t i = 0; i < ch->nexercises; i++) {
        char here[160];
        snprintf(here, sizeof here, "%s.exercises[%zu]", where, i);
        struct wb_exercise *e = &ch->exercises[i];
        e->chapter = ch;
        if (load_exercise(c, json_array_get(arr, i), here, e) != 0)
            return -1;
        for (size_t k = 0; k < i; k++)
            if (strcmp(ch->exercises[k].id, e->id) == 0)
                return fail(c, here, "exercise id \"%s\" is used twice", e->id);
    }
    return 0;
}

static int load_quizzes(struct ctx *c, json_t *root, struct wb_manifest *m)
{
    json_t *arr = json_object_get(root, "quizzes");
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return fail(c, "quizzes", "must be an array");
    m->nquizzes = json_array_size(arr);
    m->quizzes = calloc(m->nquizzes + 1, sizeof *m->quizzes);
    if (!m->quizzes)
        return fail(c, "quizzes", "out of memory");
    for (size_t i = 0; i < m->nquizzes; i++) {
        char here[64];
        snprintf(here, sizeof here, "quizzes[%zu]", i);
        json_t *jq = json_array_get(arr, i);
        if (!json_is_object(jq))
            return fail(c, here, "must be an object {\"id\", \"file\"}");
        if (get_string(c, jq, here, "id", 1, &m->quizzes[i].id) != 0 ||
            get_string(c, jq, here, "file", 1, &m->quizzes[i].file) != 0 ||
            check_rel_paths(c, here, &m->quizzes[i].file, 1) != 0)
            return -1;
    }
    return 0;
}

int manifest_load(const char *root, struct wb_manifest *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->root = path_absolute(root);
    if (!m->root) {
        snprintf(err, errlen, "course folder %s: not found", root);
        return -1;
    }
    char *file = path_join(m->root, "manifest.json");
    struct ctx c = {err, errlen, file ? file : "manifest.json"};
    json_error_t jerr;
    int rc = -1;

    m->json = file ? json_load_file(file, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (!m->json) {
        snprintf(err, errlen, "%s:%d:%d: %s", c.file, jerr.line, jerr.column, jerr.text);
        goto out;
    }
    json_t *chapters = json_object_get(m->json, "chapters");
    if (!json_is_object(m->json) || !json_is_array(chapters)) {
        fail(&c, "top level", "must be an object with a \"chapters\" array");
        goto out;
    }
    if (get_string(&c, m->json, "top level", "title", 1, &m->title) != 0 ||
        get_string(&c, m->json, "top level", "answers_file", 0, &m->answers_file) != 0 ||
        load_quizzes(&c, m->json, m) != 0 || load_platform(&c, m->json, m) != 0)
        goto out;
    m->nchapters = json_array_size(chapters);
    m->chapters = calloc(m->nchapters + 1, sizeof *m->chapters);
    if (!m->chapters) {
        fail(&c, "chapters", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < m->nchapters; i++) {
        char here[64];
        snprintf(here, sizeof here, "chapters[%zu]", i);
        if (load_chapter(&c, json_array_get(chapters, i), here, &m->chapters[i]) != 0)
            goto out;
        for (size_t k = 0; k < i; k++)
            if (strcmp(m->chapters[k].id, m->chapters[i].id) == 0) {
                fail(&c, here, "chapter id \"%s\" is used twice", m->chapters[i].id);
                goto out;
            }
    }
    rc = 0;
out:
    free(file);
    if (rc != 0)
        manifest_free(m);
    return rc;
}

void manifest_free(struct wb_manifest *m)
{
    for (size_t i = 0; m->chapters && i < m->nchapters; i++) {
        struct wb_chapter *ch = &m->chapters[i];
        for (size_t k = 0; ch->exercises && k < ch->nexercises; k++) {
            free(ch->exercises[k].files);
            free(ch->exercises[k].sources);
            free(ch->exercises[k].tests);
        }
        for (size_t k = 0; ch->programs && k < ch->nprograms; k++)
            free(ch->programs[k].sources);
        free(ch->exercises);
        free(ch->programs);
        free(ch->pkg_config);
        free(ch->static_in_tests);
        free(ch->protobuf_c);
    }
    free(m->chapters);
    free(m->quizzes);
    free(m->root);
    json_decref(m->json);
    memset(m, 0, sizeof *m);
}

const struct wb_chapter *manifest_chapter(const struct wb_manifest *m, const char *id)
{
    for (size_t i = 0; i < m->nchapters; i++)
        if (strcmp(m->chapters[i].id, id) == 0)
            return &m->chapters[i];
    return NULL;
}

const char *manifest_exercise_broker(const struct wb_exercise *e)
{
    return e->broker ? e->broker : e->chapter->broker;
}

const struct wb_exercise *manifest_exercise(const struct wb_manifest *m, const char *name)
{
    const char *slash = strchr(name, '/');
    const struct wb_exercise *found = NULL;
    for (size_t i = 0; i < m->nchapters; i++) {
        const struct wb_chapter *ch = &m->chapters[i];
        if (slash &&
            (strncmp(ch->id, name, (size_t)(slash - name)) != 0 || ch->id[slash - name] != '\0'))
            continue;
        for (size_t k = 0; k < ch->nexercises; k++) {
            if (strcmp(ch->exercises[k].id, slash ? slash + 1 : name) != 0)
                continue;
            if (found)
                return NULL; /* ambiguous without a chapter */
            found = &ch->exercises[k];
        }
    }
    return found;
}

int manifest_is_student_file(const struct wb_chapter *c, const char *rel)
{
    for (size_t i = 0; i < c->nexercises; i++)
        for (size_t k = 0; k < c->exercises[i].nfiles; k++)
            if (strcmp(c->exercises[i].files[k], rel) == 0)
                return 1;
    return 0;
}

double exercise_max_points(const struct wb_exercise *e)
{
    double sum = 0;
    for (size_t i = 0; i < e->ntests; i++)
        sum += e->tests[i].points;
    return sum;
}

char *manifest_find_root(const char *dir)
{
    if (dir)
        return path_absolute(dir);
    const char *env = getenv("WB_COURSE");
    if (env && *env)
        return path_absolute(env);
    char *here = getcwd(NULL, 0);
    while (here) {
        char *candidate = path_join(here, "manifest.json");
        int found = candidate && path_is_file(candidate);
        free(candidate);
        if (found)
            return here;
        char *slash = strrchr(here, '/');
        if (!slash || slash == here) {
            free(here);
            return NULL;
        }
        *slash = '\0';
    }
    return NULL;
}

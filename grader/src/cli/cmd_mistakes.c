/*
 * cmd_mistakes.c - `wirebook mistakes [CH[/EX]] [-j N]`: grades the
 * mistakes corpus and fails unless every variant is caught.
 *
 * A variant, solutions/CH/mistakes/EX/NAME.patch, is one plausible mistake:
 * a unified diff against the reference student file it breaks (named by its
 * "--- a/FILE" line), under a head comment that says which tests must
 * notice it:
 *
 *   / * mistake: what is wrong
 *    * rule: "the sentence of the lesson, header or hints it breaks"
 *    * caught-by: test_a test_b
 *    * /
 *
 * A diff, not a copy of the file, so that each variant is today's
 * solution with exactly one mistake: a change to the solution reaches
 * every variant, and one that touches a variant's lines makes it stop
 * applying, loudly, instead of leaving it to test code that no longer
 * exists. Each variant is staged as a submission of its own (the
 * reference files, one of them patched by patch(1), without fuzz) and
 * graded by a child `wirebook grade --only CH/EX --tests a,b`, several at
 * once. A variant is caught when each test it names loses points.
 */
#include "commands.h"
#include "pipeline.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct variant {
    const struct wb_exercise *ex;
    char *name;      /* file name without .patch */
    char *path;      /* solutions/CH/mistakes/EX/NAME.patch */
    char *target;    /* the student file it patches */
    char *tests;     /* caught-by, comma-separated */
    char *problem;   /* malformed head comment, staging or grading failure */
    char *out_dir;   /* OUT/CH/EX/NAME */
    json_t *results; /* the child's results.json */
    pid_t pid;
    bool caught;
};

static bool is_key_line(const char *line)
{
    static const char *const keys[] = {"mistake:", "rule:", "caught-by:"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strncmp(line, keys[i], strlen(keys[i])) == 0)
            return true;
    return false;
}

/* The value after "PREFIX" in the head comment: the rest of its line plus
 * the lines after it up to the next "key:" line, joined by spaces. */
static char *head_value(const char *head, const char *prefix)
{
    struct strbuf value = {0};
    bool inside = false;
    for (const char *line = head; line && *line;) {
        while (*line == ' ' || *line == '*' || *line == '/')
            line++;
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (is_key_line(line))
            inside = strncmp(line, prefix, strlen(prefix)) == 0;
        const char *v =
            inside && strncmp(line, prefix, strlen(prefix)) == 0 ? line + strlen(prefix) : line;
        while (inside && (*v == ' ' || *v == '\t'))
            v++;
        size_t vlen = len - (size_t)(v - line);
        while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\r'))
            vlen--;
        if (inside && vlen > 0)
            sb_printf(&value, "%s%.*s", value.len ? " " : "", (int)vlen, v);
        else if (inside && !value.data)
            sb_puts(&value, "");
        line = eol ? eol + 1 : NULL;
    }
    return value.data ? sb_take(&value) : NULL;
}

/* Reads and checks the head comment; sets v->problem when it is malformed. */
static void parse_head(struct variant *v)
{
    char *text = file_read(v->path, NULL);
    if (!text) {
        v->problem = str_printf("cannot read: %s", strerror(errno));
        return;
    }
    char *end = strstr(text, "*/");
    char *mistake = NULL, *rule = NULL, *caught = NULL;
    if (strncmp(text, "/* mistake:", 11) != 0 || !end) {
        v->problem =
            strdup("must begin with a head comment \"/* mistake: ...\" (see docs/authoring.md)");
        goto done;
    }
    *end = '\0';
    mistake = head_value(text, "mistake:");
    rule = head_value(text, "rule:");
    caught = head_value(text, "caught-by:");
    size_t rlen = rule ? strlen(rule) : 0;
    if (!mistake || !*mistake)
        v->problem = strdup("the head comment's \"mistake:\" line says nothing");
    else if (rlen < 3 || rule[0] != '"' || rule[rlen - 1] != '"')
        v->problem = strdup("the head comment needs a line ' * rule: \"the sentence it breaks, "
                            "quoted\"'");
    else if (!caught || !*caught)
        v->problem = strdup("the head comment needs a line ' * caught-by: test_name ...'");
    if (v->problem)
        goto done;
    for (char *p = caught; *p; p++) /* "a b" -> "a,b" */
        if (*p == ' ' || *p == '\t')
            *p = ',';
    struct strbuf list = {0};
    for (char *tok = strtok(caught, ","); tok; tok = strtok(NULL, ","))
        sb_printf(&list, "%s%s", list.len ? "," : "", tok);
    v->tests = sb_take(&list);
    char *unknown = test_list_check(v->ex, v->tests);
    if (unknown) {
        v->problem = str_printf("caught-by: %s", unknown);
        free(unknown);
        goto done;
    }
    /* The file it patches: "--- a/FILE" (or "--- FILE"), a student file of
     * the exercise. */
    const char *minus = strstr(end + 2, "\n--- ");
    char *named = NULL;
    if (minus) {
        minus += 5;
        if (strncmp(minus, "a/", 2) == 0)
            minus += 2;
        named = strndup(minus, strcspn(minus, "\t\n"));
    }
    const char *target = NULL;
    for (size_t i = 0; named && i < v->ex->nfiles; i++)
        if (strcmp(v->ex->files[i], named) == 0)
            target = v->ex->files[i];
    if (!target) {
        v->problem =
            named ? str_printf("it patches %s, which is not a student file of %s", named, v->ex->id)
                  : strdup("no \"--- a/FILE\" line after the head comment: a variant "
                           "is a unified diff against the solution (diff -u)");
        free(named);
        goto done;
    }
    free(named);
    v->target = strdup(target);
done:
    free(mistake);
    free(rule);
    free(caught);
    free(text);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the variants of exercise e (none when it has no mistakes folder). */
static int collect(const struct wb_manifest *m, const struct wb_exercise *e, const char *only,
                   const char *out, struct variant **vs, size_t *n)
{
    char *dir = str_printf("%s/solutions/%s/mistakes/%s", m->root, e->chapter->id, e->id);
    DIR *d = dir ? opendir(dir) : NULL;
    char **names = NULL;
    size_t count = 0;
    for (struct dirent *de; d && (de = readdir(d));) {
        /* A .c is kept too, to be refused: variants were whole copies once. */
        const char *ext = str_ends_with(de->d_name, ".patch") ? ".patch"
                          : str_ends_with(de->d_name, ".c")   ? ".c"
                                                              : NULL;
        if (!ext || (only && (strncmp(de->d_name, only, strlen(only)) != 0 ||
                              strcmp(de->d_name + strlen(only), ext) != 0)))
            continue;
        char **grown = realloc(names, (count + 1) * sizeof *names);
        if (!grown)
            break;
        names = grown;
        names[count++] = strdup(de->d_name);
    }
    if (d)
        closedir(d);
    qsort(names, count, sizeof *names, by_name);
    struct variant *grown = realloc(*vs, (*n + count + 1) * sizeof **vs);
    int rc = grown ? 0 : -1;
    for (size_t i = 0; grown && i < count; i++) {
        struct variant *v = &grown[(*n)++];
        memset(v, 0, sizeof *v);
        v->ex = e;
        bool copy = str_ends_with(names[i], ".c");
        v->name = strndup(names[i], strlen(names[i]) - strlen(copy ? ".c" : ".patch"));
        v->path = path_join(dir, names[i]);
        v->out_dir = str_printf("%s/%s/%s/%s", out, e->chapter->id, e->id, v->name);
        if (copy)
            v->problem = strdup("a variant is a diff against the solution, NAME.patch (see "
                                "docs/authoring.md), not a copy of the file");
        else
            parse_head(v);
    }
    if (grown)
        *vs = grown;
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    free(dir);
    return rc;
}

/* Starts argv[0] (looked up in PATH) with its output, stdout and stderr,
 * in the file log. Returns its pid, -1 when it could not be forked. */
static pid_t start_logged(char *const argv[], const char *log)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(log, "w", stdout);
        if (!f || dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
            _exit(127);
        setenv("NO_COLOR", "1", 1);
        execvp(argv[0], argv);
        fprintf(stderr, "wirebook mistakes: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

/* Applies v's diff to the staged copy of its file in sub with patch(1):
 * exactly (no fuzz, no offsets guessed from similar lines), so a variant
 * that no longer fits the solution says so instead of breaking elsewhere. */
static int apply_variant(struct variant *v, const char *sub)
{
    char *log = path_join(v->out_dir, "patch.log");
    char *argv[] = {"patch", "--batch", "--fuzz=0",  "--no-backup-if-mismatch",
                    "-p1",   "-d",      (char *)sub, "-i",
                    v->path, NULL};
    pid_t pid = log ? start_logged(argv, log) : -1;
    int status = -1;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    int rc = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
    if (rc != 0) {
        char *said = log ? file_read(log, NULL) : NULL;
        /* "Hunk #1 FAILED at 77." says where; "patching file X" says nothing */
        const char *line = said ? strstr(said, "FAILED") : NULL;
        while (line && line > said && line[-1] != '\n')
            line--;
        if (!line)
            line = said ? said : "";
        v->problem = str_printf("does not apply to solutions/%s/%s as it is now: make it "
                                "again from the solution (diff -u, see docs/authoring.md). "
                                "patch said: %.*s",
                                v->ex->chapter->id, v->target, (int)strcspn(line, "\n"), line);
        free(said);
    }
    free(log);
    return rc;
}

/* OUT/.../sub/CH/: the exercise's reference files, the variant's patched. */
static int stage_variant(const struct wb_manifest *m, struct variant *v)
{
    const struct wb_exercise *e = v->ex;
    char *sub = str_printf("%s/sub/%s", v->out_dir, e->chapter->id);
    int rc = sub && remove_tree(v->out_dir) == 0 && mkdir_p(sub) == 0 ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < e->nfiles; i++) {
        char *from = str_printf("%s/solutions/%s/%s", m->root, e->chapter->id, e->files[i]);
        char *to = path_join(sub, e->files[i]);
        rc = from && to && file_copy(from, to) == 0 ? 0 : -1;
        free(from);
        free(to);
    }
    if (rc != 0)
        v->problem = str_printf("cannot stage it under %s: %s", v->out_dir, strerror(errno));
    else
        rc = apply_variant(v, sub);
    free(sub);
    return rc;
}

/* Starts `wirebook grade` on the staged variant; its output goes to grade.log. */
static pid_t start_grade(const char *self, const char *course, struct variant *v)
{
    char *sub = path_join(v->out_dir, "sub");
    char *out = path_join(v->out_dir, "grade");
    char *log = path_join(v->out_dir, "grade.log");
    char *only = str_printf("%s/%s", v->ex->chapter->id, v->ex->id);
    pid_t pid = -1;
    if (sub && out && log && only) {
        char *argv[] = {(char *)self, "grade", "--course", (char *)course, "--submission", sub,
                        "--only",     only,    "--tests",  v->tests,       "--out",        out,
                        "--no-quiz",  NULL};
        pid = start_logged(argv, log);
    }
    if (pid < 0)
        v->problem = str_printf("cannot start the grader: %s", strerror(errno));
    free(sub);
    free(out);
    free(log);
    free(only);
    return pid;
}

/* The child's results.json entry of test (len bytes at name) of v's exercise. */
static json_t *result_of(const struct variant *v, const char *name, size_t len)
{
    char *full = str_printf("%s/%s: %.*s", v->ex->chapter->id, v->ex->id, (int)len, name);
    size_t i;
    json_t *entry, *found = NULL;
    json_array_foreach(json_object_get(v->results, "tests"), i, entry)
    {
        const char *n = json_string_value(json_object_get(entry, "name"));
        if (n && full && strcmp(n, full) == 0)
            found = entry;
    }
    free(full);
    return found;
}

static bool lost_points(const json_t *entry)
{
    return entry && json_number_value(json_object_get(entry, "score")) <
                        json_number_value(json_object_get(entry, "max_score"));
}

/* Reads the child's results: the variant must build and run, and each named
 * test must score below its points. */
static void judge_variant(struct variant *v, int status)
{
    char *path = str_printf("%s/grade/results.json", v->out_dir);
    json_error_t jerr;
    v->results = path ? json_load_file(path, 0, &jerr) : NULL;
    free(path);
    json_t *ex =
        json_array_get(json_object_get(json_object_get(v->results, "extra_data"), "exercises"), 0);
    const char *state = json_string_value(json_object_get(ex, "state"));
    if (!v->results || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        v->problem = str_printf("grading did not run (see %s/grade.log)", v->out_dir);
        return;
    }
    if (state && strcmp(state, "graded") != 0 && strcmp(state, "test runner failed") != 0) {
        /* A variant that does not compile teaches nothing about the tests. */
        v->problem =
            str_printf("%s: a variant must build and run (see %s/grade.log)", state, v->out_dir);
        return;
    }
    v->caught = true;
    for (const char *t = v->tests; t && *t;) {
        const char *end = strchr(t, ',');
        size_t len = end ? (size_t)(end - t) : strlen(t);
        if (!lost_points(result_of(v, t, len)))
            v->caught = false;
        t = end ? end + 1 : NULL;
    }
}

/* Grades every staged variant, at most jobs at once. */
static void run_all(const char *self, const char *course, struct variant *vs, size_t n, int jobs)
{
    size_t next = 0;
    int running = 0;
    while (next < n || running > 0) {
        while (running < jobs && next < n) {
            struct variant *v = &vs[next++];
            if (v->problem)
                continue;
            v->pid = start_grade(self, course, v);
            running += v->pid > 0;
        }
        if (running == 0)
            continue;
        int status;
        pid_t done = waitpid(-1, &status, 0);
        if (done < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            if (vs[i].pid == done) {
                vs[i].pid = 0;
                running--;
                judge_variant(&vs[i], status);
            }
        }
    }
}

/* One line per named test: lost (caught) or kept (missed), with why. */
static int print_table(struct variant *vs, size_t n)
{
    int caught = 0;
    printf("%-58s %-46s %s\n", "variant", "test", "result");
    for (size_t i = 0; i < n; i++) {
        struct variant *v = &vs[i];
        char label[200];
        snprintf(label, sizeof label, "%s/%s/%s", v->ex->chapter->id, v->ex->id, v->name);
        caught += v->caught && !v->problem;
        if (v->problem) {
            printf("%-58s %-46s FAIL: %s\n", label, "-", v->problem);
            continue;
        }
        for (const char *t = v->tests; t && *t;) {
            const char *end = strchr(t, ',');
            size_t len = end ? (size_t)(end - t) : strlen(t);
            printf("%-58s %-46.*s %s\n", label, (int)len, t,
                   lost_points(result_of(v, t, len))
                       ? "lost (caught)"
                       : "KEPT: the test did not notice this mistake");
            t = end ? end + 1 : NULL;
        }
    }
    printf("\n%zu variants, %d caught\n", n, caught);
    return caught;
}

/* Folders under solutions/CH/mistakes/ that name no exercise of ch: their
 * variants would never run, so they are an error, said on stdout. */
static int stray_folders(const struct wb_manifest *m, const struct wb_chapter *ch)
{
    char *dir = str_printf("%s/solutions/%s/mistakes", m->root, ch->id);
    DIR *d = dir ? opendir(dir) : NULL;
    int stray = 0;
    for (struct dirent *de; d && (de = readdir(d));) {
        if (de->d_name[0] == '.')
            continue;
        bool known = false;
        for (size_t k = 0; k < ch->nexercises && !known; k++)
            known = strcmp(ch->exercises[k].id, de->d_name) == 0;
        if (!known) {
            printf("FAIL: solutions/%s/mistakes/%s is not an exercise of %s\n", ch->id, de->d_name,
                   ch->id);
            stray++;
        }
    }
    if (d)
        closedir(d);
    free(dir);
    return stray;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: wirebook mistakes [CHAPTER[/EXERCISE[/VARIANT]]] [-j N] [--out DIR] "
                 "[--course DIR]\n\n"
                 "Grades each wrong variant, solutions/CH/mistakes/EX/*.patch (a diff against\n"
                 "the solution), with only the tests its head comment names (caught-by:), and\n"
                 "exits 1 unless each of them loses points in every variant, or when a head\n"
                 "comment is malformed or a variant no longer applies.\n");
}

int cmd_mistakes(int argc, char **argv)
{
    static const struct option longopts[] = {{"jobs", required_argument, NULL, 'j'},
                                             {"out", required_argument, NULL, 'O'},
                                             {"course", required_argument, NULL, 'c'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *course = NULL, *out_opt = NULL;
    int jobs = 2, c;
    while ((c = getopt_long(argc, argv, "j:O:c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': jobs = atoi(optarg); break;
        case 'O': out_opt = optarg; break;
        case 'c': course = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (jobs < 1 || optind + 1 < argc) {
        usage(stderr);
        return 2;
    }
    /* CH, CH/EX or CH/EX/VARIANT */
    char *only = optind < argc ? strdup(argv[optind]) : NULL;
    char *variant = only && strchr(only, '/') ? strchr(strchr(only, '/') + 1, '/') : NULL;
    if (variant)
        *variant++ = '\0';
    struct wb_manifest m;
    if (load_course(course, &m) != 0) {
        free(only);
        return 2;
    }
    if (check_only(&m, only) != 0) {
        free(only);
        manifest_free(&m);
        return 2;
    }
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    char *out_default = path_join(m.root, "build/mistakes");
    const char *out_dir = out_opt ? out_opt : out_default;
    char *out = out_dir && mkdir_p(out_dir) == 0 ? path_absolute(out_dir) : NULL;
    if (len <= 0 || !out) {
        fprintf(stderr, "wirebook mistakes: cannot find myself or create %s\n",
                out_dir ? out_dir : "the output folder");
        free(out_default);
        free(only);
        manifest_free(&m);
        return 2;
    }
    self[len] = '\0';

    struct grade_options sel = {.only = only};
    struct variant *vs = NULL;
    size_t n = 0;
    int stray = 0;
    for (size_t i = 0; i < m.nchapters; i++) {
        const struct wb_chapter *ch = &m.chapters[i];
        if (!grade_selects_chapter(&sel, ch))
            continue;
        stray += stray_folders(&m, ch);
        bool staged_any = false;
        for (size_t k = 0; k < ch->nexercises; k++) {
            const char *slash = only ? strchr(only, '/') : NULL;
            if (slash && strcmp(slash + 1, ch->exercises[k].id) != 0)
                continue;
            size_t first = n;
            collect(&m, &ch->exercises[k], variant, out, &vs, &n);
            for (size_t v = first; v < n; v++)
                if (!vs[v].problem && stage_variant(&m, &vs[v]) == 0)
                    staged_any = true;
        }
        /* One broker for all the chapter's variants, started before they run
         * side by side (each child then finds it in the environment). */
        char err[1024] = "";
        char **env = staged_any && ch->broker ? brokers_env_for(&m, ch, err, sizeof err) : NULL;
        for (char **e = env; e && *e; e++)
            putenv(strdup(*e));
        if (err[0])
            fprintf(stderr, "wirebook mistakes: %s: %s\n", ch->id, err);
        free_argv(env);
    }
    if (n == 0) {
        printf("no variants under solutions/%s/mistakes/\n", only ? only : "*");
    } else {
        fprintf(stderr, "grading %zu variants, %d at a time ...\n", n, jobs);
        run_all(self, m.root, vs, n, jobs);
    }
    int caught = print_table(vs, n);
    brokers_release(&m);
    for (size_t i = 0; i < n; i++) {
        free(vs[i].name);
        free(vs[i].path);
        free(vs[i].target);
        free(vs[i].tests);
        free(vs[i].problem);
        free(vs[i].out_dir);
        json_decref(vs[i].results);
    }
    free(vs);
    free(out);
    free(out_default);
    free(only);
    manifest_free(&m);
    return (size_t)caught == n && stray == 0 ? 0 : 1;
}

/*
 * build.c - compiles exercises and example programs, one compiler run each,
 * so a compile error costs only the exercise it is in.
 */
#include "pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

#define COMPILE_TIMEOUT_MS 180000

static const char *base_cflags[] = {
    "-std=c11", "-D_DEFAULT_SOURCE", "-Wall", "-Wextra", "-g", "-O1", NULL};
static const char *sanitize_flags[] = {"-fsanitize=address,undefined",
                                       "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer",
                                       NULL};

void free_argv(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}

struct argv_builder {
    char **items;
    size_t n, cap;
    bool failed;
};

static void add(struct argv_builder *a, const char *s)
{
    if (a->failed)
        return;
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 32;
        char **grown = realloc(a->items, cap * sizeof *grown);
        if (!grown) {
            a->failed = true;
            return;
        }
        a->items = grown;
        a->cap = cap;
    }
    char *copy = strdup(s);
    if (!copy) {
        a->failed = true;
        return;
    }
    a->items[a->n++] = copy;
    a->items[a->n] = NULL;
}

static void add_owned(struct argv_builder *a, char *s)
{
    if (!s)
        a->failed = true;
    else
        add(a, s);
    free(s);
}

static char **finish(struct argv_builder *a)
{
    if (a->failed) {
        free_argv(a->items);
        return NULL;
    }
    return a->items;
}

/* Runs `pkg-config --cflags --libs MODULES` and splits its output on blanks. */
static char **pkg_config_flags(const struct wb_chapter *ch, char *err, size_t errlen)
{
    struct argv_builder a = {0};
    add(&a, "-pthread"); /* keeps the list non-empty and every chapter thread-safe */
    if (ch->npkg_config == 0)
        return finish(&a);
    struct strbuf cmd = {0};
    sb_puts(&cmd, "pkg-config --cflags --libs");
    for (size_t i = 0; i < ch->npkg_config; i++)
        sb_printf(&cmd, " '%s'", ch->pkg_config[i]);
    sb_puts(&cmd, " 2>&1");
    FILE *p = popen(cmd.data, "r");
    struct strbuf out = {0};
    char buf[1024];
    size_t n;
    while (p && (n = fread(buf, 1, sizeof buf, p)) > 0)
        sb_append(&out, buf, n);
    int status = p ? pclose(p) : -1;
    if (status != 0) {
        snprintf(err, errlen,
                 "pkg-config cannot find the libraries of chapter %s (%s): %s"
                 "run `make deps` to install them",
                 ch->id, cmd.data, out.data ? out.data : "pkg-config not found\n");
        sb_free(&cmd);
        sb_free(&out);
        free_argv(finish(&a));
        return NULL;
    }
    for (char *tok = strtok(out.data, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
        add(&a, tok);
    sb_free(&cmd);
    sb_free(&out);
    return finish(&a);
}

static int run_logged(char **argv, const char *cwd, const char *log_path, struct proc_outcome *o)
{
    struct proc_spec spec = {.argv = argv,
                             .envp = environ,
                             .cwd = cwd,
                             .output_path = log_path,
                             .timeout_ms = COMPILE_TIMEOUT_MS};
    return proc_run(&spec, o);
}

/* The first lines of a log, for a message a student reads first. */
static char *log_head(const char *log_path, size_t max_bytes)
{
    size_t len = 0;
    char *text = file_read(log_path, &len);
    if (!text)
        return strdup("(no compiler output)");
    if (len > max_bytes) {
        text[max_bytes] = '\0';
        char *more = str_printf("%s\n... (cut; the whole log is %s)", text, log_path);
        free(text);
        return more;
    }
    return text;
}

static int compile_protos(const struct wb_chapter *ch, const char *work_dir, const char *gen_dir,
                          const char *log_path, char *err, size_t errlen)
{
    if (ch->nprotobuf_c == 0)
        return 0;
    if (mkdir_p(gen_dir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", gen_dir, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < ch->nprotobuf_c; i++) {
        struct argv_builder a = {0};
        add(&a, "protoc-c");
        add_owned(&a, str_printf("--c_out=%s", gen_dir));
        add_owned(&a, str_printf("-I%s", work_dir));
        add_owned(&a, path_join(work_dir, ch->protobuf_c[i]));
        char **argv = finish(&a);
        struct proc_outcome o;
        int rc = argv ? run_logged(argv, work_dir, log_path, &o) : -1;
        free_argv(argv);
        if (rc != 0 || o.exit_code != 0) {
            char *head = log_head(log_path, 2000);
            snprintf(err, errlen, "protoc-c failed on %s/%s (install protobuf-c-compiler): %s",
                     ch->id, ch->protobuf_c[i], head);
            free(head);
            return -1;
        }
    }
    return 0;
}

int build_ctx_init(struct build_ctx *b, const struct wb_manifest *m, const struct wb_chapter *ch,
                   const char *work_dir, const char *gen_dir, bool sanitize, bool werror,
                   const char *log_path, char *err, size_t errlen)
{
    memset(b, 0, sizeof *b);
    b->course_root = m->root;
    b->work_dir = work_dir;
    b->gen_dir = gen_dir;
    b->sanitize = sanitize;
    b->werror = werror;
    b->pkg_flags = pkg_config_flags(ch, err, errlen);
    if (!b->pkg_flags)
        return -1;
    return compile_protos(ch, work_dir, gen_dir, log_path, err, errlen);
}

void build_ctx_free(struct build_ctx *b)
{
    free_argv(b->pkg_flags);
    b->pkg_flags = NULL;
}

/* Generated protobuf-c sources of the chapter (gen_dir/NAME.pb-c.c). */
static void add_generated(struct argv_builder *a, const struct build_ctx *b,
                          const struct wb_chapter *ch)
{
    for (size_t i = 0; i < ch->nprotobuf_c; i++) {
        char *base = strdup(ch->protobuf_c[i]);
        if (!base) {
            a->failed = true;
            return;
        }
        char *dot = strrchr(base, '.');
        if (dot)
            *dot = '\0';
        const char *name = strrchr(base, '/') ? strrchr(base, '/') + 1 : base;
        add_owned(a, str_printf("%s/%s.pb-c.c", b->gen_dir, name));
        free(base);
    }
}

char **build_command(const struct build_ctx *b, const struct wb_chapter *ch, const char **sources,
                     size_t nsources, const char *out, bool link_tests)
{
    struct argv_builder a = {0};
    const char *cc = getenv("CC");
    add(&a, cc && *cc ? cc : "cc");
    for (const char **f = base_cflags; *f; f++)
        add(&a, *f);
    if (b->werror)
        add(&a, "-Werror");
    if (b->sanitize)
        for (const char **f = sanitize_flags; *f; f++)
            add(&a, *f);
    add_owned(&a, str_printf("-I%s", b->work_dir));
    add_owned(&a, str_printf("-I%s/testkit", b->course_root));
    if (b->gen_dir)
        add_owned(&a, str_printf("-I%s", b->gen_dir));
    for (size_t i = 0; i < nsources; i++)
        add_owned(&a,
                  sources[i][0] == '/' ? strdup(sources[i]) : path_join(b->work_dir, sources[i]));
    add_generated(&a, b, ch);
    if (out) {
        add(&a, "-o");
        add(&a, out);
    }
    if (link_tests)
        add_owned(&a, str_printf("%s/build/lib/libwbtestkit.a", b->course_root));
    for (char **f = b->pkg_flags; f && *f; f++)
        add(&a, *f);
    if (link_tests) {
        add(&a, "-lcriterion");
        add(&a, "-ljansson");
    }
    return finish(&a);
}

static int compile(const struct build_ctx *b, const struct wb_chapter *ch, const char **sources,
                   size_t nsources, const char *bin, bool link_tests, const char *log_path,
                   char **message)
{
    char **argv = build_command(b, ch, sources, nsources, bin, link_tests);
    if (!argv) {
        *message = strdup("out of memory building the compiler command");
        return -1;
    }
    struct proc_outcome o;
    int rc = run_logged(argv, b->work_dir, log_path, &o);
    free_argv(argv);
    if (rc != 0) {
        *message = str_printf("could not start the compiler: %s", strerror(errno));
        return -1;
    }
    if (!o.started) {
        *message = str_printf("could not run the C compiler (install build-essential): %s",
                              proc_describe(&o, COMPILE_TIMEOUT_MS));
        return -1;
    }
    if (o.exit_code != 0 || o.timed_out || o.signal) {
        char *head = log_head(log_path, 4000);
        *message =
            str_printf("did not compile (%s):\n%s", proc_describe(&o, COMPILE_TIMEOUT_MS), head);
        free(head);
        return -1;
    }
    *message = NULL;
    return 0;
}

int build_exercise(const struct build_ctx *b, const struct wb_exercise *e, const char *bin,
                   const char *log_path, char **message)
{
    size_t n = 1 + e->nfiles + e->nsources;
    const char **sources = calloc(n, sizeof *sources);
    char *test_file = str_printf("tests/test_%s.c", e->id);
    if (!sources || !test_file) {
        free(sources);
        free(test_file);
        *message = strdup("out of memory");
        return -1;
    }
    size_t k = 0;
    sources[k++] = test_file;
    for (size_t i = 0; i < e->nfiles; i++)
        sources[k++] = e->files[i];
    for (size_t i = 0; i < e->nsources; i++)
        sources[k++] = e->sources[i];
    int rc = compile(b, e->chapter, sources, n, bin, true, log_path, message);
    free(sources);
    free(test_file);
    return rc;
}

int build_program(const struct build_ctx *b, const struct wb_chapter *ch,
                  const struct wb_program *p, const char *bin, const char *log_path, char **message)
{
    return compile(b, ch, p->sources, p->nsources, bin, false, log_path, message);
}

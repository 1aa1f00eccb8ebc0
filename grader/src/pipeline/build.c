/*
 * build.c - compiles exercises and example programs, one compiler run each,
 * so a compile error costs only the exercise it is in.
 *
 * An exercise's student files are compiled to objects by screen.c (with
 * build_student_object, in the staged chapter), screened and kept there;
 * build_exercise links exactly those objects with the tests. Every compile
 * and link of an exercise runs in the sandbox (sandbox.c) as the run user,
 * under limits, seeing the staged chapter, the generated sources and the
 * test kit's headers and library only: `#include "../solutions/..."` or
 * "/etc/shadow" finds nothing there.
 */
#include "pipeline.h"
#include "sandbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

#define COMPILE_TIMEOUT_MS 180000

/* Limits of one compiler or linker run: generous for gRPC's headers, finite
 * for a file that makes the compiler loop or explode. */
static const struct proc_limits compile_limits = {
    .cpu_seconds = 120, .memory_mb = 4096, .file_mb = 256, .open_files = 1024, .processes = 64};

static const char *base_cflags[] = {
    "-std=c11", "-D_DEFAULT_SOURCE", "-Wall", "-Wextra", "-g", "-O1", NULL};
static const char *sanitize_flags[] = {"-fsanitize=address,undefined",
                                       "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer",
                                       NULL};

char *build_shell_output(const char *command, int *status)
{
    FILE *p = popen(command, "r");
    struct strbuf out = {0};
    char buf[1024];
    size_t n;
    while (p && (n = fread(buf, 1, sizeof buf, p)) > 0)
        sb_append(&out, buf, n);
    *status = p ? pclose(p) : -1;
    return sb_take(&out);
}

/* Runs `pkg-config --cflags --libs MODULES` and splits its output on blanks. */
static char **pkg_config_flags(const char *course_root, const struct wb_chapter *ch, char *err,
                               size_t errlen)
{
    struct argv_builder a = {0};
    argv_add(&a, "-pthread"); /* keeps the list non-empty and every chapter thread-safe */
    if (ch->npkg_config == 0)
        return argv_finish(&a);
    struct strbuf cmd = {0};
    sb_puts(&cmd, "pkg-config --cflags --libs");
    for (size_t i = 0; i < ch->npkg_config; i++)
        sb_printf(&cmd, " '%s'", ch->pkg_config[i]);
    sb_puts(&cmd, " 2>&1");
    int status = -1;
    char *out = cmd.data ? object_cache_pkg_config(course_root, cmd.data, &status) : NULL;
    if (status != 0) {
        snprintf(err, errlen,
                 "pkg-config cannot find the libraries of chapter %s (%s): %s"
                 "run `make deps` to install them",
                 ch->id, cmd.data ? cmd.data : "pkg-config", out ? out : "pkg-config not found\n");
        sb_free(&cmd);
        free(out);
        free_argv(argv_finish(&a));
        return NULL;
    }
    argv_add_words(&a, out);
    sb_free(&cmd);
    free(out);
    return argv_finish(&a);
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
    bool cut = false;
    char *text = file_read_head(log_path, max_bytes, &cut); /* never the whole log */
    if (!text)
        return strdup("(no compiler output)");
    if (cut) {
        char *more = str_printf("%s\n... (cut; the whole log is %s)", text, log_path);
        free(text);
        return more;
    }
    return text;
}

/* What a compile of student code may see, besides the system: the staged
 * chapter, generated sources, the test kit's headers and library, and
 * (extra_ro, NULL-terminated, may be NULL) the cached objects a link needs. */
static int run_tool_seeing(const struct build_ctx *b, char **argv, const char *const *extra_ro,
                           const char *rw_dir, const char *log_path, struct proc_outcome *o)
{
    char *testkit = str_printf("%s/testkit", b->course_root);
    char *lib = str_printf("%s/build/lib/libwbtestkit.a", b->course_root);
    size_t nextra = 0;
    while (extra_ro && extra_ro[nextra])
        nextra++;
    const char **ro = calloc(nextra + 5, sizeof *ro);
    if (!ro) {
        free(testkit);
        free(lib);
        return -1;
    }
    size_t k = 0;
    ro[k++] = b->work_dir;
    ro[k++] = testkit;
    ro[k++] = lib;
    if (b->gen_dir)
        ro[k++] = b->gen_dir;
    for (size_t i = 0; i < nextra; i++)
        ro[k++] = extra_ro[i];
    const char *rw[] = {rw_dir, NULL};
    struct sandbox_spec box = {.ro_paths = ro, .rw_paths = rw};
    struct proc_spec spec = {.argv = argv,
                             .envp = environ,
                             .cwd = b->work_dir,
                             .output_path = log_path,
                             .timeout_ms = COMPILE_TIMEOUT_MS,
                             .limits = compile_limits,
                             .sandbox = &box};
    int rc = testkit && lib ? proc_run(&spec, o) : -1;
    free(ro);
    free(testkit);
    free(lib);
    return rc;
}

int build_run_tool(const struct build_ctx *b, char **argv, const char *rw_dir, const char *log_path,
                   struct proc_outcome *o)
{
    return run_tool_seeing(b, argv, NULL, rw_dir, log_path, o);
}

int build_protos(const struct wb_chapter *ch, const char *work_dir, const char *gen_dir,
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
        argv_add(&a, "protoc-c");
        argv_add_owned(&a, str_printf("--c_out=%s", gen_dir));
        argv_add_owned(&a, str_printf("-I%s", work_dir));
        argv_add_owned(&a, path_join(work_dir, ch->protobuf_c[i]));
        char **argv = argv_finish(&a);
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
    /* no generated code, no generated folder: none on any include path (a
     * per-run folder there would make every cache key differ per run) */
    b->gen_dir = ch->nprotobuf_c > 0 ? gen_dir : NULL;
    b->sanitize = sanitize;
    b->werror = werror;
    b->pkg_flags = pkg_config_flags(m->root, ch, err, errlen);
    if (!b->pkg_flags)
        return -1;
    b->test_link = test_link_flags(m->root, ch, b->pkg_flags);
    /* Without the cache (off, or the course's build/ not writable) every
     * build compiles the instructor's sources and generated code itself. */
    if (object_cache_init(b, ch) == 0 && ch->nprotobuf_c > 0) {
        b->cached_gen = object_cache_generated(b, ch, log_path);
        if (b->cached_gen) {
            b->gen_dir = b->cached_gen;
            return 0;
        }
        /* keys name the generated folder: a per-run one would never hit */
        free(b->cache_dir);
        b->cache_dir = NULL;
    }
    return build_protos(ch, work_dir, gen_dir, log_path, err, errlen);
}

void build_ctx_free(struct build_ctx *b)
{
    free_argv(b->pkg_flags);
    free_argv(b->test_link);
    free(b->cache_dir);
    free(b->course_chapter);
    free(b->compiler_id);
    free(b->cached_gen);
    b->pkg_flags = b->test_link = NULL;
    b->cache_dir = b->course_chapter = b->compiler_id = b->cached_gen = NULL;
}

/* gen_dir/NAME.pb-c.c for the chapter's i-th .proto file (malloc'd). */
static char *generated_source(const struct build_ctx *b, const struct wb_chapter *ch, size_t i)
{
    char *base = strdup(ch->protobuf_c[i]);
    if (!base)
        return NULL;
    char *dot = strrchr(base, '.');
    if (dot)
        *dot = '\0';
    const char *name = strrchr(base, '/') ? strrchr(base, '/') + 1 : base;
    char *path = str_printf("%s/%s.pb-c.c", b->gen_dir, name);
    free(base);
    return path;
}

/* Generated protobuf-c sources of the chapter (gen_dir/NAME.pb-c.c). */
static void add_generated(struct argv_builder *a, const struct build_ctx *b,
                          const struct wb_chapter *ch)
{
    for (size_t i = 0; i < ch->nprotobuf_c; i++)
        argv_add_owned(a, generated_source(b, ch, i));
}

/* The compiler, the build's flags (-Werror, sanitizers) and its include
 * paths, chapter_dir first: the start of every compile command of the build. */
static void add_compiler(struct argv_builder *a, const struct build_ctx *b, const char *chapter_dir)
{
    const char *cc = getenv("CC");
    argv_add(a, cc && *cc ? cc : "cc");
    for (const char **f = base_cflags; *f; f++)
        argv_add(a, *f);
    if (b->werror)
        argv_add(a, "-Werror");
    if (b->sanitize)
        for (const char **f = sanitize_flags; *f; f++)
            argv_add(a, *f);
    argv_add_owned(a, str_printf("-I%s", chapter_dir));
    argv_add_owned(a, str_printf("-I%s/testkit", b->course_root));
    if (b->gen_dir)
        argv_add_owned(a, str_printf("-I%s", b->gen_dir));
}

/* GNU gold links the test binaries (gRPC, abseil, Criterion and the test
 * kit) about six times faster than ld.bfd: 0.8 s of CPU for a whole
 * submission's 60 links instead of 6 s. binutils ships both; without gold
 * the compiler's default linker does it. */
static bool gold_linker(void)
{
    static int known = -1;
    if (known < 0)
        known = access("/usr/bin/ld.gold", X_OK) == 0;
    return known == 1;
}

/* build_command, with or without the generated sources of the chapter. */
static char **command_of(const struct build_ctx *b, const struct wb_chapter *ch,
                         const char **sources, size_t nsources, const char *out, bool link_tests,
                         bool generated)
{
    struct argv_builder a = {0};
    add_compiler(&a, b, b->work_dir);
    for (size_t i = 0; i < nsources; i++)
        argv_add_owned(&a, sources[i][0] == '/' ? strdup(sources[i])
                                                : path_join(b->work_dir, sources[i]));
    if (generated)
        add_generated(&a, b, ch);
    if (out) { /* a link: compile-only commands are build_object_command's */
        if (gold_linker())
            argv_add(&a, "-fuse-ld=gold");
        argv_add(&a, "-o");
        argv_add(&a, out);
    }
    if (link_tests)
        argv_add_owned(&a, str_printf("%s/build/lib/libwbtestkit.a", b->course_root));
    for (char **f = link_tests && b->test_link ? b->test_link : b->pkg_flags; f && *f; f++)
        argv_add(&a, *f);
    if (link_tests) {
        argv_add(&a, "-lcriterion");
        argv_add(&a, "-ljansson");
    }
    return argv_finish(&a);
}

char **build_command(const struct build_ctx *b, const struct wb_chapter *ch, const char **sources,
                     size_t nsources, const char *out, bool link_tests)
{
    return command_of(b, ch, sources, nsources, out, link_tests, true);
}

/* Runs a compile or link command; with sandbox_dir, inside the sandbox
 * with that folder writable and extra_ro (cached objects) readable
 * (student code), else as the grader (example programs the student builds
 * for themselves). Takes argv. */
static int run_compiler(const struct build_ctx *b, char **argv, const char *const *extra_ro,
                        const char *sandbox_dir, const char *log_path, char **message)
{
    if (!argv) {
        *message = strdup("out of memory building the compiler command");
        return -1;
    }
    struct proc_outcome o;
    int rc = sandbox_dir ? run_tool_seeing(b, argv, extra_ro, sandbox_dir, log_path, &o)
                         : run_logged(argv, b->work_dir, log_path, &o);
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

char **build_object_command(const struct build_ctx *b, const char *chapter_dir, const char *src,
                            const char *const *tail)
{
    struct argv_builder a = {0};
    add_compiler(&a, b, chapter_dir);
    for (char **f = b->pkg_flags; f && *f; f++)
        if (strncmp(*f, "-l", 2) != 0 && strncmp(*f, "-L", 2) != 0 && strncmp(*f, "-Wl,", 4) != 0)
            argv_add(&a, *f);
    argv_add(&a, "-c");
    argv_add(&a, src);
    for (const char *const *t = tail; t && *t; t++)
        argv_add(&a, *t);
    return argv_finish(&a);
}

/* The compile-only command of one student file: the build's own flags
 * (sanitizers and -Werror included), its include paths, no libraries. */
int build_student_object(const struct build_ctx *b, const char *file, const char *obj,
                         const char *rw_dir, const char *log_path)
{
    char *src = path_join(b->work_dir, file);
    const char *tail[] = {"-o", obj, NULL};
    char **argv = src ? build_object_command(b, b->work_dir, src, tail) : NULL;
    free(src);
    struct proc_outcome o;
    int rc = argv ? build_run_tool(b, argv, rw_dir, log_path, &o) : -1;
    free_argv(argv);
    return rc == 0 && o.exit_code == 0 && path_is_file(obj) ? 0 : -1;
}

/* The link's inputs: the exercise's instructor sources (cached objects
 * where the cache has them, else the sources, compiled with the link) and
 * the screened student objects. */
struct link_inputs {
    const char **items; /* for build_command: sources and objects */
    const char **ro;    /* the cached objects among them, which the sandbox must show */
    char **owned;
    size_t n, nro, nowned;
    bool generated; /* the generated sources are compiled with the link */
};

static char *keep(struct link_inputs *in, char *s)
{
    if (s)
        in->owned[in->nowned++] = s;
    return s;
}

/* Adds instructor source src (relative to the chapter, or absolute in the
 * generated folder): its cached object, or itself. A chapter file some
 * exercise's student owns is never taken from the course. */
static void add_instructor(struct link_inputs *in, const struct build_ctx *b,
                           const struct wb_chapter *ch, const char *src)
{
    char *obj = NULL;
    if (b->cache_dir && (src[0] == '/' || !manifest_is_student_file(ch, src))) {
        char *abs = src[0] == '/' ? strdup(src) : path_join(b->course_chapter, src);
        obj = abs ? object_cache_get(b, ch, abs) : NULL;
        free(abs);
    }
    if (keep(in, obj))
        in->items[in->n++] = in->ro[in->nro++] = obj;
    else
        in->items[in->n++] = src;
}

/* The cached objects of the chapter's generated code, all or none (then
 * the link compiles the sources); only from the cache's own generated
 * folder, whose path does not change from run to run. */
static bool add_generated_objects(struct link_inputs *in, const struct build_ctx *b,
                                  const struct wb_chapter *ch)
{
    size_t n = in->n, nro = in->nro;
    for (size_t i = 0; i < ch->nprotobuf_c; i++) {
        char *src = b->cached_gen ? keep(in, generated_source(b, ch, i)) : NULL;
        if (src)
            add_instructor(in, b, ch, src);
        if (in->nro != nro + i + 1) {
            in->n = n;
            in->nro = nro;
            return false;
        }
    }
    return true;
}

static void link_inputs_free(struct link_inputs *in)
{
    for (size_t i = 0; in->owned && i < in->nowned; i++)
        free(in->owned[i]);
    free(in->owned);
    free(in->items);
    free(in->ro);
}

/* Room for the inputs of e's link, nstudent student objects included; -1
 * when out of memory. */
static int link_inputs_alloc(struct link_inputs *in, const struct wb_exercise *e, size_t nstudent)
{
    size_t n = 1 + nstudent + e->nsources + e->chapter->nprotobuf_c;
    in->items = calloc(n + 1, sizeof *in->items);
    in->ro = calloc(n + 1, sizeof *in->ro);
    in->owned = calloc(2 * n + 2, sizeof *in->owned);
    return in->items && in->ro && in->owned ? 0 : -1;
}

/* Adds e's instructor side: its test file, its sources, the chapter's
 * generated code; -1 when out of memory. */
static int add_instructor_side(struct link_inputs *in, const struct build_ctx *b,
                               const struct wb_exercise *e)
{
    char *test_file = keep(in, str_printf("tests/test_%s.c", e->id));
    if (!test_file)
        return -1;
    add_instructor(in, b, e->chapter, test_file);
    for (size_t i = 0; i < e->nsources; i++)
        add_instructor(in, b, e->chapter, e->sources[i]);
    in->generated = !add_generated_objects(in, b, e->chapter);
    return 0;
}

int build_cache_exercise(const struct build_ctx *b, const struct wb_exercise *e)
{
    struct link_inputs in = {0};
    int wanted = 1 + (int)(e->nsources + e->chapter->nprotobuf_c);
    int missing = link_inputs_alloc(&in, e, 0) == 0 && add_instructor_side(&in, b, e) == 0
                      ? wanted - (int)in.nro
                      : wanted;
    link_inputs_free(&in);
    return missing;
}

int build_exercise(const struct build_ctx *b, const struct wb_exercise *e, const char *bin,
                   const char *log_path, char **message)
{
    /* The screened objects live in screen/ beside bin (grade.c's layout). */
    const char *slash = strrchr(bin, '/');
    char *ex_dir = slash ? str_printf("%.*s", (int)(slash - bin), bin) : strdup(".");
    char *obj_dir = ex_dir ? path_join(ex_dir, "screen") : NULL;
    char *linked = obj_dir ? path_join(obj_dir, "tests.bin") : NULL;
    struct link_inputs in = {0};
    int rc = -1;
    *message = NULL;
    if (!linked || link_inputs_alloc(&in, e, e->nfiles) != 0) {
        *message = strdup("out of memory");
        goto out;
    }
    /* the student's objects first: no instructor compile for a file that
     * did not compile */
    for (size_t i = 0; i < e->nfiles; i++) {
        char *obj = keep(&in, screen_object_path(obj_dir, e->files[i]));
        if (!obj || !path_is_file(obj)) {
            /* screen_exercise could not compile it: its log says why */
            char *head = log_head(log_path, 4000);
            *message = str_printf("did not compile:\n%s", head ? head : "");
            free(head);
            goto out;
        }
        in.items[in.n++] = obj;
    }
    if (add_instructor_side(&in, b, e) != 0) {
        *message = strdup("out of memory");
        goto out;
    }
    char **argv = command_of(b, e->chapter, in.items, in.n, linked, true, in.generated);
    rc = run_compiler(b, argv, in.ro, obj_dir, log_path, message);
    if (rc == 0 && rename(linked, bin) != 0) {
        *message = str_printf("cannot move %s to %s: %s", linked, bin, strerror(errno));
        rc = -1;
    }
out:
    link_inputs_free(&in);
    free(linked);
    free(obj_dir);
    free(ex_dir);
    return rc;
}

int build_program(const struct build_ctx *b, const struct wb_chapter *ch,
                  const struct wb_program *p, const char *bin, const char *log_path, char **message)
{
    return run_compiler(b, build_command(b, ch, p->sources, p->nsources, bin, false), NULL, NULL,
                        log_path, message);
}

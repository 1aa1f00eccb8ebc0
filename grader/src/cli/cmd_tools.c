/*
 * cmd_tools.c - authoring and editor commands: `skeletons`, `build`
 * (runnable example programs), `compdb` (compile_commands.json) and `cache`
 * (the instructor's objects, compiled ahead of grading).
 */
#include "commands.h"
#include "pipeline.h"
#include "skeleton.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_skeletons(int argc, char **argv)
{
    bool check = argc > 1 && strcmp(argv[1], "--check") == 0;
    if (argc > 1 && !check) {
        fprintf(stderr, "usage: wirebook skeletons [--check]\n");
        return 2;
    }
    struct wb_manifest m;
    if (load_course(NULL, &m) != 0)
        return 2;
    int problems = skeleton_sync(&m, check, stderr);
    if (problems == 0)
        printf("skeletons: chapters/ %s solutions/\n", check ? "matches" : "regenerated from");
    manifest_free(&m);
    return problems ? 1 : 0;
}

/* A build context for a chapter: over the course's own chapters/ folder, or,
 * when submission is set, over a copy staged as the grader stages it. */
static int chapter_ctx(const struct wb_manifest *m, const struct wb_chapter *ch,
                       const char *submission, const char *out, struct build_ctx *b, char **work,
                       char **gen)
{
    char err[4096] = "";
    int rc = -1;
    if (submission)
        *work = str_printf("%s/%s/src", out, ch->id);
    else
        *work = str_printf("%s/chapters/%s", m->root, ch->id);
    *gen = str_printf("%s/%s/gen", out, ch->id);
    char *log = str_printf("%s/%s/prepare.log", out, ch->id);
    char *dir = str_printf("%s/%s", out, ch->id);
    if (!*work || !*gen || !log || !dir || mkdir_p(dir) != 0)
        snprintf(err, sizeof err, "cannot create %s", dir ? dir : out);
    else if (submission && stage_chapter(m, ch, submission, *work, err, sizeof err) != 0)
        ;
    else
        rc = build_ctx_init(b, m, ch, *work, *gen, false, false, log, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "wirebook: chapter %s: %s\n", ch->id, err);
    free(log);
    free(dir);
    return rc;
}

int cmd_build(int argc, char **argv)
{
    const char *submission_arg = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--submission") == 0 && i + 1 < argc) {
            submission_arg = argv[++i];
        } else {
            fprintf(stderr, "usage: wirebook build [--submission DIR]\n\n"
                            "Builds the runnable programs of every chapter into build/bin/ from\n"
                            "chapters/, or into build/programs/bin/ from a submission laid out\n"
                            "like chapters/ (e.g. solutions, for `make bench`).\n");
            return 2;
        }
    }
    struct wb_manifest m;
    if (load_course(NULL, &m) != 0)
        return 2;
    char *submission = submission_arg ? stage_submission_dir(submission_arg) : NULL;
    if (submission_arg && !submission) {
        fprintf(stderr, "wirebook build: submission %s: no such folder\n", submission_arg);
        manifest_free(&m);
        return 2;
    }
    char *out = str_printf("%s/build/%s", m.root, submission ? "programs" : "gen");
    char *bin_root = str_printf("%s/build/%s", m.root, submission ? "programs/bin" : "bin");
    int failed = 0;
    for (size_t i = 0; out && bin_root && i < m.nchapters; i++) {
        const struct wb_chapter *ch = &m.chapters[i];
        if (ch->nprograms == 0)
            continue;
        struct build_ctx b;
        char *work = NULL, *gen = NULL;
        char *bin_dir = path_join(bin_root, ch->id);
        if (!bin_dir || mkdir_p(bin_dir) != 0 ||
            chapter_ctx(&m, ch, submission, out, &b, &work, &gen) != 0) {
            failed++;
        } else {
            for (size_t k = 0; k < ch->nprograms; k++) {
                const struct wb_program *p = &ch->programs[k];
                char *bin = path_join(bin_dir, p->name);
                char *log = str_printf("%s/%s.log", bin_dir, p->name);
                char *message = NULL;
                if (!bin || !log || build_program(&b, ch, p, bin, log, &message) != 0) {
                    fprintf(stderr, "wirebook: %s/%s %s\n", ch->id, p->name,
                            message ? message : "could not be built");
                    failed++;
                } else {
                    printf("built %s\n", bin);
                }
                free(message);
                free(bin);
                free(log);
            }
            build_ctx_free(&b);
        }
        free(work);
        free(gen);
        free(bin_dir);
    }
    free(submission);
    free(out);
    free(bin_root);
    manifest_free(&m);
    return failed ? 1 : 0;
}

int cmd_cache(int argc, char **argv)
{
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else {
            fprintf(stderr, "usage: wirebook cache [--only CHAPTER]\n\n"
                            "Compiles the instructor's side of every exercise (tests, fixtures,\n"
                            "course sources, standins, generated code), plain and sanitized, into\n"
                            "build/cache, as grading would on its first run: for an autograder\n"
                            "image, or before a batch. Grading fills the cache by itself too.\n");
            return 2;
        }
    }
    if (!object_cache_wanted()) {
        fprintf(stderr, "wirebook cache: WIREBOOK_OBJECT_CACHE=off: nothing to do\n");
        return 2;
    }
    struct wb_manifest m;
    if (load_course(NULL, &m) != 0)
        return 2;
    char *out = str_printf("%s/build/gen", m.root);
    int missing = 0, chapters = 0;
    for (size_t i = 0; out && i < m.nchapters; i++) {
        const struct wb_chapter *ch = &m.chapters[i];
        if (only && strcmp(only, ch->id) != 0)
            continue;
        chapters++;
        struct build_ctx b = {0};
        char *work = NULL, *gen = NULL;
        if (chapter_ctx(&m, ch, NULL, out, &b, &work, &gen) != 0 || !b.cache_dir) {
            fprintf(stderr, "wirebook cache: chapter %s: the cache cannot be used\n", ch->id);
            missing++;
        } else {
            for (size_t k = 0; k < ch->nexercises; k++) {
                struct build_ctx sanitized = b;
                sanitized.sanitize = true;
                missing += build_cache_exercise(&b, &ch->exercises[k]) +
                           build_cache_exercise(&sanitized, &ch->exercises[k]);
            }
            printf("cache: %s ready\n", ch->id);
        }
        build_ctx_free(&b);
        free(work);
        free(gen);
    }
    if (only && chapters == 0)
        fprintf(stderr, "wirebook cache: no chapter %s in manifest.json\n", only);
    if (missing)
        fprintf(stderr,
                "wirebook cache: %d object(s) could not be cached (each grade compiles them; "
                "see the chapters' compile logs)\n",
                missing);
    free(out);
    manifest_free(&m);
    return (only && chapters == 0) || missing ? 1 : 0;
}

/* One compile_commands.json entry for file (absolute, or relative to the chapter). */
static int add_entry(json_t *db, const struct build_ctx *b, const struct wb_chapter *ch,
                     const char *file)
{
    const char *one[] = {file};
    char **argv = build_command(b, ch, one, 1, NULL, false);
    if (!argv)
        return -1;
    json_t *args = json_array();
    /* Keep only the compile part: flags up to and including the source. */
    char *path = file[0] == '/' ? strdup(file) : path_join(b->work_dir, file);
    for (size_t i = 0; args && path && argv[i]; i++) {
        json_array_append_new(args, json_string(argv[i]));
        if (strcmp(argv[i], path) == 0)
            break;
    }
    json_array_insert_new(args, 1, json_string("-c"));
    int rc = json_array_append_new(db, json_pack("{s:s, s:s, s:o}", "directory", b->course_root,
                                                 "file", path, "arguments", args));
    free(path);
    free_argv(argv);
    return rc;
}

int cmd_compdb(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: wirebook compdb\n");
        return 2;
    }
    struct wb_manifest m;
    if (load_course(NULL, &m) != 0)
        return 2;
    json_t *db = json_array();
    char *gen_root = path_join(m.root, "build/gen");
    int rc = db && gen_root ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < m.nchapters; i++) {
        const struct wb_chapter *ch = &m.chapters[i];
        struct build_ctx b;
        char *work = NULL, *gen = NULL;
        if (chapter_ctx(&m, ch, NULL, gen_root, &b, &work, &gen) != 0) {
            rc = -1;
        } else {
            for (size_t k = 0; rc == 0 && k < ch->nexercises; k++) {
                const struct wb_exercise *e = &ch->exercises[k];
                char *test = str_printf("tests/test_%s.c", e->id);
                rc = test ? add_entry(db, &b, ch, test) : -1;
                free(test);
                for (size_t f = 0; rc == 0 && f < e->nfiles; f++) {
                    char *sol = str_printf("%s/solutions/%s/%s", m.root, ch->id, e->files[f]);
                    rc = sol ? add_entry(db, &b, ch, e->files[f]) : -1;
                    if (rc == 0)
                        rc = add_entry(db, &b, ch, sol);
                    free(sol);
                }
                for (size_t f = 0; rc == 0 && f < e->nsources; f++)
                    rc = add_entry(db, &b, ch, e->sources[f]);
            }
            for (size_t k = 0; rc == 0 && k < ch->nprograms; k++)
                for (size_t f = 0; rc == 0 && f < ch->programs[k].nsources; f++)
                    rc = add_entry(db, &b, ch, ch->programs[k].sources[f]);
            build_ctx_free(&b);
        }
        free(work);
        free(gen);
    }
    char *path = path_join(m.root, "compile_commands.json");
    char *text = rc == 0 ? json_dumps(db, JSON_INDENT(2)) : NULL;
    if (!text || !path || file_write_atomic(path, text, strlen(text)) != 0) {
        fprintf(stderr, "wirebook: cannot write compile_commands.json\n");
        rc = -1;
    } else {
        printf("wrote %s (%zu entries)\n", path, json_array_size(db));
    }
    free(text);
    free(path);
    free(gen_root);
    json_decref(db);
    manifest_free(&m);
    return rc == 0 ? 0 : 1;
}

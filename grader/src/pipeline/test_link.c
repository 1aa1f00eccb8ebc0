/*
 * test_link.c - the libraries a chapter's test binaries link statically.
 *
 * Criterion runs every test in a process of its own, started by executing
 * the test binary again, and tests start the student's programs the same
 * way (wb_main.c, --wb-program). Each start loads every shared library of
 * the binary, relocates it, has ASan map and scan it, and has Criterion open
 * each library file to look for tests in it. gRPC brings about fifty
 * libraries (its core, abseil, upb...): a sanitized start of chapter 07's
 * test binary took 67 ms with them shared and 39 ms with them linked in,
 * and a grading starts such binaries a few hundred times. The link itself
 * costs about 0.1 s more, once per exercise.
 *
 * So the test binaries link the modules a chapter lists in the manifest's
 * "static_in_tests" from their archives (Debian's -dev packages ship them),
 * when every archive is there; otherwise, and for every other program, the
 * libraries stay shared. The student's own builds (the chapters' Makefiles)
 * do not change. A test that replaces a library function and calls the
 * library's own through dlsym(RTLD_NEXT) (02_grpc's tests do, to watch how
 * the student waits) needs that library shared: its chapter does not list
 * it.
 */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the archives of a module's `pkg-config --static --libs` need that
 * its .pc file does not list (Debian 12's grpc_unsecure.pc leaves out upb,
 * address_sorting, c-ares and re2), and the shared libraries those archives
 * call into. Modules not listed here need nothing more. */
struct archive_needs {
    const char *module;
    const char *forgotten;
    const char *shared_needs;
};

static const struct archive_needs archive_needs[] = {
    {"grpc_unsecure", "-lupb -laddress_sorting -lcares -lre2", "-lz -lstdc++ -lm"},
};

static const struct archive_needs *needs_of(const char *module)
{
    for (size_t i = 0; i < sizeof archive_needs / sizeof *archive_needs; i++)
        if (strcmp(archive_needs[i].module, module) == 0)
            return &archive_needs[i];
    return NULL;
}

static bool in_list(char **list, const char *s)
{
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

/* The folders the linker searches for -lNAME: the "libraries: =A:B:..."
 * line of `CC -print-search-dirs` (pkg-config's libdir is not one: Debian's
 * grpc_unsecure.pc says /usr/lib, the archives are in its multiarch folder). */
static char **library_dirs(void)
{
    const char *cc = getenv("CC");
    char *cmd = str_printf("'%s' -print-search-dirs 2>/dev/null", cc && *cc ? cc : "cc");
    int status = -1;
    char *out = cmd ? build_shell_output(cmd, &status) : NULL;
    free(cmd);
    char *line = out && status == 0 ? strstr(out, "libraries: =") : NULL;
    struct argv_builder l = {0};
    if (line) {
        line += strlen("libraries: =");
        line[strcspn(line, "\n")] = '\0';
        char *save = NULL;
        for (char *dir = strtok_r(line, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
            argv_add(&l, dir);
    }
    free(out);
    return argv_finish(&l);
}

/* True when, for every -lNAME of flags, one of dirs holds libNAME.a. */
static bool archives_present(char **dirs, char **flags)
{
    for (size_t i = 0; flags && flags[i]; i++) {
        if (strncmp(flags[i], "-l", 2) != 0)
            continue;
        bool there = false;
        for (size_t d = 0; dirs && dirs[d] && !there; d++) {
            char *archive = str_printf("%s/lib%s.a", dirs[d], flags[i] + 2);
            there = archive && access(archive, R_OK) == 0;
            free(archive);
        }
        if (!there)
            return false;
    }
    return true;
}

/* What `pkg-config ARGS` prints (through the cache), split; NULL when it fails. */
static char **pkg_config_words(const char *course_root, const char *args)
{
    char *cmd = str_printf("pkg-config %s 2>/dev/null", args);
    int status = -1;
    char *out = cmd ? object_cache_pkg_config(course_root, cmd, &status) : NULL;
    free(cmd);
    if (!out || status != 0) {
        free(out);
        return NULL;
    }
    struct argv_builder l = {0};
    argv_add_words(&l, out);
    free(out);
    return argv_finish(&l);
}

char **test_link_flags(const char *course_root, const struct wb_chapter *ch, char **pkg_flags)
{
    struct strbuf modules = {0}, forgotten = {0}, shared = {0};
    for (size_t i = 0; i < ch->nstatic_in_tests; i++) {
        sb_printf(&modules, " '%s'", ch->static_in_tests[i]);
        const struct archive_needs *needs = needs_of(ch->static_in_tests[i]);
        if (needs) {
            sb_printf(&forgotten, " %s", needs->forgotten);
            sb_printf(&shared, " %s", needs->shared_needs);
        }
    }
    char **result = NULL;
    if (!modules.data) { /* the chapter lists none */
        sb_free(&forgotten);
        sb_free(&shared);
        return NULL;
    }
    char *static_args = str_printf("--static --libs%s", modules.data);
    char **static_libs = static_args ? pkg_config_words(course_root, static_args) : NULL;
    char **dirs = static_libs ? library_dirs() : NULL;
    struct argv_builder extra = {0};
    if (forgotten.data)
        argv_add_words(&extra, forgotten.data);
    if (static_libs && dirs && !extra.failed && archives_present(dirs, static_libs) &&
        archives_present(dirs, extra.items)) {
        struct argv_builder l = {0};
        /* the chapter's flags, less what now comes from the archives */
        for (size_t i = 0; pkg_flags && pkg_flags[i]; i++)
            if (!in_list(static_libs, pkg_flags[i]))
                argv_add(&l, pkg_flags[i]);
        /* a group: the archives need one another in no single order */
        argv_add(&l, "-Wl,--start-group,-Bstatic");
        for (size_t i = 0; static_libs[i]; i++)
            if (strncmp(static_libs[i], "-l", 2) == 0)
                argv_add(&l, static_libs[i]);
        for (size_t i = 0; extra.items && extra.items[i]; i++)
            argv_add(&l, extra.items[i]);
        argv_add(&l, "-Wl,--end-group,-Bdynamic");
        if (shared.data)
            argv_add_words(&l, shared.data);
        result = argv_finish(&l);
    }
    free_argv(extra.items);
    free_argv(static_libs);
    free_argv(dirs);
    free(static_args);
    sb_free(&modules);
    sb_free(&forgotten);
    sb_free(&shared);
    return result;
}

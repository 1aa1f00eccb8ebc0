/*
 * screen.c - looks into a student's compiled files before their tests run.
 *
 * Some things in a student file would run outside any test, or end or leave
 * the test process, where the grader's checks cannot see them: a constructor
 * or destructor runs inside the test runner and could rewrite the report it
 * writes at exit; exit(0) in a test ends it before its assertions; fork()
 * leaves a process that could outlive the runner; dlsym()/syscall() reach any
 * of these by another name. None of them is needed by an exercise.
 *
 * How: each student file of the exercise is compiled on its own with `-c`
 * (without sanitizers, whose module constructors would be flagged), and the
 * object is read as ELF: a section of type INIT_ARRAY / FINI_ARRAY /
 * PREINIT_ARRAY or named .ctors / .dtors is a constructor or destructor, and
 * an undefined symbol from the list below is a call the file may not make.
 * A flagged exercise is not run and scores zero, with a message that says
 * which file and what was found. Screening is a first fence, not the only
 * one: code that evades it (an inline `syscall` instruction) still meets the
 * runner's checks, the limits and the process sweep of proc.c.
 */
#include "pipeline.h"

#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if UINTPTR_MAX > 0xffffffffu
typedef Elf64_Ehdr elf_ehdr;
typedef Elf64_Shdr elf_shdr;
typedef Elf64_Sym elf_sym;
#define ELF_NATIVE_CLASS ELFCLASS64
#else
typedef Elf32_Ehdr elf_ehdr;
typedef Elf32_Shdr elf_shdr;
typedef Elf32_Sym elf_sym;
#define ELF_NATIVE_CLASS ELFCLASS32
#endif

extern char **environ;

#define SCREEN_COMPILE_TIMEOUT_MS 180000

static const struct {
    const char *symbol;
    const char *why;
} forbidden[] = {
    {"exit", "ends the test process before its checks"},
    {"_exit", "ends the test process before its checks"},
    {"_Exit", "ends the test process before its checks"},
    {"quick_exit", "ends the test process before its checks"},
    {"atexit", "runs code after the tests, where the report is written"},
    {"at_quick_exit", "runs code after the tests, where the report is written"},
    {"on_exit", "runs code after the tests, where the report is written"},
    {"__cxa_atexit", "runs code after the tests, where the report is written"},
    {"fork", "starts a process that could outlive the tests"},
    {"vfork", "starts a process that could outlive the tests"},
    {"clone", "starts a process that could outlive the tests"},
    {"clone3", "starts a process that could outlive the tests"},
    {"posix_spawn", "starts a process that could outlive the tests"},
    {"posix_spawnp", "starts a process that could outlive the tests"},
    {"system", "starts a process that could outlive the tests"},
    {"popen", "starts a process that could outlive the tests"},
    {"daemon", "starts a process that could outlive the tests"},
    {"execl", "replaces the test process"},
    {"execle", "replaces the test process"},
    {"execlp", "replaces the test process"},
    {"execv", "replaces the test process"},
    {"execve", "replaces the test process"},
    {"execvp", "replaces the test process"},
    {"execvpe", "replaces the test process"},
    {"execveat", "replaces the test process"},
    {"fexecve", "replaces the test process"},
    {"kill", "signals other processes"},
    {"killpg", "signals other processes"},
    {"tgkill", "signals other processes"},
    {"sigqueue", "signals other processes"},
    {"setsid", "leaves the grader's process group"},
    {"setpgid", "leaves the grader's process group"},
    {"setpgrp", "leaves the grader's process group"},
    {"ptrace", "inspects other processes"},
    {"prctl", "changes how the process is managed"},
    {"unshare", "changes the process's namespaces"},
    {"setns", "changes the process's namespaces"},
    {"syscall", "calls the kernel directly, around these checks"},
    {"dlopen", "loads code the checks have not seen"},
    {"dlsym", "looks up functions by name, around these checks"},
    {"dlvsym", "looks up functions by name, around these checks"},
};

static const char *forbidden_reason(const char *name)
{
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
        if (strcmp(forbidden[i].symbol, name) == 0)
            return forbidden[i].why;
    return NULL;
}

static bool is_constructor_section(const elf_shdr *sh, const char *name)
{
    if (sh->sh_type == SHT_INIT_ARRAY || sh->sh_type == SHT_FINI_ARRAY ||
        sh->sh_type == SHT_PREINIT_ARRAY)
        return true;
    static const char *names[] = {".init_array", ".fini_array", ".preinit_array", ".ctors",
                                  ".dtors",      ".init",       ".fini",          NULL};
    for (const char **n = names; *n; n++) {
        size_t len = strlen(*n);
        if (strncmp(name, *n, len) == 0 && (name[len] == '\0' || name[len] == '.'))
            return true;
    }
    return false;
}

/* A NUL-terminated string at offset off of a string table, or NULL. */
static const char *string_at(const char *data, size_t size, const elf_shdr *table, size_t off)
{
    if (table->sh_offset >= size || off >= table->sh_size ||
        table->sh_offset + table->sh_size > size)
        return NULL;
    const char *s = data + table->sh_offset + off;
    return memchr(s, '\0', table->sh_size - off) ? s : NULL;
}

char *screen_object(const char *path)
{
    size_t size = 0;
    char *data = file_read(path, &size);
    if (!data)
        return str_printf("cannot read the object file %s", path);
    struct strbuf found = {0};
    const elf_ehdr *eh = (const elf_ehdr *)data;
    if (size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_ident[EI_CLASS] != ELF_NATIVE_CLASS || eh->e_shentsize != sizeof(elf_shdr) ||
        eh->e_shoff >= size || eh->e_shnum > (size - eh->e_shoff) / sizeof(elf_shdr) ||
        eh->e_shstrndx >= eh->e_shnum) {
        free(data);
        return str_printf("%s is not an object file the grader can read", path);
    }
    const elf_shdr *sh = (const elf_shdr *)(data + eh->e_shoff);
    const elf_shdr *names = &sh[eh->e_shstrndx];
    bool constructor = false;
    for (size_t i = 0; i < eh->e_shnum; i++) {
        const char *name = string_at(data, size, names, sh[i].sh_name);
        if (!constructor && is_constructor_section(&sh[i], name ? name : "")) {
            constructor = true;
            sb_puts(&found, "\n  - a constructor or destructor (code that runs outside any "
                            "test, inside the test runner)");
        }
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum ||
            sh[i].sh_entsize != sizeof(elf_sym) || sh[i].sh_offset >= size ||
            sh[i].sh_size > size - sh[i].sh_offset)
            continue;
        const elf_sym *syms = (const elf_sym *)(data + sh[i].sh_offset);
        size_t nsyms = sh[i].sh_size / sizeof(elf_sym);
        for (size_t k = 0; k < nsyms; k++) {
            if (syms[k].st_shndx != SHN_UNDEF || syms[k].st_name == 0)
                continue;
            const char *sym = string_at(data, size, &sh[sh[i].sh_link], syms[k].st_name);
            const char *why = sym ? forbidden_reason(sym) : NULL;
            if (why)
                sb_printf(&found, "\n  - calls %s(): %s", sym, why);
        }
    }
    free(data);
    return found.len ? sb_take(&found) : NULL;
}

/* The object gcc -c writes for source: its base name with .c -> .o. */
static char *object_name(const char *dir, const char *source)
{
    const char *base = strrchr(source, '/') ? strrchr(source, '/') + 1 : source;
    size_t n = strlen(base);
    if (n > 2 && strcmp(base + n - 2, ".c") == 0)
        n -= 2;
    return str_printf("%s/%.*s.o", dir, (int)n, base);
}

/* Compiles one student file into dir; 0 when the object is there. */
static int compile_alone(const struct build_ctx *b, const struct wb_chapter *ch, const char *file,
                         const char *dir, const char *log_path)
{
    struct build_ctx plain = *b;
    plain.sanitize = false;
    plain.werror = false;
    char **argv = build_command(&plain, ch, &file, 1, NULL, false);
    size_t n = 0;
    while (argv && argv[n])
        n++;
    char **grown = argv ? realloc(argv, (n + 2) * sizeof *grown) : NULL;
    if (!grown) {
        free_argv(argv);
        return -1;
    }
    grown[n] = strdup("-c");
    grown[n + 1] = NULL;
    struct proc_spec spec = {.argv = grown,
                             .envp = environ,
                             .cwd = dir,
                             .output_path = log_path,
                             .timeout_ms = SCREEN_COMPILE_TIMEOUT_MS};
    struct proc_outcome o;
    int rc = grown[n] && proc_run(&spec, &o) == 0 && o.exit_code == 0 ? 0 : -1;
    free_argv(grown);
    return rc;
}

char *screen_exercise(const struct build_ctx *b, const struct wb_exercise *e, const char *dir,
                      const char *log_path)
{
    if (mkdir_p(dir) != 0)
        return str_printf("cannot create %s to screen the student files", dir);
    struct strbuf sb = {0};
    for (size_t i = 0; i < e->nfiles; i++) {
        /* A file that does not compile alone is left to the build, which
         * reports the compiler's message. */
        if (compile_alone(b, e->chapter, e->files[i], dir, log_path) != 0)
            continue;
        char *obj = object_name(dir, e->files[i]);
        char *found = obj ? screen_object(obj) : strdup("out of memory");
        if (found)
            sb_printf(&sb, "%s%s/%s:%s", sb.len ? "\n" : "", e->chapter->id, e->files[i], found);
        free(found);
        free(obj);
    }
    if (sb.len == 0)
        return NULL;
    sb_puts(&sb, "\nStudent files may not contain these (they could change how the tests run "
                 "or are scored), so this exercise was not run. Remove them and grade again.");
    return sb_take(&sb);
}

/*
 * screen.c - compiles a student's files and looks into the objects before
 * anything of them runs; the objects it passed are the ones build.c links.
 *
 * Student code is linked into the test binary, next to the runner that
 * decides the verdict, so an object may only bring functions, never change
 * how the runner works:
 *   - each student file is compiled once, in the staged chapter (so
 *     `__has_include` and relative includes see exactly what the build
 *     sees), inside the sandbox (sandbox.c), where solutions/ and the rest
 *     of the course do not exist;
 *   - every global symbol the object defines is made local unless a header
 *     of the chapter declares it (objcopy --keep-global-symbols): a student
 *     cannot replace main, wb_report_write, json_dumpf or a criterion_*
 *     function, because a local symbol never satisfies another object;
 *   - then that same object is read: a constructor or destructor section, an
 *     IFUNC symbol (its resolver runs when the binary loads), an executable
 *     stack, a raw syscall / int 0x80 / sysenter instruction (objdump), or a
 *     call outside the chapter's allowlist refuses the exercise.
 * The allowlist is a libc subset (no exit, fork, exec, kill, mmap...), the
 * functions of the chapter's libraries (by prefix: curl_, MHD_, json_,
 * grpc_, amqp_, rd_kafka_...) and whatever the chapter's headers declare;
 * never criterion_*, cr_*, wb_*, dl* or syscall.
 *
 * Why headers and not the manifest: the headers are the exercise's contract
 * (what the tests call), they are the instructor's copies staged from the
 * course, and an identifier that appears in them is exactly what another
 * object may need; a name like main or wb_report_write never does.
 * A refused exercise is not run and scores zero, with a message naming the
 * file and what was found.
 */
#include "pipeline.h"

#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#if UINTPTR_MAX > 0xffffffffu
typedef Elf64_Ehdr elf_ehdr;
typedef Elf64_Shdr elf_shdr;
typedef Elf64_Sym elf_sym;
typedef Elf64_Rela elf_rela;
#define ELF_NATIVE_CLASS ELFCLASS64
#define ELF_ST_TYPE_ ELF64_ST_TYPE
#define ELF_ST_BIND_ ELF64_ST_BIND
#define ELF_R_SYM_ ELF64_R_SYM
#else
typedef Elf32_Ehdr elf_ehdr;
typedef Elf32_Shdr elf_shdr;
typedef Elf32_Sym elf_sym;
typedef Elf32_Rela elf_rela;
#define ELF_NATIVE_CLASS ELFCLASS32
#define ELF_ST_TYPE_ ELF32_ST_TYPE
#define ELF_ST_BIND_ ELF32_ST_BIND
#define ELF_R_SYM_ ELF32_R_SYM
#endif

/* Calls refused with a reason a student understands. */
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
    {"mprotect", "makes memory executable: code the checks have not seen"},
    {"mmap", "maps memory that could hold code the checks have not seen"},
};

/* Prefixes no student object may call or define: the test runner's and the
 * test kit's own functions, the dynamic loader. */
static const char *never_prefixes[] = {"criterion_", "cr_", "wb_", "dl", "_dl", NULL};

/* The libc subset exercises may call ('*' ends a prefix). */
static const char *libc_allowed[] = {
    /* memory and strings */
    "malloc", "calloc", "realloc", "reallocarray", "free", "aligned_alloc", "posix_memalign",
    "memcpy", "memmove", "memset", "memcmp", "memchr", "memrchr", "memmem", "strlen", "strnlen",
    "strcpy", "strncpy", "strcat", "strncat", "strcmp", "strncmp", "strcasecmp", "strncasecmp",
    "strchr", "strrchr", "strstr", "strcasestr", "strdup", "strndup", "strtok", "strtok_r",
    "strspn", "strcspn", "strpbrk", "strerror", "strerror_r", "__xpg_strerror_r", "strsignal",
    "stpcpy", "stpncpy", "strsep", "explicit_bzero", "bzero", "strtol", "strtoul", "strtoll",
    "strtoull", "strtod", "strtof", "strtold", "strtoimax", "strtoumax", "atoi", "atol", "atoll",
    "atof", "qsort", "bsearch", "abs", "labs", "llabs", "div", "rand", "srand", "rand_r", "random",
    "srandom", "getenv", "secure_getenv", "abort", "getrandom",
    /* characters */
    "isalnum", "isalpha", "isblank", "iscntrl", "isdigit", "isgraph", "islower", "isprint",
    "ispunct", "isspace", "isupper", "isxdigit", "toupper", "tolower", "__ctype_b_loc",
    "__ctype_tolower_loc", "__ctype_toupper_loc",
    /* stdio */
    "printf", "fprintf", "sprintf", "snprintf", "vprintf", "vfprintf", "vsprintf", "vsnprintf",
    "dprintf", "vdprintf", "asprintf", "vasprintf", "puts", "fputs", "fputc", "putc", "putchar",
    "fwrite", "fread", "fgets", "fgetc", "getc", "getline", "getdelim", "fflush", "fopen", "fclose",
    "fdopen", "fmemopen", "open_memstream", "fseek", "ftell", "rewind", "fileno", "feof", "ferror",
    "clearerr", "perror", "sscanf", "fscanf", "vsscanf", "setvbuf", "ungetc", "stdout", "stderr",
    "stdin", "__isoc99_*", "__isoc23_*",
    /* time */
    "time", "clock_gettime", "gettimeofday", "nanosleep", "usleep", "sleep", "localtime_r",
    "gmtime_r", "gmtime", "localtime", "mktime", "timegm", "strftime", "strptime", "difftime",
    "clock",
    /* files and descriptors */
    "read", "write", "close", "pipe", "pipe2", "dup", "dup2", "fcntl", "fcntl64", "poll", "ppoll",
    "select", "pselect", "lseek", "getpid", "isatty", "open", "open64", "openat", "stat", "fstat",
    "lstat", "stat64", "fstat64", "access", "unlink", "eventfd", "epoll_create", "epoll_create1",
    "epoll_ctl", "epoll_wait", "errno", "__errno_location",
    /* sockets and names */
    "socket", "bind", "listen", "accept", "accept4", "connect", "send", "recv", "sendto",
    "recvfrom", "sendmsg", "recvmsg", "setsockopt", "getsockopt", "getsockname", "getpeername",
    "shutdown", "socketpair", "getaddrinfo", "freeaddrinfo", "gai_strerror", "getnameinfo",
    "inet_pton", "inet_ntop", "inet_addr", "inet_ntoa", "htons", "htonl", "ntohs", "ntohl",
    /* threads and signals */
    "pthread_*", "sem_init", "sem_wait", "sem_trywait", "sem_timedwait", "sem_post", "sem_destroy",
    "signal", "sigaction", "sigemptyset", "sigaddset", "sigfillset", "sigdelset", "sigprocmask",
    "raise", "sched_yield",
    /* maths */
    "fabs", "floor", "ceil", "sqrt", "pow", "fmin", "fmax", "round", "lround", "log", "exp", "fmod",
    /* what the compiler itself calls */
    "__stack_chk_fail", "__stack_chk_guard", "__assert_fail", "__assert_perror_fail", "__atomic_*",
    "__sync_*", "_GLOBAL_OFFSET_TABLE_", "__tls_get_addr", "__*_chk", "__fdelt_chk", NULL};

/* Functions of the libraries a chapter links, by pkg-config module. */
static const struct {
    const char *module;
    const char *prefixes[4];
} library_prefixes[] = {
    {"libcurl", {"curl_", NULL}},
    {"libmicrohttpd", {"MHD_", NULL}},
    {"jansson", {"json_", "jansson_"}},
    {"grpc", {"grpc_", "gpr_"}},
    {"grpc_unsecure", {"grpc_", "gpr_"}},
    {"gpr", {"gpr_"}},
    {"libprotobuf-c", {"protobuf_c_"}},
    {"librabbitmq", {"amqp_"}},
    {"rdkafka", {"rd_kafka_"}},
    /* libnats: natsConnection_*, natsMsg_*, nats_Close, js_*, jsCtx_*, ... */
    {"libnats", {"nats", "js"}},
    /* hiredis: redisConnect*, redisCommand*, redisFree, freeReplyObject */
    {"hiredis", {"redis", "freeReplyObject"}},
};

static const char *forbidden_reason(const char *name)
{
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
        if (strcmp(forbidden[i].symbol, name) == 0)
            return forbidden[i].why;
    for (const char **p = never_prefixes; *p; p++)
        if (strncmp(name, *p, strlen(*p)) == 0)
            return "belongs to the test runner or the loader, not to an exercise";
    return NULL;
}

/* name matches a list entry: exact, "pre*", or "__*_chk" (fortified libc). */
static bool in_list(const char *const *list, const char *name)
{
    for (const char *const *p = list; *p; p++) {
        size_t n = strlen(*p);
        if (strcmp(*p, "__*_chk") == 0) {
            size_t len = strlen(name);
            if (len > 6 && strncmp(name, "__", 2) == 0 && strcmp(name + len - 4, "_chk") == 0)
                return true;
        } else if (n > 0 && (*p)[n - 1] == '*') {
            if (strncmp(name, *p, n - 1) == 0)
                return true;
        } else if (strcmp(*p, name) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- what an exercise may call and export -------------------------------- */

struct names {
    char **items;
    size_t n, cap;
};

static void names_add(struct names *s, const char *name, size_t len)
{
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->items[i]) == len && strncmp(s->items[i], name, len) == 0)
            return;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        char **grown = realloc(s->items, cap * sizeof *grown);
        if (!grown)
            return;
        s->items = grown;
        s->cap = cap;
    }
    char *copy = strndup(name, len);
    if (copy)
        s->items[s->n++] = copy;
}

static bool names_has(const struct names *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->items[i], name) == 0)
            return true;
    return false;
}

static void names_free(struct names *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->items[i]);
    free(s->items);
    memset(s, 0, sizeof *s);
}

/* Adds every identifier of a C header, comments and strings left out. */
static void add_header_identifiers(struct names *s, const char *path)
{
    char *text = file_read(path, NULL);
    if (!text)
        return;
    for (char *p = text; *p;) {
        if (p[0] == '/' && p[1] == '*') {
            char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p);
        } else if (p[0] == '/' && p[1] == '/') {
            p += strcspn(p, "\n");
        } else if (*p == '"' || *p == '\'') {
            char quote = *p++;
            while (*p && *p != quote)
                p += (*p == '\\' && p[1]) ? 2 : 1;
            if (*p)
                p++;
        } else if (isalpha((unsigned char)*p) || *p == '_') {
            char *start = p;
            while (isalnum((unsigned char)*p) || *p == '_')
                p++;
            names_add(s, start, (size_t)(p - start));
        } else {
            p++;
        }
    }
    free(text);
}

/* Identifiers of every header in dir (not its subfolders). */
static void add_headers_of(struct names *s, const char *dir)
{
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (!str_ends_with(e->d_name, ".h"))
            continue;
        char *path = path_join(dir, e->d_name);
        if (path)
            add_header_identifiers(s, path);
        free(path);
    }
    if (d)
        closedir(d);
}

struct screen_rules {
    struct names declared; /* identifiers of the chapter's headers */
    const struct wb_chapter *chapter;
    bool sanitize;
};

/* A function of one of the chapter's libraries (curl_, json_, ...). */
static bool library_function(const struct screen_rules *r, const char *name)
{
    for (size_t m = 0; r->chapter && m < r->chapter->npkg_config; m++)
        for (size_t i = 0; i < sizeof library_prefixes / sizeof *library_prefixes; i++) {
            if (strcmp(library_prefixes[i].module, r->chapter->pkg_config[m]) != 0)
                continue;
            for (const char *const *p = library_prefixes[i].prefixes; *p; p++)
                if (strncmp(name, *p, strlen(*p)) == 0)
                    return true;
        }
    return false;
}

static bool call_allowed(const struct screen_rules *r, const char *name)
{
    if (in_list(libc_allowed, name) || names_has(&r->declared, name))
        return true;
    if (r->sanitize && (strncmp(name, "__asan_", 7) == 0 || strncmp(name, "__ubsan_", 8) == 0 ||
                        strncmp(name, "__sanitizer_", 12) == 0))
        return true;
    return library_function(r, name);
}

/* ---- the ELF object -------------------------------------------------------- */

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

static bool section_ok(const elf_shdr *sh, size_t size)
{
    return sh->sh_offset < size && sh->sh_size <= size - sh->sh_offset;
}

/* With sanitizers, the compiler adds its own module constructors: an
 * init/fini array is accepted when every entry points at one of them
 * (gcc names them _sub_I_00099_N / _sub_D_00099_N). */
static bool only_sanitizer_constructors(const char *data, size_t size, const elf_ehdr *eh,
                                        const elf_shdr *sh, size_t array_index)
{
    bool any = false;
    for (size_t i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_RELA || sh[i].sh_info != array_index ||
            !section_ok(&sh[i], size) || sh[i].sh_link >= eh->e_shnum ||
            !section_ok(&sh[sh[i].sh_link], size))
            continue;
        const elf_shdr *symtab = &sh[sh[i].sh_link];
        if (symtab->sh_link >= eh->e_shnum)
            return false;
        const elf_sym *syms = (const elf_sym *)(data + symtab->sh_offset);
        size_t nsyms = symtab->sh_size / sizeof(elf_sym);
        const elf_rela *rel = (const elf_rela *)(data + sh[i].sh_offset);
        for (size_t k = 0; k < sh[i].sh_size / sizeof(elf_rela); k++) {
            size_t idx = ELF_R_SYM_(rel[k].r_info);
            if (idx >= nsyms)
                return false;
            /* The entry names a section + offset: the function there. */
            if (ELF_ST_TYPE_(syms[idx].st_info) == STT_SECTION)
                for (size_t f = 0; f < nsyms; f++)
                    if (ELF_ST_TYPE_(syms[f].st_info) == STT_FUNC &&
                        syms[f].st_shndx == syms[idx].st_shndx &&
                        (int64_t)syms[f].st_value == (int64_t)rel[k].r_addend) {
                        idx = f;
                        break;
                    }
            const char *name = string_at(data, size, &sh[symtab->sh_link], syms[idx].st_name);
            if (!name || (strncmp(name, "_sub_I_00099_", 13) != 0 &&
                          strncmp(name, "_sub_D_00099_", 13) != 0))
                return false;
            any = true;
        }
    }
    return any;
}

static char *screen_elf(const char *path, const struct screen_rules *rules)
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
    bool constructor = false, ifunc = false;
    for (size_t i = 0; i < eh->e_shnum; i++) {
        const char *name = string_at(data, size, names, sh[i].sh_name);
        if (!constructor && is_constructor_section(&sh[i], name ? name : "") &&
            !(rules && rules->sanitize && only_sanitizer_constructors(data, size, eh, sh, i))) {
            constructor = true;
            sb_puts(&found, "\n  - a constructor or destructor (code that runs outside any "
                            "test, inside the test runner)");
        }
        if (name && strcmp(name, ".note.GNU-stack") == 0 && (sh[i].sh_flags & SHF_EXECINSTR))
            sb_puts(&found, "\n  - asks for an executable stack");
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum ||
            sh[i].sh_entsize != sizeof(elf_sym) || !section_ok(&sh[i], size))
            continue;
        const elf_sym *syms = (const elf_sym *)(data + sh[i].sh_offset);
        size_t nsyms = sh[i].sh_size / sizeof(elf_sym);
        for (size_t k = 0; k < nsyms; k++) {
            if (syms[k].st_name == 0)
                continue;
            const char *sym = string_at(data, size, &sh[sh[i].sh_link], syms[k].st_name);
            if (!sym)
                continue;
            if (ELF_ST_TYPE_(syms[k].st_info) == STT_GNU_IFUNC && !ifunc) {
                ifunc = true;
                sb_printf(&found,
                          "\n  - an IFUNC symbol (%s): its resolver runs when the "
                          "test binary loads, outside any test",
                          sym);
            }
            if (syms[k].st_shndx != SHN_UNDEF) {
                /* Defining a runner's name, even one made local, is a sign
                 * of intent: say so rather than leave it to the linker. */
                int type = ELF_ST_TYPE_(syms[k].st_info);
                if ((type == STT_FUNC || type == STT_OBJECT || type == STT_NOTYPE) &&
                    (strcmp(sym, "main") == 0 || forbidden_reason(sym) ||
                     (rules && library_function(rules, sym) && !names_has(&rules->declared, sym))))
                    sb_printf(&found,
                              "\n  - defines %s, a name only the test runner or the "
                              "C library may define",
                              sym);
                continue;
            }
            char base[256];
            snprintf(base, sizeof base, "%.*s", (int)strcspn(sym, "@"), sym); /* foo@VERSION */
            const char *why = forbidden_reason(base);
            if (why)
                sb_printf(&found, "\n  - calls %s(): %s", base, why);
            else if (rules && !call_allowed(rules, base))
                sb_printf(&found,
                          "\n  - calls %s(), which no exercise of this chapter needs "
                          "(only a subset of libc and the chapter's libraries)",
                          base);
        }
    }
    free(data);
    return found.len ? sb_take(&found) : NULL;
}

char *screen_object(const char *path)
{
    return screen_elf(path, NULL);
}

/* Raw kernel calls in the object's code, from objdump's disassembly. */
static char *screen_instructions(const struct build_ctx *b, const char *obj, const char *dir)
{
    char *listing = path_join(dir, "objdump.txt");
    char *argv[] = {"objdump", "-d", "--no-show-raw-insn", (char *)obj, NULL};
    struct proc_outcome o;
    char *found = NULL;
    if (!listing || build_run_tool(b, argv, dir, listing, &o) != 0 || o.exit_code != 0) {
        found = strdup("\n  - the grader could not disassemble it (is binutils installed?)");
        goto out;
    }
    /* Line by line: a listing can be large, and every line must be seen. */
    FILE *f = fopen(listing, "r");
    if (!f) {
        found = strdup("\n  - the grader could not read its disassembly");
        goto out;
    }
    static const char *raw[] = {"\tsyscall", "\tsysenter", "\tint    $0x80", "\tsysret", NULL};
    bool seen[sizeof raw / sizeof *raw] = {false};
    char line[4096];
    while (fgets(line, sizeof line, f))
        for (size_t r = 0; raw[r]; r++)
            if (!seen[r] && strstr(line, raw[r]))
                seen[r] = true;
    fclose(f);
    struct strbuf sb = {0};
    for (size_t r = 0; raw[r]; r++)
        if (seen[r])
            sb_printf(&sb, "\n  - a raw `%s` instruction: a kernel call around every check",
                      raw[r] + 1);
    found = sb.len ? sb_take(&sb) : NULL;
out:
    if (listing)
        remove(listing);
    free(listing);
    return found;
}

/* The object gcc -c writes for source: its base name with .c -> .o. */
char *screen_object_path(const char *dir, const char *source)
{
    const char *base = strrchr(source, '/') ? strrchr(source, '/') + 1 : source;
    size_t n = strlen(base);
    if (n > 2 && strcmp(base + n - 2, ".c") == 0)
        n -= 2;
    return str_printf("%s/%.*s.o", dir, (int)n, base);
}

/* Writes the names an object may keep global: its chapter's declarations. */
static char *write_keep_list(const struct screen_rules *rules, const char *dir)
{
    struct strbuf sb = {0};
    for (size_t i = 0; i < rules->declared.n; i++)
        if (!forbidden_reason(rules->declared.items[i]) &&
            strcmp(rules->declared.items[i], "main") != 0)
            sb_printf(&sb, "%s\n", rules->declared.items[i]);
    char *path = path_join(dir, "exports.txt");
    int rc = path ? file_write_atomic(path, sb.data ? sb.data : "", sb.len) : -1;
    sb_free(&sb);
    if (rc != 0) {
        free(path);
        return NULL;
    }
    return path;
}

/* The grader's own hostile corpus (grader/tests/hostile_test.sh) grades
 * some cases a second time with the checks below turned off, to prove that
 * the sandbox holds on its own when a trick gets past screening. Only whoever
 * starts the grader sets its environment; objects are still localized. */
static bool unscreened_for_tests(void)
{
    const char *v = getenv("WIREBOOK_UNSCREENED_FOR_TESTS");
    return v && strcmp(v, "1") == 0;
}

/* Several exercises of a chapter share a student file (07's pending.c is in
 * all six, 03's producer.c in three): compiled, rewritten and screened once
 * per run and mode, the object is kept here for the others (by the grader,
 * outside the sandbox; a file that has findings is not kept). NULL: do not
 * keep (the unscreened test mode). b->work_dir is OUT/CH/src. */
static char *kept_object_path(const struct build_ctx *b, const char *source)
{
    if (unscreened_for_tests())
        return NULL;
    const char *slash = strrchr(b->work_dir, '/');
    if (!slash)
        return NULL;
    char *dir = str_printf("%.*s/screened-%s", (int)(slash - b->work_dir), b->work_dir,
                           b->sanitize ? "sanitize" : "plain");
    char *path = dir && mkdir_p(dir) == 0 ? screen_object_path(dir, source) : NULL;
    free(dir);
    return path;
}

/* The lock on kept's making (kept.lock, flock: released if its holder
 * dies); -1 when it cannot be taken, and the caller compiles unlocked. */
static int lock_kept(const char *kept)
{
    char *path = str_printf("%s.lock", kept);
    int fd = path ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
    free(path);
    while (fd >= 0 && flock(fd, LOCK_EX) != 0)
        if (errno != EINTR) {
            close(fd);
            return -1;
        }
    return fd;
}

static void unlock_kept(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}

int screen_forget_kept(const char *chapter_out)
{
    char *plain = str_printf("%s/screened-plain", chapter_out);
    char *sanitize = str_printf("%s/screened-sanitize", chapter_out);
    int rc = plain && sanitize && remove_tree(plain) == 0 && remove_tree(sanitize) == 0 ? 0 : -1;
    free(plain);
    free(sanitize);
    return rc;
}

/* Keeps obj (a regular file the compiler wrote) at kept, atomically. */
static void keep_object(const char *obj, const char *kept)
{
    struct stat st;
    char *tmp = str_printf("%s.%ld.tmp", kept, (long)getpid());
    if (tmp && lstat(obj, &st) == 0 && S_ISREG(st.st_mode) && file_copy(obj, tmp) == 0 &&
        rename(tmp, kept) == 0) {
        free(tmp);
        return;
    }
    if (tmp)
        remove(tmp);
    free(tmp);
}

char *screen_exercise(const struct build_ctx *b, const struct wb_exercise *e, const char *dir,
                      const char *log_path)
{
    if (remove_tree(dir) != 0 || mkdir_p(dir) != 0)
        return str_printf("cannot create %s to screen the student files", dir);
    struct screen_rules rules = {.chapter = e->chapter, .sanitize = b->sanitize};
    add_headers_of(&rules.declared, b->work_dir);
    add_headers_of(&rules.declared, b->gen_dir);
    char *keep = write_keep_list(&rules, dir);
    struct strbuf sb = {0};
    for (size_t i = 0; keep && i < e->nfiles; i++) {
        char *obj = screen_object_path(dir, e->files[i]);
        if (!obj)
            break;
        char *kept = kept_object_path(b, e->files[i]);
        /* Exercises start side by side: the first to take the file's lock
         * compiles and screens it, the others wait for its object. */
        int lock = kept ? lock_kept(kept) : -1;
        if (kept && path_is_file(kept) && file_copy(kept, obj) == 0) {
            unlock_kept(lock); /* screened already, for another exercise */
            free(kept);
            free(obj);
            continue;
        }
        /* A file that does not compile leaves no object: the build reports
         * the compiler's message from the log. */
        if (build_student_object(b, e->files[i], obj, dir, log_path) != 0) {
            unlock_kept(lock);
            free(kept);
            free(obj);
            break;
        }
        char *keep_opt = str_printf("--keep-global-symbols=%s", keep);
        char *objcopy[] = {"objcopy", keep_opt, obj, NULL};
        struct proc_outcome o;
        char *found = NULL;
        if (!keep_opt || build_run_tool(b, objcopy, dir, log_path, &o) != 0 || o.exit_code != 0)
            found = strdup("\n  - the grader could not rewrite its symbols (objcopy failed)");
        if (!found && !unscreened_for_tests()) {
            char *in_elf = screen_elf(obj, &rules);
            char *in_code = screen_instructions(b, obj, dir);
            found = in_elf || in_code
                        ? str_printf("%s%s", in_elf ? in_elf : "", in_code ? in_code : "")
                        : NULL;
            free(in_elf);
            free(in_code);
        }
        if (found) {
            sb_printf(&sb, "%s%s/%s:%s", sb.len ? "\n" : "", e->chapter->id, e->files[i], found);
            remove(obj); /* never linked */
        } else if (kept) {
            keep_object(obj, kept);
        }
        unlock_kept(lock);
        free(kept);
        free(found);
        free(keep_opt);
        free(obj);
    }
    if (!keep)
        sb_puts(&sb, "cannot write the list of exported names");
    free(keep);
    names_free(&rules.declared);
    if (sb.len == 0)
        return NULL;
    sb_puts(&sb, "\nStudent files may not contain these (they could change how the tests run "
                 "or are scored), so this exercise was not run. Remove them and grade again.");
    return sb_take(&sb);
}

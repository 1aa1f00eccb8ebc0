/*
 * test_object_cache.c - the instructor objects' cache (object_cache.c) on a
 * small course of its own in TMPDIR: a hit is the object a fresh compile
 * gives, a changed header or mode is another entry, a corrupt entry is
 * compiled again, and a source that reads a student file is never cached.
 * (Graders filling one entry at once: `wirebook grade -j 2` twice, side by
 * side, on a cold cache; Criterion's workers cannot fork graders of their own.)
 */
#include "pipeline.h"
#include "wb_testkit.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

WB_SUITE(object_cache);

static const char *student_files[] = {"student.c"};
static struct wb_exercise exercise = {.id = "ex", .files = student_files, .nfiles = 1};
static struct wb_chapter chapter = {.id = "ch", .exercises = &exercise, .nexercises = 1};

/* A course root with chapters/ch/{shared.h, lib.c, student.c, reads_student.c}
 * and an empty testkit/ (malloc'd). */
static char *make_course(void)
{
    char *root = str_printf("%s/%s", wb_env_or("TMPDIR", "/tmp"), wb_unique_name("cache"));
    char *ch = str_printf("%s/chapters/ch", root);
    char *testkit = str_printf("%s/testkit", root);
    cr_assert(root && ch && testkit && mkdir_p(ch) == 0 && mkdir_p(testkit) == 0,
              "cannot create the course folders under %s", root);
    static const struct {
        const char *name, *text;
    } files[] = {
        {"shared.h", "#define ANSWER 42\n"},
        {"lib.c", "#include \"shared.h\"\nint answer(void) { return ANSWER; }\n"},
        {"student.c", "int student(void) { return 1; }\n"},
        {"reads_student.c", "#include \"student.c\"\nint twice(void) { return 2 * student(); }\n"},
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *path = path_join(ch, files[i].name);
        cr_assert(path && file_write_atomic(path, files[i].text, strlen(files[i].text)) == 0,
                  "cannot write %s", files[i].name);
        free(path);
    }
    free(ch);
    free(testkit);
    char *real = path_absolute(root);
    free(root);
    return real;
}

/* A course of its own and a build context on it, cache on. */
struct course {
    char *root;
    struct build_ctx b;
};

static void course_open(struct course *c)
{
    c->root = make_course();
    memset(&c->b, 0, sizeof c->b);
    c->b.course_root = c->root;
    cr_assert_eq(object_cache_init(&c->b, &chapter), 0, "the cache should be usable under %s",
                 c->root);
}

static void course_close(struct course *c)
{
    build_ctx_free(&c->b);
    (void)remove_tree(c->root);
    free(c->root);
}

static char *cached(const struct build_ctx *b, const char *name)
{
    char *src = path_join(b->course_chapter, name);
    char *obj = object_cache_get(b, &chapter, src);
    free(src);
    return obj;
}

static bool is_elf(const char *path)
{
    size_t len = 0;
    char *data = file_read(path, &len);
    bool elf = data && len > 4 &&
               memcmp(data,
                      "\x7f"
                      "ELF",
                      4) == 0;
    free(data);
    return elf;
}

Test(object_cache, second_lookup_hits_the_same_object)
{
    struct course c;
    course_open(&c);
    char *first = cached(&c.b, "lib.c");
    cr_assert(first && is_elf(first), "lib.c should be compiled into the cache");
    char *second = cached(&c.b, "lib.c");
    cr_assert(second && strcmp(first, second) == 0, "expected the same entry, got %s and %s", first,
              second ? second : "(none)");
    free(first);
    free(second);
    course_close(&c);
}

Test(object_cache, changed_header_or_mode_is_another_entry)
{
    struct course c;
    course_open(&c);
    char *before = cached(&c.b, "lib.c");
    char *header = path_join(c.b.course_chapter, "shared.h");
    cr_assert(header && file_write_atomic(header, "#define ANSWER 43\n", 18) == 0);
    char *after = cached(&c.b, "lib.c");
    cr_assert(before && after && strcmp(before, after) != 0,
              "a changed header must not hit the old object");
    c.b.sanitize = true;
    char *sanitized = cached(&c.b, "lib.c");
    cr_assert(sanitized && strcmp(sanitized, after) != 0,
              "the sanitized object must be its own entry");
    free(header);
    free(before);
    free(after);
    free(sanitized);
    course_close(&c);
}

Test(object_cache, corrupt_entry_is_compiled_again)
{
    struct course c;
    course_open(&c);
    char *obj = cached(&c.b, "lib.c");
    cr_assert(obj, "lib.c should be cached");
    cr_assert_eq(file_write_atomic(obj, "garbage", 7), 0);
    char *again = cached(&c.b, "lib.c");
    cr_assert(again && is_elf(again), "a corrupt object must be replaced by a fresh compile");
    free(obj);
    free(again);
    course_close(&c);
}

Test(object_cache, source_reading_a_student_file_is_not_cached)
{
    struct course c;
    course_open(&c);
    char *obj = cached(&c.b, "reads_student.c");
    cr_assert_null(obj,
                   "a source that includes a student file must be compiled with the exercise, "
                   "got %s",
                   obj ? obj : "");
    course_close(&c);
}

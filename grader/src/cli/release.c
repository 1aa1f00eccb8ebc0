/*
 * release.c - `wirebook release`: the student edition of the course.
 *
 * The instructor's tree is the source and keeps grading. A student edition
 * is what students receive: the chapters with their skeletons, the test kit,
 * the tool's sources, the public tests, lessons, hints and the quizzes, but
 *   - no solutions/ (nor its mistakes corpus), no grader self-tests;
 *   - no hidden tests: the tests the manifest marks "hidden" and the
 *     tests/hidden/ sources that hold them;
 *   - quizzes without their keys: each [x] becomes [ ] and the question
 *     keeps a salted SHA-256 of its answer instead (quiz_key.c), so the
 *     terminal quiz and the HTML page still check answers offline;
 *   - a manifest saying "edition": "student", so `wirebook solution` can say
 *     that the solutions are not part of it.
 * The GitHub Classroom workflow goes in as .github/workflows/grade.yml.
 */
#include "commands.h"
#include "manifest.h"
#include "quiz.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* What of the instructor's tree goes into the edition, by top-level name. */
static const char *const shipped[] = {"chapters",   "testkit",      "grader",   "quiz",
                                      "docs",       "scripts",      "Makefile", "README.md",
                                      ".gitignore", ".clang-format"};

static bool is_quiz_file(const struct wb_manifest *m, const char *rel)
{
    for (size_t i = 0; i < m->nquizzes; i++)
        if (strcmp(m->quizzes[i].file, rel) == 0)
            return true;
    return false;
}

/* copy_tree's filter: true for what stays out of the edition. */
static bool left_out(const char *rel, void *ctx)
{
    const struct wb_manifest *m = ctx;
    size_t top = strcspn(rel, "/");
    bool known = false;
    for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++)
        known |= strlen(shipped[i]) == top && strncmp(shipped[i], rel, top) == 0;
    if (!known)
        return true; /* solutions/, build/, .git, gradescope/, manifest.json ... */
    if (strcmp(rel, "grader/tests") == 0 || strcmp(rel, "scripts/selftest.sh") == 0 ||
        strcmp(rel, "scripts/bench.sh") == 0)
        return true; /* they grade or time solutions/ */
    const char *hidden = strstr(rel, "/tests/hidden");
    if (strncmp(rel, "chapters/", 9) == 0 && hidden && hidden[13] == '\0')
        return true;
    return is_quiz_file(m, rel); /* written without keys below */
}

/* The manifest without hidden tests and their sources, marked "student". */
static int write_manifest(const struct wb_manifest *m, const char *out, char *err, size_t errlen)
{
    json_t *copy = json_deep_copy(m->json);
    size_t i, k;
    json_t *ch, *ex;
    json_array_foreach(json_object_get(copy, "chapters"), i, ch)
    {
        json_array_foreach(json_object_get(ch, "exercises"), k, ex)
        {
            json_t *tests = json_object_get(ex, "tests");
            for (size_t t = json_array_size(tests); t-- > 0;)
                if (json_is_true(json_object_get(json_array_get(tests, t), "hidden")))
                    json_array_remove(tests, t);
            json_t *sources = json_object_get(ex, "sources");
            for (size_t s = json_array_size(sources); s-- > 0;)
                if (strncmp(json_string_value(json_array_get(sources, s)), "tests/hidden/", 13) ==
                    0)
                    json_array_remove(sources, s);
        }
    }
    char *path = path_join(out, "manifest.json");
    char *text = copy && json_object_set_new(copy, "edition", json_string("student")) == 0
                     ? json_dumps(copy, JSON_INDENT(2))
                     : NULL;
    char *with_newline = text ? str_printf("%s\n", text) : NULL;
    int rc = path && with_newline
                 ? file_write_atomic_or_say(path, with_newline, strlen(with_newline), err, errlen)
                 : -1;
    if (!path || !with_newline)
        snprintf(err, errlen, "out of memory writing the student manifest");
    free(path);
    free(text);
    free(with_newline);
    json_decref(copy);
    return rc;
}

/* True for a choice line marked right: "1. [x] ...", "- [X] ...". */
static char *right_mark(char *line)
{
    char *p = line + strspn(line, " \t");
    if (*p == '-' || *p == '*' || *p == '+')
        p++;
    else if (isdigit((unsigned char)*p) && (p += strspn(p, "0123456789"), *p == '.' || *p == ')'))
        p++;
    else
        return NULL;
    if (*p != ' ' && *p != '\t')
        return NULL;
    p += strspn(p, " \t");
    return p[0] == '[' && (p[1] == 'x' || p[1] == 'X') && p[2] == ']' ? p + 1 : NULL;
}

/* The id of a question comment line "<!-- id: q01; kind: single -->". */
static const struct quiz_question *comment_question(const struct quiz *quiz, const char *line)
{
    const char *id = strstr(line, "<!--") ? strstr(line, "id:") : NULL;
    if (!id)
        return NULL;
    id += 3;
    id += strspn(id, " ");
    char name[128];
    size_t n = strcspn(id, " ;,-");
    if (n == 0 || n >= sizeof name)
        return NULL;
    memcpy(name, id, n);
    name[n] = '\0';
    return quiz_find(quiz, name);
}

/* Rewrites one quiz: no [x], a key on each question's comment line. */
static int write_quiz(const struct wb_manifest *m, const struct wb_quiz *wq, const char *salt,
                      const char *out, char *err, size_t errlen)
{
    char *src = path_join(m->root, wq->file);
    char *dst = path_join(out, wq->file);
    struct quiz quiz = {0};
    char *text = src ? file_read_or_say(src, NULL, err, errlen) : NULL;
    struct strbuf sb = {0};
    int rc = -1;
    if (!text || !dst || quiz_parse_file(src, &quiz, err, errlen) != 0)
        goto out;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *mark = right_mark(line);
        if (mark)
            *mark = ' ';
        const struct quiz_question *q = comment_question(&quiz, line);
        char *close = q && q->kind != QUIZ_OPEN ? strstr(line, "-->") : NULL;
        char hex[65];
        if (close) {
            if (quiz_key_of(salt, q->full_id, quiz_correct_mask(q), hex) != 0) {
                snprintf(err, errlen, "%s: cannot compute the key of %s", src, q->full_id);
                goto out;
            }
            sb_printf(&sb, "%.*s; salt: %s; key: %s %s\n", (int)(close - line), line, salt, hex,
                      close);
        } else {
            sb_printf(&sb, "%s\n", line);
        }
    }
    if (!sb.data) {
        snprintf(err, errlen, "out of memory rewriting %s", src);
        goto out;
    }
    rc = file_write_atomic_or_say(dst, sb.data, sb.len, err, errlen);
    /* the edition's quiz must parse, and hold no answer in plain text */
    struct quiz check = {0};
    if (rc == 0 && quiz_parse_file(dst, &check, err, errlen) != 0)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < check.n_questions; i++)
        if (check.questions[i].kind != QUIZ_OPEN &&
            (!check.questions[i].key || quiz_correct_mask(&check.questions[i]) != 0)) {
            snprintf(err, errlen, "%s: question %s still has its answer", dst,
                     check.questions[i].id);
            rc = -1;
        }
    if (check.questions)
        quiz_free(&check);
out:
    if (quiz.questions)
        quiz_free(&quiz);
    sb_free(&sb);
    free(text);
    free(src);
    free(dst);
    return rc;
}

static int random_salt(char *salt, size_t len)
{
    unsigned char bytes[16];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) {
        fprintf(stderr, "wirebook release: getrandom: %s\n", strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < sizeof bytes && 2 * i + 2 < len; i++)
        snprintf(salt + 2 * i, 3, "%02x", bytes[i]);
    return 0;
}

static int make_edition(const struct wb_manifest *m, const char *out, const char *salt)
{
    char err[1024] = "";
    char *workflow_src = path_join(m->root, "gradescope/github-classroom.yml");
    char *workflow_dir = path_join(out, ".github/workflows");
    char *workflow_dst = workflow_dir ? path_join(workflow_dir, "grade.yml") : NULL;
    int rc = -1;
    if (!workflow_src || !workflow_dst)
        snprintf(err, sizeof err, "out of memory");
    else if (remove_tree(out) != 0 || copy_tree(m->root, out, left_out, (void *)m) != 0)
        snprintf(err, sizeof err, "cannot copy the course into %s: %s", out, strerror(errno));
    else if (write_manifest(m, out, err, sizeof err) != 0)
        ;
    else if (path_is_file(workflow_src) &&
             (mkdir_p(workflow_dir) != 0 || file_copy(workflow_src, workflow_dst) != 0))
        snprintf(err, sizeof err, "cannot write %s: %s", workflow_dst, strerror(errno));
    else
        rc = 0;
    for (size_t i = 0; rc == 0 && i < m->nquizzes; i++)
        rc = write_quiz(m, &m->quizzes[i], salt, out, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "wirebook release: %s\n", err);
    free(workflow_src);
    free(workflow_dir);
    free(workflow_dst);
    return rc;
}

int cmd_release(int argc, char **argv)
{
    static const struct option longopts[] = {{"out", required_argument, NULL, 'o'},
                                             {"course", required_argument, NULL, 'c'},
                                             {"salt", required_argument, NULL, 's'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *out = NULL, *course = NULL, *salt_opt = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "o:c:s:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'c': course = optarg; break;
        case 's': salt_opt = optarg; break;
        case 'h':
        default:
            fprintf(c == 'h' ? stdout : stderr,
                    "usage: wirebook release [--out DIR] [--course DIR] [--salt TEXT]\n\n"
                    "Writes the student edition of the course into DIR (default\n"
                    "build/release/wirebook): skeletons, tests without the hidden ones,\n"
                    "lessons, hints, the tool, and quizzes whose keys are salted hashes.\n"
                    "No solutions. The instructor's tree stays the one that grades.\n");
            return c == 'h' ? 0 : 2;
        }
    }
    struct wb_manifest m;
    if (load_course(course, &m) != 0)
        return 2;
    if (m.student_edition) {
        fprintf(stderr, "wirebook release: %s is already a student edition\n", m.root);
        manifest_free(&m);
        return 2;
    }
    char salt[40] = "";
    if (salt_opt &&
        (strlen(salt_opt) >= sizeof salt || strpbrk(salt_opt, ";,- \t>") || !*salt_opt)) {
        fprintf(stderr, "wirebook release: --salt takes up to 39 characters without spaces, "
                        "';', ',', '-' or '>'\n");
        manifest_free(&m);
        return 2;
    }
    if (salt_opt)
        snprintf(salt, sizeof salt, "%s", salt_opt);
    char *default_out = path_join(m.root, "build/release/wirebook");
    int rc = (salt_opt || random_salt(salt, sizeof salt) == 0) &&
                     make_edition(&m, out ? out : default_out, salt) == 0
                 ? 0
                 : 1;
    if (rc == 0)
        printf("student edition: %s\n", out ? out : default_out);
    free(default_out);
    manifest_free(&m);
    return rc;
}

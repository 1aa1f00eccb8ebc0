/*
 * cmd_student.c - the student's commands: `list`, `progress`, `check`,
 * `watch`, `hint`, `reset` and `solution`. Each is a thin layer over the
 * progress file (progress.c), the grading pipeline (student_work.c) and the
 * watch loop (watch.c).
 */
#include "commands.h"
#include "student.h"
#include "util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GREEN "\033[32m"
#define RED "\033[31m"
#define DIM "\033[2m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

/* Everything a student command needs: the course and the progress file. */
struct session {
    struct wb_manifest m;
    struct progress p;
    bool color;
};

static const char *paint(const struct session *s, const char *code)
{
    return s->color ? code : "";
}

static int session_open(struct session *s, const char *course)
{
    char err[1024];
    memset(s, 0, sizeof *s);
    s->color = want_color();
    if (load_course(course, &s->m) != 0)
        return -1;
    char *path = progress_default_path(s->m.root);
    int rc = path ? progress_load(&s->p, path, err, sizeof err) : -1;
    if (rc != 0) {
        fprintf(stderr, "wirebook: %s\n", path ? err : "out of memory");
        manifest_free(&s->m);
    }
    free(path);
    return rc;
}

static void session_close(struct session *s)
{
    progress_free(&s->p);
    manifest_free(&s->m);
}

static bool save(struct session *s)
{
    char err[1024];
    if (progress_save(&s->p, err, sizeof err) == 0)
        return true;
    fprintf(stderr, "wirebook: progress not saved: %s\n", err);
    return false;
}

/* Options every student command takes; returns the index of the first
 * operand, or -1 after printing usage (*exit_code set). */
struct student_opts {
    const char *course;
    bool sanitize, poll, all;
};

static int parse_opts(int argc, char **argv, const char *usage, const char *help,
                      struct student_opts *o, int *exit_code)
{
    static const struct option longopts[] = {
        {"course", required_argument, NULL, 'c'}, {"sanitize", no_argument, NULL, 'a'},
        {"poll", no_argument, NULL, 'p'},         {"all", no_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': o->course = optarg; break;
        case 'a': o->sanitize = true; break;
        case 'p': o->poll = true; break;
        case 'A': o->all = true; break;
        case 'h':
            printf("usage: wirebook %s\n\n%s", usage, help);
            *exit_code = 0;
            return -1;
        default:
            fprintf(stderr, "usage: wirebook %s\n", usage);
            *exit_code = 2;
            return -1;
        }
    }
    return optind;
}

/* The exercise named by argv[at], or the current one when there is none. */
static const struct wb_exercise *exercise_arg(struct session *s, int argc, char **argv, int at,
                                              bool *none_left)
{
    *none_left = false;
    if (at < argc)
        return resolve_exercise(&s->m, argv[at], stderr);
    const struct wb_exercise *e = progress_current(&s->m, &s->p);
    if (!e) {
        printf("Every exercise passes. Well done! (`wirebook progress` shows the points)\n");
        *none_left = true;
    }
    return e;
}

/* The start of the commands about one exercise (watch, hint, reset, solution):
 * options, the session, and the exercise named by the one operand, or the
 * current one when the name is optional. False, with *rc set, when the
 * command ends here (help, usage, unknown name, nothing left to do). */
static bool begin(int argc, char **argv, const char *usage, const char *help, bool required,
                  struct student_opts *o, struct session *s, const struct wb_exercise **e, int *rc)
{
    *e = NULL;
    *rc = 0;
    int at = parse_opts(argc, argv, usage, help, o, rc);
    if (at < 0)
        return false;
    if (at + 1 < argc || (required && at == argc)) {
        fprintf(stderr, "usage: wirebook %s\n", usage);
        *rc = 2;
        return false;
    }
    if (session_open(s, o->course) != 0) {
        *rc = 2;
        return false;
    }
    bool none_left;
    *e = exercise_arg(s, argc, argv, at, &none_left);
    if (!*e) {
        *rc = none_left ? 0 : 2;
        session_close(s);
        return false;
    }
    return true;
}

/* ---- list and progress -------------------------------------------------------- */

static void bar(const struct session *s, double part, double whole, int width)
{
    int full = whole > 0 ? (int)(width * part / whole + 0.5) : 0;
    printf("[%s", paint(s, GREEN));
    for (int i = 0; i < width; i++)
        printf("%s", i < full ? "#" : "");
    printf("%s", paint(s, RESET));
    for (int i = full; i < width; i++)
        printf(".");
    printf("] %3.0f%%", whole > 0 ? 100 * part / whole : 0);
}

static void show_course(struct session *s, bool exercises)
{
    double total = 0, total_max = 0;
    int passing = 0, count = 0, hints = 0;
    for (size_t i = 0; i < s->m.nchapters; i++) {
        const struct wb_chapter *ch = &s->m.chapters[i];
        double score = 0, max = 0;
        for (size_t k = 0; k < ch->nexercises; k++) {
            score += progress_score(&s->p, &ch->exercises[k]);
            max += progress_max(&s->p, &ch->exercises[k]);
        }
        total += score;
        total_max += max;
        printf("\n%s%-10s%s %5g/%-4g ", paint(s, BOLD), ch->id, paint(s, RESET), score, max);
        bar(s, score, max, 20);
        printf("  %s%s%s\n", paint(s, DIM), ch->title, paint(s, RESET));
        for (size_t k = 0; k < ch->nexercises; k++) {
            const struct wb_exercise *e = &ch->exercises[k];
            enum ex_status st = progress_status(&s->p, e);
            int used = progress_hints_used(&s->p, e);
            count++;
            passing += st == EXS_PASSING;
            hints += used;
            if (!exercises)
                continue;
            /* A result older than the file says nothing about the file. */
            bool changed = progress_changed_since_check(&s->p, e, s->m.root);
            const char *mark = changed             ? "[~]"
                               : st == EXS_PASSING ? "[x]"
                               : st == EXS_FAILING ? "[!]"
                                                   : "[ ]";
            const char *col = changed             ? ""
                              : st == EXS_PASSING ? paint(s, GREEN)
                              : st == EXS_FAILING ? paint(s, RED)
                                                  : "";
            printf("  %s%s %-16s %-11s%s %5g/%-4g %s", col, mark, e->id,
                   changed ? "changed" : progress_status_name(st), paint(s, RESET),
                   progress_score(&s->p, e), progress_max(&s->p, e), e->title);
            if (changed) /* the points are those of the last check, not of the file */
                printf(" %s(changed since last check)%s", paint(s, DIM), paint(s, RESET));
            if (used)
                printf(" %s(%d hint%s)%s", paint(s, DIM), used, used == 1 ? "" : "s",
                       paint(s, RESET));
            printf("\n");
        }
    }
    printf("\n%s%-10s%s %5g/%-4g ", paint(s, BOLD), "total", paint(s, RESET), total, total_max);
    bar(s, total, total_max, 20);
    printf("  %d of %d exercises pass, %d hint%s used\n", passing, count, hints,
           hints == 1 ? "" : "s");
    const struct wb_exercise *next = progress_current(&s->m, &s->p);
    if (next)
        printf("\nnext: %s%s/%s%s - %s\n      edit chapters/%s/%s, then `wirebook check` or "
               "`wirebook watch`\n",
               paint(s, BOLD), next->chapter->id, next->id, paint(s, RESET), next->title,
               next->chapter->id, next->files[0]);
    else
        printf("\nEvery exercise passes. Quizzes: `wirebook quiz`.\n");
}

static int list_or_progress(int argc, char **argv, bool exercises)
{
    struct student_opts o;
    int rc = 0;
    int at = parse_opts(argc, argv, exercises ? "list [--course DIR]" : "progress [--course DIR]",
                        exercises ? "Every chapter and exercise with its state from your last "
                                    "checks, and the next one to do.\n"
                                  : "Points per chapter and overall, and the next exercise.\n",
                        &o, &rc);
    if (at < 0)
        return rc;
    if (at < argc) {
        fprintf(stderr, "wirebook: unexpected argument '%s'\n", argv[at]);
        return 2;
    }
    struct session s;
    if (session_open(&s, o.course) != 0)
        return 2;
    show_course(&s, exercises);
    session_close(&s);
    return 0;
}

int cmd_list(int argc, char **argv)
{
    return list_or_progress(argc, argv, true);
}

int cmd_progress(int argc, char **argv)
{
    return list_or_progress(argc, argv, false);
}

/* ---- check ---------------------------------------------------------------------- */

void say_after_check(const struct wb_manifest *m, const struct progress *p,
                     const struct wb_exercise *e, bool passed)
{
    if (!passed) {
        printf("\n%s/%s does not pass yet. Stuck? `wirebook hint %s/%s`", e->chapter->id, e->id,
               e->chapter->id, e->id);
        int used = progress_hints_used(p, e);
        if (used)
            printf(" (%d used so far)", used);
        printf("\n");
        return;
    }
    printf("\n%s/%s passes!", e->chapter->id, e->id);
    const struct wb_exercise *next = progress_next(m, p, e);
    if (next)
        printf(" Next: %s/%s - %s (chapters/%s/%s)\n", next->chapter->id, next->id, next->title,
               next->chapter->id, next->files[0]);
    else
        printf(" And every exercise passes now.\n");
}

/* Checks one operand (a chapter, an exercise, or the current exercise when
 * name is NULL; everything with all). 1 all passed, 0 not, -1 could not
 * run, 2 nothing to do (every exercise passes). */
static int check_one(struct session *s, const char *name, bool all, bool sanitize)
{
    struct check_request req = {.sanitize = sanitize, .color = s->color};
    bool none_left = false;
    if (name)
        req.ch = manifest_chapter(&s->m, name);
    if (!all && !req.ch) {
        if (name)
            req.ex = resolve_exercise(&s->m, name, stderr);
        else
            req.ex = exercise_arg(s, 0, NULL, 0, &none_left);
        if (!req.ex)
            return none_left ? 2 : -1;
    }
    int passed = check_and_record(&s->m, &s->p, &req);
    if (passed >= 0 && req.ex)
        say_after_check(&s->m, &s->p, req.ex, passed == 1);
    fflush(stdout); /* this check's results before the next one's progress lines */
    return passed;
}

int cmd_check(int argc, char **argv)
{
    struct student_opts o;
    int rc = 0;
    int at = parse_opts(argc, argv, "check [CHAPTER | [CHAPTER/]EXERCISE ...| --all] [--sanitize]",
                        "Builds and tests an exercise (default: the current one, the first that\n"
                        "does not pass), each exercise or chapter named, or --all, from\n"
                        "chapters/. Shows the compiler's message, or per test what was expected\n"
                        "and what came back, and records the result for `wirebook list`.\n"
                        "Exits 0 when all pass.\n",
                        &o, &rc);
    if (at < 0)
        return rc;
    struct session s;
    if (session_open(&s, o.course) != 0)
        return 2;
    /* Every name must make sense before anything runs. */
    for (int i = at; i < argc; i++) {
        if (!manifest_chapter(&s.m, argv[i]) && !resolve_exercise(&s.m, argv[i], stderr)) {
            session_close(&s);
            return 2;
        }
    }
    int result = 1;
    if (o.all || at == argc) {
        int one = check_one(&s, NULL, o.all, o.sanitize);
        result = one == 2 ? 1 : one;
    }
    for (int i = at; i < argc && !o.all; i++) {
        int one = check_one(&s, argv[i], false, o.sanitize);
        if (one < 0 || (one == 0 && result > 0))
            result = one;
    }
    session_close(&s);
    return result < 0 ? 2 : result == 1 ? 0 : 1;
}

/* ---- watch -------------------------------------------------------------------- */

int cmd_watch(int argc, char **argv)
{
    struct student_opts o;
    struct session s;
    const struct wb_exercise *e;
    int rc;
    if (!begin(argc, argv, "watch [[CHAPTER/]EXERCISE] [--poll] [--sanitize]",
               "Checks the exercise (default: the current one) each time you save its\n"
               "file, and moves on to the next one when it passes. Enter checks now,\n"
               "h shows a hint, q quits. --poll looks at the files every 500 ms instead\n"
               "of asking the kernel (for file systems where inotify misses saves).\n",
               false, &o, &s, &e, &rc))
        return rc;
    struct watch_options w = {.poll = o.poll, .sanitize = o.sanitize, .color = s.color};
    rc = watch_loop(&s.m, &s.p, e, &w);
    session_close(&s);
    return rc;
}

/* ---- hint ----------------------------------------------------------------------- */

int cmd_hint(int argc, char **argv)
{
    struct student_opts o;
    struct session s;
    const struct wb_exercise *e;
    int rc;
    if (!begin(argc, argv, "hint [[CHAPTER/]EXERCISE] [--all]",
               "Shows the next hint for the exercise (default: the current one), gentlest\n"
               "first, and remembers how many you have used. --all shows again the ones\n"
               "you have seen.\n",
               false, &o, &s, &e, &rc))
        return rc;
    rc = show_hint(&s.m, &s.p, e, o.all) == 0 ? 0 : 1;
    session_close(&s);
    return rc;
}

/* ---- reset ---------------------------------------------------------------------- */

/* The exercise that lists file first: only it resets a file several share. */
static const struct wb_exercise *file_owner(const struct wb_chapter *ch, const char *file)
{
    for (size_t k = 0; k < ch->nexercises; k++)
        for (size_t f = 0; f < ch->exercises[k].nfiles; f++)
            if (strcmp(ch->exercises[k].files[f], file) == 0)
                return &ch->exercises[k];
    return NULL;
}

int cmd_reset(int argc, char **argv)
{
    struct student_opts o;
    struct session s;
    const struct wb_exercise *e;
    int rc;
    if (!begin(argc, argv, "reset [CHAPTER/]EXERCISE",
               "Puts the exercise's file back to the skeleton you started from. Your\n"
               "version is copied to build/student/backups/CHAPTER/FILE.DATE-TIME first.\n"
               "Name the exercise: nothing is reset by default.\n",
               true, &o, &s, &e, &rc))
        return rc;
    for (size_t f = 0; f < e->nfiles; f++) {
        const char *file = e->files[f];
        const struct wb_exercise *owner = file_owner(e->chapter, file);
        if (owner != e) {
            printf("chapters/%s/%s: kept (it is exercise %s's file: `wirebook reset %s/%s` "
                   "resets it)\n",
                   e->chapter->id, file, owner->id, e->chapter->id, owner->id);
            continue;
        }
        char err[1024], *backup = NULL;
        if (reset_file(&s.m, e->chapter, file, &backup, err, sizeof err) != 0) {
            fprintf(stderr, "wirebook: %s\n", err);
            rc = 1;
        } else if (backup) {
            printf("chapters/%s/%s: skeleton restored; your version is kept in %s\n",
                   e->chapter->id, file, backup);
        } else {
            printf("chapters/%s/%s: already the skeleton, nothing to keep\n", e->chapter->id, file);
        }
        free(backup);
    }
    if (rc == 0) {
        progress_forget(&s.p, e);
        rc = save(&s) ? 0 : 1;
    }
    session_close(&s);
    return rc;
}

/* ---- solution ------------------------------------------------------------------- */

int cmd_solution(int argc, char **argv)
{
    struct student_opts o;
    struct session s;
    const struct wb_exercise *e;
    int rc;
    if (!begin(argc, argv, "solution [CHAPTER/]EXERCISE",
               "Shows the reference solution of an exercise once yours passes, to\n"
               "compare approaches.\n",
               true, &o, &s, &e, &rc))
        return rc;
    if (s.m.student_edition) { /* `wirebook release` leaves solutions/ out */
        printf("The reference solutions are not part of this student edition of the course; "
               "ask your instructor.\n");
        session_close(&s);
        return 1;
    }
    if (progress_status(&s.p, e) != EXS_PASSING) {
        printf("Checking %s/%s first: the solution is shown once yours passes ...\n",
               e->chapter->id, e->id);
        fflush(stdout);
        struct check_request req = {.ex = e, .color = s.color, .quiet = true};
        if (check_and_record(&s.m, &s.p, &req) != 1) {
            printf("%s/%s scores %g/%g: not yet. `wirebook check %s/%s` shows what fails, "
                   "`wirebook hint %s/%s` helps.\n",
                   e->chapter->id, e->id, progress_score(&s.p, e), progress_max(&s.p, e),
                   e->chapter->id, e->id, e->chapter->id, e->id);
            session_close(&s);
            return 1;
        }
    }
    for (size_t f = 0; f < e->nfiles; f++) {
        char err[1024];
        char *path = str_printf("%s/solutions/%s/%s", s.m.root, e->chapter->id, e->files[f]);
        char *text = path ? file_read_or_say(path, NULL, err, sizeof err) : NULL;
        if (!text) {
            fprintf(stderr, "wirebook: %s\n", path ? err : "out of memory");
            rc = 1;
        } else {
            printf("%s==== solutions/%s/%s ====%s\n%s\n", paint(&s, BOLD), e->chapter->id,
                   e->files[f], paint(&s, RESET), text);
        }
        free(text);
        free(path);
    }
    session_close(&s);
    return rc;
}

/*
 * cmd_quiz.c - `wirebook quiz`: answer the quizzes in the terminal, check an
 * answers file, list the quizzes, export one to GIFT or HTML.
 *
 * In the terminal every answer is saved at once (temporary file + rename),
 * so a run stopped by q, Ctrl-D or Ctrl-C loses nothing, and the next run
 * starts at the first question without an answer.
 */
#include "quiz.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_ANSWERS "chapters/quiz-answers.txt"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: wirebook quiz [NAME] [--course DIR] [--save FILE]\n"
        "       wirebook quiz [NAME] --answers FILE\n"
        "       wirebook quiz NAME --export gift|html --out FILE\n"
        "       wirebook quiz --list\n"
        "\n"
        "  NAME            a quiz in DIR/quiz/ (document, 01_rest, ...) or a path to a .md file;\n"
        "                  without NAME: every quiz, one after the other\n"
        "  --course DIR    the course folder (default: .)\n"
        "  --save FILE     where the terminal quiz keeps your answers\n"
        "                  (default: DIR/" DEFAULT_ANSWERS ")\n"
        "  --answers FILE  check the answers in FILE and print the score; asks nothing\n"
        "  --export FORMAT write the quiz as Moodle GIFT (gift) or one offline page (html)\n"
        "  --out FILE      where --export writes (- for standard output)\n"
        "  --list          list the quizzes and how far you got\n");
}

/* ---- finding quizzes ------------------------------------------------------ */

struct quiz_list {
    char **paths;
    size_t n;
};

static void quiz_list_free(struct quiz_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
    l->paths = NULL;
    l->n = 0;
}

static int md_filter(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 3 && strcmp(d->d_name + n - 3, ".md") == 0 && strcmp(d->d_name, "README.md") != 0 &&
           d->d_name[0] != '.';
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Every DIR/quiz/NAME.md except README.md, in name order. */
static int find_quizzes(const char *course, struct quiz_list *out)
{
    memset(out, 0, sizeof *out);
    char *dir = join(course, "quiz");
    if (!dir) {
        fprintf(stderr, "wirebook quiz: out of memory\n");
        return -1;
    }
    struct dirent **names = NULL;
    int n = scandir(dir, &names, md_filter, alphasort);
    if (n < 0) {
        fprintf(stderr, "wirebook quiz: scandir %s: %s\n", dir, strerror(errno));
        free(dir);
        return -1;
    }
    out->paths = calloc((size_t)n + 1, sizeof *out->paths);
    int rc = out->paths ? 0 : -1;
    for (int i = 0; i < n; i++) {
        if (rc == 0) {
            out->paths[out->n] = join(dir, names[i]->d_name);
            if (out->paths[out->n])
                out->n++;
            else
                rc = -1;
        }
        free(names[i]);
    }
    free(names);
    free(dir);
    if (rc != 0) {
        fprintf(stderr, "wirebook quiz: out of memory\n");
        quiz_list_free(out);
    }
    return rc;
}

/* NAME -> DIR/quiz/NAME.md; a path (with '/' or ending in .md) stays as it is. */
static char *quiz_path_for(const char *course, const char *name)
{
    size_t n = strlen(name);
    if (strchr(name, '/') || (n > 3 && strcmp(name + n - 3, ".md") == 0))
        return strdup(name);
    size_t len = strlen(course) + n + 16;
    char *p = malloc(len);
    if (p)
        snprintf(p, len, "%s/quiz/%s.md", course, name);
    return p;
}

static int resolve(const char *course, const char *name, struct quiz_list *out)
{
    if (!name)
        return find_quizzes(course, out);
    memset(out, 0, sizeof *out);
    out->paths = calloc(1, sizeof *out->paths);
    char *path = quiz_path_for(course, name);
    if (!out->paths || !path) {
        free(path);
        free(out->paths);
        out->paths = NULL;
        fprintf(stderr, "wirebook quiz: out of memory\n");
        return -1;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "wirebook quiz: no quiz '%s' (%s: %s)\n", name, path, strerror(errno));
        struct quiz_list all;
        if (find_quizzes(course, &all) == 0) {
            fprintf(stderr, "quizzes in %s/quiz:", course);
            for (size_t i = 0; i < all.n; i++) {
                const char *base = strrchr(all.paths[i], '/') + 1;
                fprintf(stderr, " %.*s", (int)(strlen(base) - 3), base);
            }
            fprintf(stderr, "\n");
            quiz_list_free(&all);
        }
        free(path);
        free(out->paths);
        out->paths = NULL;
        return -1;
    }
    out->paths[0] = path;
    out->n = 1;
    return 0;
}

/* ---- --answers: check a file ------------------------------------------- */

static int check_answers(const char *course, const char *name, const char *answers_path)
{
    struct quiz_list list;
    char err[1024];
    if (resolve(course, name, &list) != 0)
        return 1;
    struct quiz_answers answers;
    bool missing = false;
    if (quiz_answers_load(answers_path, &answers, &missing, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        quiz_list_free(&list);
        return 1;
    }
    if (missing)
        fprintf(stderr, "wirebook quiz: %s does not exist: every question counts as unanswered\n",
                answers_path);

    int status = 0, total_points = 0, total_earned = 0;
    char **names = calloc(list.n + 1, sizeof *names);
    for (size_t i = 0; i < list.n; i++) {
        struct quiz quiz;
        struct quiz_grade g;
        if (quiz_parse_file(list.paths[i], &quiz, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            status = 1;
            continue;
        }
        if (names)
            names[i] = strdup(quiz.name);
        if (quiz_grade_parsed(&quiz, &answers, &g, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            quiz_free(&quiz);
            status = 1;
            continue;
        }
        printf("%-10s %2d/%-2d  %s\n", g.quiz_name, g.earned, g.points, g.title);
        for (size_t r = 0; r < g.n_results; r++) {
            const struct quiz_item_result *res = &g.results[r];
            if (res->status == QUIZ_RIGHT)
                continue;
            if (res->status == QUIZ_INVALID)
                printf("    %-14s invalid: %s\n", res->id, res->message);
            else if (res->status == QUIZ_NOT_SCORED)
                printf("    %-14s open question (not scored)%s\n", res->id,
                       res->given ? "" : ": not looked at yet");
            else
                printf("    %-14s %s%s%s%s\n", res->id, quiz_status_name(res->status),
                       res->given ? " (you answered '" : "", res->given ? res->given : "",
                       res->given ? "')" : "");
        }
        for (size_t u = 0; u < g.n_unknown; u++)
            printf("    unknown id: %s\n", g.unknown[u]);
        total_points += g.points;
        total_earned += g.earned;
        quiz_grade_free(&g);
        quiz_free(&quiz);
    }
    /* answers for a quiz that does not exist at all (only when checking every quiz) */
    if (!name && names) {
        for (size_t a = 0; a < answers.n_items; a++) {
            const char *id = answers.items[a].id;
            size_t prefix = (size_t)(strchr(id, '.') - id);
            bool known = false;
            for (size_t i = 0; i < list.n; i++)
                if (names[i] && strlen(names[i]) == prefix && strncmp(names[i], id, prefix) == 0)
                    known = true;
            if (!known)
                printf("    unknown id: %s:%d: %s: there is no quiz named '%.*s'\n", answers_path,
                       answers.items[a].line, id, (int)prefix, id);
        }
    }
    if (list.n > 1)
        printf("%-10s %2d/%-2d\n", "total", total_earned, total_points);
    for (size_t i = 0; names && i < list.n; i++)
        free(names[i]);
    free(names);
    quiz_answers_free(&answers);
    quiz_list_free(&list);
    return status;
}

/* ---- --list ------------------------------------------------------------- */

static int list_quizzes(const char *course, const char *answers_path)
{
    struct quiz_list list;
    char err[1024];
    if (find_quizzes(course, &list) != 0)
        return 1;
    struct quiz_answers answers;
    bool have_answers = quiz_answers_load(answers_path, &answers, NULL, err, sizeof err) == 0;
    if (!have_answers)
        fprintf(stderr, "%s (progress not shown)\n", err);
    int status = 0;
    printf("%-10s %-9s %-9s %s\n", "quiz", "questions", "answered", "title");
    for (size_t i = 0; i < list.n; i++) {
        struct quiz quiz;
        if (quiz_parse_file(list.paths[i], &quiz, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            status = 1;
            continue;
        }
        char progress[32] = "-";
        struct quiz_grade g;
        if (have_answers && quiz_grade_parsed(&quiz, &answers, &g, err, sizeof err) == 0) {
            snprintf(progress, sizeof progress, "%d", g.answered);
            quiz_grade_free(&g);
        }
        printf("%-10s %-9zu %-9s %s\n", quiz.name, quiz.n_questions, progress, quiz.title);
        quiz_free(&quiz);
    }
    printf("\nStart one with: wirebook quiz NAME   (answers are kept in %s)\n", answers_path);
    if (have_answers)
        quiz_answers_free(&answers);
    quiz_list_free(&list);
    return status;
}

/* ---- --export ----------------------------------------------------------- */

static int export_quiz(const char *course, const char *name, const char *format,
                       const char *out_path)
{
    char err[1024];
    if (!name || !out_path) {
        fprintf(stderr, "wirebook quiz: --export needs a quiz NAME and --out FILE\n");
        return 2;
    }
    if (strcmp(format, "gift") != 0 && strcmp(format, "html") != 0) {
        fprintf(stderr, "wirebook quiz: unknown export format '%s' (gift or html)\n", format);
        return 2;
    }
    char *path = quiz_path_for(course, name);
    struct quiz quiz;
    if (!path || quiz_parse_file(path, &quiz, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", path ? err : "wirebook quiz: out of memory");
        free(path);
        return 1;
    }
    free(path);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) {
        fprintf(stderr, "wirebook quiz: open_memstream: %s\n", strerror(errno));
        quiz_free(&quiz);
        return 1;
    }
    int rc =
        strcmp(format, "gift") == 0 ? quiz_export_gift(&quiz, mem) : quiz_export_html(&quiz, mem);
    if (fclose(mem) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "wirebook quiz: writing the %s export failed\n", format);
    } else if (strcmp(out_path, "-") == 0) {
        if (fwrite(text, 1, len, stdout) != len)
            rc = -1;
    } else if (file_write_atomic_or_say(out_path, text, len, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        rc = -1;
    } else {
        fprintf(stderr, "wrote %s (%s, %zu questions)\n", out_path, format, quiz.n_questions);
    }
    free(text);
    quiz_free(&quiz);
    return rc == 0 ? 0 : 1;
}

/* ---- the terminal quiz --------------------------------------------------- */

/* Reads one line from stdin without its newline. Returns false on end of
 * input, on an error, or when Ctrl-C / SIGTERM arrived. */
static bool read_answer(char *buf, size_t len)
{
    fflush(stdout);
    if (stop_requested)
        return false;
    if (!fgets(buf, (int)len, stdin))
        return false;
    if (stop_requested)
        return false;
    buf[strcspn(buf, "\r\n")] = '\0';
    return true;
}

static bool is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            return false;
    return true;
}

/* Prints text indented by prefix on every line. */
static void print_indented(const char *prefix, const char *text)
{
    const char *s = text;
    while (s && *s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        printf("%s%.*s\n", prefix, (int)n, s);
        s = nl ? nl + 1 : s + n;
    }
}

static bool already_answered(const struct quiz_question *q, const struct quiz_answers *answers)
{
    const struct quiz_answer *a = quiz_answers_get(answers, q->full_id);
    if (!a || is_blank(a->value))
        return false;
    char msg[256];
    enum quiz_status s = quiz_score_answer(q, a->value, msg, sizeof msg);
    return s == QUIZ_RIGHT || s == QUIZ_WRONG || s == QUIZ_NOT_SCORED;
}

static int save(struct quiz_answers *answers, const char *path, const char *id, const char *value)
{
    char err[1024];
    if (quiz_answers_set(answers, id, value) != 0) {
        fprintf(stderr, "wirebook quiz: out of memory\n");
        return -1;
    }
    if (quiz_answers_save(answers, path, err, sizeof err) != 0) {
        fprintf(stderr, "wirebook quiz: could not save your answer: %s\n", err);
        return -1;
    }
    return 0;
}

enum ask_result { ASK_DONE, ASK_STOP, ASK_ERROR };

static enum ask_result ask_open(const struct quiz_question *q, struct quiz_answers *answers,
                                const char *path)
{
    char line[256];
    printf("\nThink of (or write down) your answer, then press Enter to see a model answer"
           " (q to stop): ");
    if (!read_answer(line, sizeof line) || strcmp(line, "q") == 0)
        return ASK_STOP;
    printf("\nModel answer:\n");
    print_indented("  ", q->explanation);
    for (;;) {
        printf("\nDid your answer cover the main points? (y/n, q to stop): ");
        if (!read_answer(line, sizeof line) || strcmp(line, "q") == 0)
            return ASK_STOP;
        if (strcmp(line, "y") == 0 || strcmp(line, "n") == 0)
            break;
        printf("Please type y or n.\n");
    }
    if (save(answers, path, q->full_id, line) != 0)
        return ASK_ERROR;
    printf("%s\n", line[0] == 'y' ? "Good. (Open questions earn no points.)"
                                  : "Read the model answer again, and the lesson it comes from."
                                    " (Open questions earn no points.)");
    return ASK_DONE;
}

static enum ask_result ask(const struct quiz_question *q, size_t number, size_t total,
                           struct quiz_answers *answers, const char *path)
{
    printf("\n--- Question %zu of %zu (%s) [%s] ---\n", number, total, quiz_kind_name(q->kind),
           q->full_id);
    printf("%s\n", q->text);
    if (q->body) {
        printf("\n");
        print_indented("", q->body);
    }
    if (q->kind == QUIZ_OPEN)
        return ask_open(q, answers, path);

    /* this student's order of the choices; answers are saved in the file's */
    size_t order[QUIZ_MAX_CHOICES];
    char *seed = quiz_seed(path);
    quiz_display_order(q, seed, order);
    free(seed);
    printf("\n");
    for (size_t k = 0; k < q->n_choices; k++)
        printf("  %c) %s\n", (int)('a' + k), q->choices[order[k]].text);

    char last = (char)('a' + q->n_choices - 1);
    char line[256], msg[256];
    unsigned mask = 0;
    for (;;) {
        if (q->kind == QUIZ_SINGLE)
            printf("\nYour answer (one letter a-%c; ? for a hint; q to stop): ", last);
        else if (q->kind == QUIZ_MULTIPLE)
            printf("\nYour answer (every letter that applies, e.g. ac; ? for a hint; q to stop): ");
        else
            printf("\nYour answer (t or f; ? for a hint; q to stop): ");
        if (!read_answer(line, sizeof line))
            return ASK_STOP;
        if (strcmp(line, "q") == 0 || strcmp(line, "Q") == 0)
            return ASK_STOP;
        if (strcmp(line, "?") == 0) {
            if (q->hint)
                print_indented("Hint: ", q->hint);
            else
                printf("No hint for this one.\n");
            continue;
        }
        if (is_blank(line))
            continue;
        if (quiz_parse_answer(q, line, &mask, msg, sizeof msg) == 0) {
            mask = quiz_mask_to_canonical(order, q->n_choices, mask);
            break;
        }
        /* the message starts with the id; the student knows which question */
        const char *why = strstr(msg, ": ");
        printf("%s\n", why ? why + 2 : msg);
    }

    /* store it in a normal form: "ac", "t" */
    char value[QUIZ_MAX_CHOICES + 1];
    size_t n = 0;
    if (q->kind == QUIZ_TRUE_FALSE) {
        value[n++] = mask == 1u ? 't' : 'f';
    } else {
        for (size_t i = 0; i < q->n_choices; i++)
            if (mask & (1u << i))
                value[n++] = (char)('a' + i);
    }
    value[n] = '\0';
    if (save(answers, path, q->full_id, value) != 0)
        return ASK_ERROR;

    bool right = quiz_answer_right(q, mask);
    if (right) {
        printf("Right!\n");
    } else if (q->key) {
        printf("Not quite (this edition checks answers without knowing them: read the "
               "explanation, then try again by deleting the line from the answers file).\n");
    } else {
        printf("Not quite. The answer is:\n");
        for (size_t k = 0; k < q->n_choices; k++)
            if (q->choices[order[k]].correct)
                printf("  %c) %s\n", (int)('a' + k), q->choices[order[k]].text);
    }
    for (size_t k = 0; k < q->n_choices; k++)
        if ((mask & (1u << order[k])) && q->choices[order[k]].comment)
            printf("  (%c: %s)\n", (int)('a' + k), q->choices[order[k]].comment);
    if (q->explanation) {
        printf("\n");
        print_indented("  ", q->explanation);
    }
    return ASK_DONE;
}

static void print_score(const struct quiz *quiz, const struct quiz_answers *answers)
{
    struct quiz_grade g;
    char err[512];
    if (quiz_grade_parsed(quiz, answers, &g, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    printf("\nScore for %s: %d/%d", quiz->name, g.earned, g.points);
    int unanswered = 0;
    for (size_t i = 0; i < g.n_results; i++)
        unanswered += g.results[i].status == QUIZ_UNANSWERED || g.results[i].status == QUIZ_INVALID;
    if (unanswered)
        printf(" (%d not answered yet)", unanswered);
    printf("\n");
    quiz_grade_free(&g);
}

static int interactive(const char *course, const char *name, const char *save_path)
{
    struct quiz_list list;
    char err[1024];
    if (resolve(course, name, &list) != 0)
        return 1;
    struct quiz_answers answers;
    bool missing;
    if (quiz_answers_load(save_path, &answers, &missing, err, sizeof err) != 0) {
        fprintf(stderr, "%s\nFix that line (or remove it) and run again; nothing was changed.\n",
                err);
        quiz_list_free(&list);
        return 1;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocked read returns so we can stop */
    struct sigaction old_int, old_term;
    if (sigaction(SIGINT, &sa, &old_int) != 0 || sigaction(SIGTERM, &sa, &old_term) != 0) {
        fprintf(stderr, "wirebook quiz: sigaction: %s\n", strerror(errno));
        quiz_answers_free(&answers);
        quiz_list_free(&list);
        return 1;
    }
    stop_requested = 0;

    printf("Your answers are saved to %s after each question.\n", save_path);
    int status = 0;
    bool stopped = false;
    for (size_t i = 0; i < list.n && !stopped && status == 0; i++) {
        struct quiz quiz;
        if (quiz_parse_file(list.paths[i], &quiz, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            status = 1;
            break;
        }
        size_t done = 0;
        for (size_t k = 0; k < quiz.n_questions; k++)
            done += already_answered(&quiz.questions[k], &answers);
        printf("\n=== %s (%s): %zu questions ===\n", quiz.title, quiz.name, quiz.n_questions);
        if (done == quiz.n_questions) {
            printf("All answered already.");
            print_score(&quiz, &answers);
            printf("(To answer again, delete its lines from %s.)\n", save_path);
            quiz_free(&quiz);
            continue;
        }
        if (done > 0)
            printf("Resuming: %zu of %zu already answered.\n", done, quiz.n_questions);
        for (size_t k = 0; k < quiz.n_questions; k++) {
            const struct quiz_question *q = &quiz.questions[k];
            if (already_answered(q, &answers))
                continue;
            enum ask_result r = ask(q, k + 1, quiz.n_questions, &answers, save_path);
            if (r == ASK_ERROR) {
                status = 1;
                break;
            }
            if (r == ASK_STOP) {
                stopped = true;
                break;
            }
        }
        if (status == 0)
            print_score(&quiz, &answers);
        quiz_free(&quiz);
    }
    if (stopped)
        printf("\n\nStopped. Your answers so far are saved in %s; run the quiz again to go on"
               " where you left off.\n",
               save_path);
    else if (status == 0)
        printf("\nDone. Your answers are in %s.\n", save_path);

    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    quiz_answers_free(&answers);
    quiz_list_free(&list);
    return status;
}

/* ---- entry --------------------------------------------------------------- */

int cmd_quiz(int argc, char **argv)
{
    const char *course = ".", *name = NULL, *answers = NULL, *save_path = NULL;
    const char *format = NULL, *out = NULL;
    bool list = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--list") == 0) {
            list = true;
        } else if (strcmp(a, "--course") == 0 && has_value) {
            course = argv[++i];
        } else if (strcmp(a, "--answers") == 0 && has_value) {
            answers = argv[++i];
        } else if (strcmp(a, "--save") == 0 && has_value) {
            save_path = argv[++i];
        } else if (strcmp(a, "--export") == 0 && has_value) {
            format = argv[++i];
        } else if (strcmp(a, "--out") == 0 && has_value) {
            out = argv[++i];
        } else if (a[0] == '-' && strcmp(a, "-") != 0) {
            fprintf(stderr, "wirebook quiz: unknown option or missing value: %s\n", a);
            usage(stderr);
            return 2;
        } else if (!name) {
            name = a;
        } else {
            fprintf(stderr, "wirebook quiz: one quiz NAME at a time (got '%s' and '%s')\n", name,
                    a);
            return 2;
        }
    }

    char *default_answers = join(course, DEFAULT_ANSWERS);
    if (!default_answers) {
        fprintf(stderr, "wirebook quiz: out of memory\n");
        return 1;
    }
    int rc;
    if (format || out)
        rc = export_quiz(course, name, format ? format : "", out);
    else if (list)
        rc = list_quizzes(course, save_path ? save_path : default_answers);
    else if (answers)
        rc = check_answers(course, name, answers);
    else
        rc = interactive(course, name, save_path ? save_path : default_answers);
    free(default_answers);
    return rc;
}

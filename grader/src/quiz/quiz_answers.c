/*
 * quiz_answers.c - the student's answers file ("document.q01 = a" lines)
 * and scoring it against a quiz.
 *
 * The file is kept as a list of lines so that saving an answer changes only
 * that answer's line: the student's comments stay where they were.
 */
#include "quiz.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static char *dup_range(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static char *trim_range_dup(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return dup_range(s, n);
}

static bool valid_full_id(const char *s)
{
    const char *dot = strchr(s, '.');
    if (!dot || dot == s || dot[1] == '\0')
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
            return false;
    return true;
}

void quiz_answers_free(struct quiz_answers *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_lines; i++)
        free(a->lines[i]);
    free(a->lines);
    for (size_t i = 0; i < a->n_items; i++) {
        free(a->items[i].id);
        free(a->items[i].value);
    }
    free(a->items);
    free(a->path);
    memset(a, 0, sizeof *a);
}

static int push_line(struct quiz_answers *a, char *line)
{
    char **lines = realloc(a->lines, (a->n_lines + 1) * sizeof *lines);
    if (!lines)
        return -1;
    a->lines = lines;
    a->lines[a->n_lines++] = line;
    return 0;
}

static int push_item(struct quiz_answers *a, char *id, char *value, int line)
{
    struct quiz_answer *items = realloc(a->items, (a->n_items + 1) * sizeof *items);
    if (!items)
        return -1;
    a->items = items;
    a->items[a->n_items++] = (struct quiz_answer){.id = id, .value = value, .line = line};
    return 0;
}

int quiz_answers_parse(const char *path, const char *text, struct quiz_answers *out, char *err,
                       size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (errlen)
        err[0] = '\0';
    out->path = strdup(path);
    if (!out->path)
        goto oom;
    if ((unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
        (unsigned char)text[2] == 0xBF)
        text += 3;

    int lineno = 0;
    const char *cur = text;
    while (*cur) {
        const char *nl = strchr(cur, '\n');
        size_t n = nl ? (size_t)(nl - cur) : strlen(cur);
        if (n > 0 && cur[n - 1] == '\r')
            n--;
        char *line = dup_range(cur, n);
        if (!line || push_line(out, line) != 0) {
            free(line);
            goto oom;
        }
        lineno++;
        cur = nl ? nl + 1 : cur + n;

        const char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        const char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen,
                     "%s:%d: expected 'QUIZ.ID = ANSWER' (e.g. 'document.q01 = a'), got '%s'", path,
                     lineno, line);
            goto fail;
        }
        char *id = trim_range_dup(s, (size_t)(eq - s));
        const char *v = eq + 1;
        const char *hash = strchr(v, '#');
        char *value = trim_range_dup(v, hash ? (size_t)(hash - v) : strlen(v));
        if (!id || !value) {
            free(id);
            free(value);
            goto oom;
        }
        if (!valid_full_id(id)) {
            snprintf(err, errlen,
                     "%s:%d: '%s' is not a question id of the form QUIZ.ID (e.g. document.q01)",
                     path, lineno, id);
            free(id);
            free(value);
            goto fail;
        }
        const struct quiz_answer *before = quiz_answers_get(out, id);
        if (before) {
            snprintf(err, errlen, "%s:%d: %s is answered twice (also at line %d): keep one line",
                     path, lineno, id, before->line);
            free(id);
            free(value);
            goto fail;
        }
        if (push_item(out, id, value, lineno) != 0) {
            free(id);
            free(value);
            goto oom;
        }
    }
    return 0;
oom:
    snprintf(err, errlen, "%s: out of memory", path);
fail:
    quiz_answers_free(out);
    return -1;
}

int quiz_answers_load(const char *path, struct quiz_answers *out, bool *missing, char *err,
                      size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (missing)
        *missing = false;
    char *text = file_read_or_say(path, NULL, err, errlen);
    if (!text) {
        if (errno == ENOENT) {
            if (missing)
                *missing = true;
            out->path = strdup(path);
            if (!out->path) {
                snprintf(err, errlen, "%s: out of memory", path);
                return -1;
            }
            return 0;
        }
        return -1;
    }
    int rc = quiz_answers_parse(path, text, out, err, errlen);
    free(text);
    return rc;
}

const struct quiz_answer *quiz_answers_get(const struct quiz_answers *a, const char *full_id)
{
    for (size_t i = 0; i < a->n_items; i++)
        if (strcmp(a->items[i].id, full_id) == 0)
            return &a->items[i];
    return NULL;
}

int quiz_answers_set(struct quiz_answers *a, const char *full_id, const char *value)
{
    size_t n = strlen(full_id) + strlen(value) + 4;
    char *line = malloc(n);
    char *v = strdup(value);
    if (!line || !v) {
        free(line);
        free(v);
        return -1;
    }
    snprintf(line, n, "%s = %s", full_id, value);
    for (size_t i = 0; i < a->n_items; i++) {
        if (strcmp(a->items[i].id, full_id) == 0) {
            free(a->items[i].value);
            a->items[i].value = v;
            size_t li = (size_t)a->items[i].line - 1;
            free(a->lines[li]);
            a->lines[li] = line;
            return 0;
        }
    }
    char *id = strdup(full_id);
    if (!id || push_line(a, line) != 0) {
        free(id);
        free(line);
        free(v);
        return -1;
    }
    if (push_item(a, id, v, (int)a->n_lines) != 0) {
        free(id);
        free(v);
        a->n_lines--;
        free(line);
        return -1;
    }
    return 0;
}

int quiz_answers_save(const struct quiz_answers *a, const char *path, char *err, size_t errlen)
{
    size_t total = 1;
    for (size_t i = 0; i < a->n_lines; i++)
        total += strlen(a->lines[i]) + 1;
    char *text = malloc(total);
    if (!text) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    size_t used = 0;
    for (size_t i = 0; i < a->n_lines; i++) {
        size_t n = strlen(a->lines[i]);
        memcpy(text + used, a->lines[i], n);
        used += n;
        text[used++] = '\n';
    }
    text[used] = '\0';
    int rc = file_write_atomic_or_say(path, text, used, err, errlen);
    free(text);
    return rc;
}

/* ---- scoring ------------------------------------------------------------ */

const char *quiz_status_name(enum quiz_status s)
{
    switch (s) {
    case QUIZ_RIGHT: return "right";
    case QUIZ_WRONG: return "wrong";
    case QUIZ_UNANSWERED: return "unanswered";
    case QUIZ_INVALID: return "invalid";
    case QUIZ_NOT_SCORED: return "not scored";
    }
    return "?";
}

static bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

enum quiz_status quiz_score_answer(const struct quiz_question *q, const char *answer, char *msg,
                                   size_t msglen)
{
    if (msglen)
        msg[0] = '\0';
    if (q->kind == QUIZ_OPEN)
        return QUIZ_NOT_SCORED;
    if (blank(answer))
        return QUIZ_UNANSWERED;
    unsigned mask;
    if (quiz_parse_answer(q, answer, &mask, msg, msglen) != 0)
        return QUIZ_INVALID;
    return quiz_answer_right(q, mask) ? QUIZ_RIGHT : QUIZ_WRONG;
}

void quiz_grade_free(struct quiz_grade *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n_results; i++) {
        free(g->results[i].id);
        free(g->results[i].given);
        free(g->results[i].expected);
        free(g->results[i].message);
    }
    free(g->results);
    for (size_t i = 0; i < g->n_unknown; i++)
        free(g->unknown[i]);
    free(g->unknown);
    free(g->quiz_name);
    free(g->title);
    memset(g, 0, sizeof *g);
}

static char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

int quiz_grade_parsed(const struct quiz *quiz, const struct quiz_answers *answers,
                      struct quiz_grade *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->quiz_name = strdup(quiz->name);
    out->title = strdup(quiz->title);
    out->results = calloc(quiz->n_questions ? quiz->n_questions : 1, sizeof *out->results);
    if (!out->quiz_name || !out->title || !out->results)
        goto oom;

    for (size_t i = 0; i < quiz->n_questions; i++) {
        const struct quiz_question *q = &quiz->questions[i];
        struct quiz_item_result *r = &out->results[out->n_results++];
        const struct quiz_answer *a = quiz_answers_get(answers, q->full_id);
        char msg[256];
        r->id = strdup(q->full_id);
        if (!r->id)
            goto oom;
        r->points = q->kind == QUIZ_OPEN ? 0 : 1;
        if (q->kind != QUIZ_OPEN) {
            char expected[QUIZ_MAX_CHOICES + 1];
            quiz_correct_answer(q, expected, sizeof expected);
            r->expected = strdup(expected);
            if (!r->expected)
                goto oom;
        }
        if (a && !blank(a->value)) {
            r->given = strdup(a->value);
            if (!r->given)
                goto oom;
        }
        r->status = quiz_score_answer(q, r->given, msg, sizeof msg);
        if (r->status == QUIZ_INVALID) {
            r->message = format("%s:%d: %s", answers->path ? answers->path : "answers",
                                a ? a->line : 0, msg);
            if (!r->message)
                goto oom;
        }
        r->earned = r->status == QUIZ_RIGHT;
        out->points += r->points;
        out->earned += r->earned;
        if (r->status == QUIZ_RIGHT || r->status == QUIZ_WRONG ||
            (r->status == QUIZ_NOT_SCORED && r->given))
            out->answered++;
    }

    size_t nl = strlen(quiz->name);
    for (size_t i = 0; i < answers->n_items; i++) {
        const struct quiz_answer *a = &answers->items[i];
        if (strncmp(a->id, quiz->name, nl) != 0 || a->id[nl] != '.')
            continue; /* another quiz's answer */
        if (quiz_find(quiz, a->id))
            continue;
        char **u = realloc(out->unknown, (out->n_unknown + 1) * sizeof *u);
        if (!u)
            goto oom;
        out->unknown = u;
        out->unknown[out->n_unknown] = format("%s:%d: %s is not a question of quiz %s (%s)",
                                              answers->path ? answers->path : "answers", a->line,
                                              a->id, quiz->name, quiz->path);
        if (!out->unknown[out->n_unknown])
            goto oom;
        out->n_unknown++;
    }
    return 0;
oom:
    snprintf(err, errlen, "%s: out of memory while grading", quiz->path);
    quiz_grade_free(out);
    return -1;
}

int quiz_grade(const char *quiz_path, const char *answers_path, struct quiz_grade *out, char *err,
               size_t errlen)
{
    struct quiz quiz;
    struct quiz_answers answers;
    bool missing = false;
    memset(out, 0, sizeof *out);
    if (quiz_parse_file(quiz_path, &quiz, err, errlen) != 0)
        return -1;
    if (quiz_answers_load(answers_path, &answers, &missing, err, errlen) != 0) {
        quiz_free(&quiz);
        return -1;
    }
    int rc = quiz_grade_parsed(&quiz, &answers, out, err, errlen);
    if (rc == 0)
        out->answers_missing = missing;
    quiz_answers_free(&answers);
    quiz_free(&quiz);
    return rc;
}

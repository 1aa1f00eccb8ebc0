/*
 * quiz.c - parse a quizdown Markdown file (the subset described in
 * quiz/README.md) into struct quiz, line by line.
 *
 * Inside a question the parser is in one of three places: BODY (after the
 * heading, before the choices), LIST (the choices) or AFTER (the
 * explanation). A top-level "> " line is a hint in BODY and the
 * explanation after the list; an indented "> " in LIST is the comment of
 * the choice above it.
 */
#include "quiz.h"
#include "util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growing string ---------------------------------------------------- */

struct buf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* Appends a line of text: joined to the previous one with "\n", or with a
 * blank line when a paragraph break came in between. */
static void buf_add_line(struct buf *b, const char *s, bool new_paragraph)
{
    if (b->len > 0)
        buf_adds(b, new_paragraph ? "\n\n" : "\n");
    buf_adds(b, s);
}

/* Takes the string out of the buffer (NULL when empty). */
static char *buf_take(struct buf *b)
{
    char *p = b->len ? b->p : NULL;
    if (!p)
        free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

static char *dup_range(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static char *trim_dup(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return dup_range(s, n);
}

/* ---- parser state ------------------------------------------------------- */

enum place { BODY, LIST, AFTER };
enum list_type { LIST_NONE, LIST_BULLET, LIST_NUMBER };

struct parser {
    const char *path;
    char *err;
    size_t errlen;
    int line;
    bool failed;
    struct quiz *quiz;
    size_t cap_questions;

    /* the question being read */
    bool in_question;
    struct quiz_question q;
    size_t cap_choices;
    int id_line;
    bool kind_given;
    enum place place;
    enum list_type list_type;
    bool in_code;      /* inside a ``` fence */
    bool blank_before; /* a blank line came since the last text */
    struct buf body, hint, expl, comment;
};

static void fail(struct parser *p, int line, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        snprintf(p->err, p->errlen, "%s:%d: %s", p->path, line, msg);
    else
        snprintf(p->err, p->errlen, "%s: %s", p->path, msg);
}

static void free_question(struct quiz_question *q)
{
    free(q->id);
    free(q->full_id);
    free(q->text);
    free(q->body);
    free(q->hint);
    free(q->explanation);
    free(q->salt);
    free(q->key);
    for (size_t i = 0; i < q->n_choices; i++) {
        free(q->choices[i].text);
        free(q->choices[i].comment);
    }
    free(q->choices);
    memset(q, 0, sizeof *q);
}

void quiz_free(struct quiz *quiz)
{
    if (!quiz)
        return;
    for (size_t i = 0; i < quiz->n_questions; i++)
        free_question(&quiz->questions[i]);
    free(quiz->questions);
    free(quiz->name);
    free(quiz->path);
    free(quiz->title);
    memset(quiz, 0, sizeof *quiz);
}

static bool valid_id(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
            return false;
    return true;
}

/* The comment of the last choice is collected in p->comment; store it. */
static void close_choice(struct parser *p)
{
    if (p->q.n_choices > 0) {
        struct quiz_choice *c = &p->q.choices[p->q.n_choices - 1];
        if (p->comment.len && !c->comment)
            c->comment = buf_take(&p->comment);
    }
    free(buf_take(&p->comment));
}

static bool ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

/* Removes a leading "**Explanation:**" (the document's own label). */
static char *strip_label(char *s)
{
    static const char *labels[] = {"**Explanation:**", "**Explanation**:", "**Model answer:**",
                                   "**Model answer**:"};
    if (!s)
        return s;
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        size_t n = strlen(labels[i]);
        if (strncmp(s, labels[i], n) == 0) {
            const char *rest = s + n;
            while (*rest == ' ')
                rest++;
            memmove(s, rest, strlen(rest) + 1);
            break;
        }
    }
    return s;
}

/* Checks the question just read and adds it to the quiz. */
static void finish_question(struct parser *p)
{
    if (!p->in_question)
        return;
    p->in_question = false;
    close_choice(p);
    struct quiz_question *q = &p->q;
    q->body = buf_take(&p->body);
    q->hint = buf_take(&p->hint);
    q->explanation = strip_label(buf_take(&p->expl));
    if (p->body.oom || p->hint.oom || p->expl.oom || p->comment.oom)
        fail(p, q->line, "out of memory");
    p->body.oom = p->hint.oom = p->expl.oom = p->comment.oom = false;
    if (p->failed)
        goto drop;

    if (p->in_code) {
        fail(p, q->line, "question '%s' has a ``` code block that is never closed", q->text);
        goto drop;
    }
    if (!q->id) {
        fail(p, q->line, "question '%s' has no id: add a line <!-- id: NAME --> under the heading",
             q->text);
        goto drop;
    }
    for (size_t i = 0; i < p->quiz->n_questions; i++) {
        if (strcmp(p->quiz->questions[i].id, q->id) == 0) {
            fail(p, p->id_line, "duplicate question id '%s' (first used at line %d)", q->id,
                 p->quiz->questions[i].line);
            goto drop;
        }
    }

    size_t n_correct = 0;
    for (size_t i = 0; i < q->n_choices; i++)
        n_correct += q->choices[i].correct;

    if (!p->kind_given) {
        if (q->n_choices == 2 && ieq(q->choices[0].text, "True") &&
            ieq(q->choices[1].text, "False"))
            q->kind = QUIZ_TRUE_FALSE;
        else if (p->list_type == LIST_NUMBER)
            q->kind = QUIZ_SINGLE;
        else
            q->kind = QUIZ_MULTIPLE;
    }

    if (q->kind == QUIZ_OPEN) {
        if (q->n_choices > 0) {
            fail(p, q->choices[0].line, "open question '%s' must not have choices", q->id);
            goto drop;
        }
        /* In an open question every "> " block is the model answer. */
        if (q->hint) {
            struct buf b = {0};
            buf_adds(&b, q->hint);
            if (q->explanation) {
                buf_adds(&b, "\n\n");
                buf_adds(&b, q->explanation);
            }
            free(q->hint);
            free(q->explanation);
            q->hint = NULL;
            q->explanation = strip_label(buf_take(&b));
        }
        if (!q->explanation) {
            fail(p, q->line, "open question '%s' has no model answer (a '> ' line)", q->id);
            goto drop;
        }
    } else {
        if (q->n_choices == 0) {
            fail(p, q->line,
                 "question '%s' has no choices (write them as '1. [ ] text' or '- [ ] text', "
                 "or mark it <!-- id: %s; kind: open -->)",
                 q->id, q->id);
            goto drop;
        }
        if (q->n_choices < 2) {
            fail(p, q->choices[0].line, "question '%s' has only one choice", q->id);
            goto drop;
        }
        if (q->kind == QUIZ_TRUE_FALSE && !(q->n_choices == 2 && ieq(q->choices[0].text, "True") &&
                                            ieq(q->choices[1].text, "False"))) {
            fail(p, q->line,
                 "true/false question '%s' must have exactly the choices True and False", q->id);
            goto drop;
        }
        if (q->key && n_correct > 0) {
            fail(p, q->line, "question '%s' has a key and [x] marks: keep one of them", q->id);
            goto drop;
        }
        if (!q->key != !q->salt) {
            fail(p, q->line, "question '%s': a key needs its salt (salt: S; key: HEX)", q->id);
            goto drop;
        }
        if (q->key) {
            /* a student edition: the key stands for the [x] marks */
        } else if ((q->kind == QUIZ_SINGLE || q->kind == QUIZ_TRUE_FALSE) && n_correct != 1) {
            fail(p, q->line, "%s question '%s' must mark exactly one answer with [x] (found %zu)",
                 quiz_kind_name(q->kind), q->id, n_correct);
            goto drop;
        }
        if (!q->key && q->kind == QUIZ_MULTIPLE && n_correct == 0) {
            fail(p, q->line, "multiple-choice question '%s' marks no answer with [x]", q->id);
            goto drop;
        }
    }

    q->full_id = malloc(strlen(p->quiz->name) + strlen(q->id) + 2);
    if (!q->full_id) {
        fail(p, q->line, "out of memory");
        goto drop;
    }
    sprintf(q->full_id, "%s.%s", p->quiz->name, q->id);

    if (p->quiz->n_questions == p->cap_questions) {
        size_t cap = p->cap_questions ? p->cap_questions * 2 : 16;
        struct quiz_question *qs = realloc(p->quiz->questions, cap * sizeof *qs);
        if (!qs) {
            fail(p, q->line, "out of memory");
            goto drop;
        }
        p->quiz->questions = qs;
        p->cap_questions = cap;
    }
    p->quiz->questions[p->quiz->n_questions++] = *q;
    memset(q, 0, sizeof *q);
    return;
drop:
    free_question(q);
}

static void start_question(struct parser *p, const char *heading)
{
    finish_question(p);
    memset(&p->q, 0, sizeof p->q);
    p->in_question = true;
    p->cap_choices = 0;
    p->id_line = 0;
    p->kind_given = false;
    p->place = BODY;
    p->list_type = LIST_NONE;
    p->in_code = false;
    p->blank_before = false;
    p->q.line = p->line;
    /* drop closing #s: "## Title ##" */
    char *text = trim_dup(heading);
    if (!text) {
        fail(p, p->line, "out of memory");
        return;
    }
    size_t n = strlen(text);
    while (n > 0 && text[n - 1] == '#')
        n--;
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    text[n] = '\0';
    if (!*text)
        fail(p, p->line, "question heading has no text");
    p->q.text = text;
}

/* "<!-- id: q01; kind: single -->" */
static void read_meta(struct parser *p, const char *line)
{
    const char *start = strstr(line, "<!--") + 4;
    const char *end = strstr(start, "-->");
    if (!end) {
        fail(p, p->line, "comment '<!--' must be closed by '-->' on the same line");
        return;
    }
    char *inner = dup_range(start, (size_t)(end - start));
    if (!inner) {
        fail(p, p->line, "out of memory");
        return;
    }
    char *save = NULL;
    for (char *part = strtok_r(inner, ";,", &save); part && !p->failed;
         part = strtok_r(NULL, ";,", &save)) {
        char *colon = strchr(part, ':');
        if (!colon) {
            char *t = trim_dup(part);
            if (t && *t)
                fail(p, p->line, "expected 'key: value' in the comment, got '%s'", t);
            free(t);
            continue;
        }
        *colon = '\0';
        char *key = trim_dup(part), *value = trim_dup(colon + 1);
        if (!key || !value) {
            fail(p, p->line, "out of memory");
        } else if (strcmp(key, "id") == 0) {
            if (p->q.id)
                fail(p, p->line, "question '%s' already has an id (line %d)", p->q.text,
                     p->id_line);
            else if (!valid_id(value))
                fail(p, p->line, "question id '%s' may use only letters, digits, '_' and '-'",
                     value);
            else {
                p->q.id = value;
                value = NULL;
                p->id_line = p->line;
            }
        } else if (strcmp(key, "key") == 0 || strcmp(key, "salt") == 0) {
            char **slot = key[0] == 'k' ? &p->q.key : &p->q.salt;
            if (*slot)
                fail(p, p->line, "'%s' is given twice", key);
            else if (key[0] == 'k' && strspn(value, "0123456789abcdef") != 64)
                fail(p, p->line, "'key' must be 64 lower-case hex digits (a SHA-256)");
            else {
                *slot = value;
                value = NULL;
            }
        } else if (strcmp(key, "kind") == 0) {
            p->kind_given = true;
            if (strcmp(value, "single") == 0)
                p->q.kind = QUIZ_SINGLE;
            else if (strcmp(value, "multiple") == 0)
                p->q.kind = QUIZ_MULTIPLE;
            else if (strcmp(value, "true-false") == 0)
                p->q.kind = QUIZ_TRUE_FALSE;
            else if (strcmp(value, "open") == 0)
                p->q.kind = QUIZ_OPEN;
            else
                fail(p, p->line, "unknown kind '%s' (single, multiple, true-false or open)", value);
        } else {
            fail(p, p->line, "unknown key '%s' in the question comment (id, kind, salt or key)",
                 key);
        }
        free(key);
        free(value);
    }
    free(inner);
}

/* Recognises "- [x] text", "* [ ] text", "1. [x] text", "2) [ ] text".
 * Returns true and fills the out parameters when the line is a choice. */
static bool parse_choice(const char *s, enum list_type *type, bool *correct, const char **text)
{
    const char *c = s;
    if (*c == '-' || *c == '*' || *c == '+') {
        *type = LIST_BULLET;
        c++;
    } else if (isdigit((unsigned char)*c)) {
        while (isdigit((unsigned char)*c))
            c++;
        if (*c != '.' && *c != ')')
            return false;
        c++;
        *type = LIST_NUMBER;
    } else {
        return false;
    }
    if (*c != ' ' && *c != '\t')
        return false;
    while (*c == ' ' || *c == '\t')
        c++;
    if (c[0] != '[' || (c[1] != ' ' && c[1] != 'x' && c[1] != 'X') || c[2] != ']')
        return false;
    *correct = c[1] != ' ';
    c += 3;
    if (*c && *c != ' ' && *c != '\t')
        return false;
    while (*c == ' ' || *c == '\t')
        c++;
    *text = c;
    return true;
}

static bool is_list_item(const char *s)
{
    if ((*s == '-' || *s == '*' || *s == '+') && (s[1] == ' ' || s[1] == '\t'))
        return true;
    if (isdigit((unsigned char)*s)) {
        while (isdigit((unsigned char)*s))
            s++;
        return (*s == '.' || *s == ')') && (s[1] == ' ' || s[1] == '\t');
    }
    return false;
}

static void add_choice(struct parser *p, enum list_type type, bool correct, const char *text)
{
    close_choice(p);
    if (p->place == AFTER) {
        fail(p, p->line, "choices must form one list: this choice comes after the explanation");
        return;
    }
    if (p->list_type != LIST_NONE && p->list_type != type) {
        fail(p, p->line, "question '%s' mixes numbered and bulleted choices", p->q.text);
        return;
    }
    if (p->q.n_choices >= QUIZ_MAX_CHOICES) {
        fail(p, p->line, "question '%s' has more than %d choices", p->q.text, QUIZ_MAX_CHOICES);
        return;
    }
    char *t = trim_dup(text);
    if (!t) {
        fail(p, p->line, "out of memory");
        return;
    }
    if (!*t) {
        free(t);
        fail(p, p->line, "choice has no text");
        return;
    }
    if (p->q.n_choices == p->cap_choices) {
        size_t cap = p->cap_choices ? p->cap_choices * 2 : 4;
        struct quiz_choice *cs = realloc(p->q.choices, cap * sizeof *cs);
        if (!cs) {
            free(t);
            fail(p, p->line, "out of memory");
            return;
        }
        p->q.choices = cs;
        p->cap_choices = cap;
    }
    p->q.choices[p->q.n_choices++] =
        (struct quiz_choice){.text = t, .comment = NULL, .correct = correct, .line = p->line};
    p->list_type = type;
    p->place = LIST;
    p->blank_before = false;
}

/* Text of a "> " line: without the ">" and one following space. */
static const char *quote_text(const char *s)
{
    s++;
    if (*s == ' ')
        s++;
    return s;
}

static void parse_line(struct parser *p, char *s)
{
    /* Before the first question: title text, shortcodes, anything. */
    if (!p->in_question) {
        const char *l = s;
        while (*l == ' ')
            l++;
        if (strncmp(l, "```", 3) == 0)
            p->in_code = !p->in_code;
        if (!p->in_code && s[0] == '#') {
            const char *h = s;
            while (*h == '#')
                h++;
            if ((h - s) <= 6 && (*h == ' ' || *h == '\t'))
                start_question(p, h);
        }
        return;
    }

    /* Fenced code: kept verbatim in whatever part we are in. */
    const char *lead = s;
    while (*lead == ' ' || *lead == '\t')
        lead++;
    if (strncmp(lead, "```", 3) == 0 || p->in_code) {
        if (strncmp(lead, "```", 3) == 0)
            p->in_code = !p->in_code;
        struct buf *b = p->place == BODY ? &p->body : &p->expl;
        if (p->place == LIST) {
            fail(p, p->line,
                 "a ``` code block cannot be part of a choice; put it in the question text");
            return;
        }
        buf_add_line(b, s, p->blank_before && !p->in_code);
        p->blank_before = false;
        return;
    }

    if (*lead == '\0') {
        p->blank_before = true;
        return;
    }

    if (s[0] == '#') {
        const char *h = s;
        while (*h == '#')
            h++;
        if ((h - s) <= 6 && (*h == ' ' || *h == '\t')) {
            start_question(p, h);
            return;
        }
    }

    if (strstr(s, "<!--")) {
        read_meta(p, s);
        return;
    }

    if (strncmp(s, "{{<", 3) == 0 || strncmp(s, "{{%", 3) == 0)
        return; /* Hugo shortcode such as {{< /quizdown >}} */

    bool indented = lead != s;
    enum list_type type;
    bool correct;
    const char *text;

    if (!indented || (lead - s) < 2) {
        if (parse_choice(lead, &type, &correct, &text)) {
            add_choice(p, type, correct, text);
            return;
        }
    }

    if (p->place == LIST) {
        if (indented && *lead == '>') {
            buf_add_line(&p->comment, quote_text(lead), p->blank_before);
            p->blank_before = false;
            return;
        }
        if (indented && !p->blank_before) {
            /* continuation of the choice text */
            struct quiz_choice *c = &p->q.choices[p->q.n_choices - 1];
            struct buf b = {.p = c->text, .len = strlen(c->text), .cap = strlen(c->text) + 1};
            buf_adds(&b, " ");
            buf_adds(&b, lead);
            if (b.oom) {
                fail(p, p->line, "out of memory");
                return;
            }
            c->text = b.p;
            return;
        }
        if (is_list_item(lead)) {
            fail(p, p->line, "choice has no checkbox: write '- [ ] text' or '- [x] text'");
            return;
        }
        close_choice(p);
        p->place = AFTER;
        p->blank_before = false;
    }

    if (*lead == '>') {
        struct buf *b = p->place == BODY ? &p->hint : &p->expl;
        buf_add_line(b, quote_text(lead), p->blank_before);
    } else {
        struct buf *b = p->place == BODY ? &p->body : &p->expl;
        buf_add_line(b, s, p->blank_before);
    }
    p->blank_before = false;
}

/* Is there a line "---" (or "---\r") anywhere in text? */
static bool has_closing_fence(const char *text)
{
    for (const char *s = text; *s;) {
        if (strncmp(s, "---", 3) == 0 &&
            (s[3] == '\n' || s[3] == '\0' || (s[3] == '\r' && (s[4] == '\n' || s[4] == '\0'))))
            return true;
        const char *nl = strchr(s, '\n');
        if (!nl)
            break;
        s = nl + 1;
    }
    return false;
}

static char *name_from_path(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".md") == 0)
        n -= 3;
    return dup_range(base, n);
}

int quiz_parse_string(const char *path, const char *text, struct quiz *out, char *err,
                      size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct parser p = {.path = path, .err = err, .errlen = errlen, .quiz = out};
    if (errlen)
        err[0] = '\0';

    out->name = name_from_path(path);
    out->path = strdup(path);
    if (!out->name || !out->path) {
        fail(&p, 0, "out of memory");
        goto fail;
    }
    if (!valid_id(out->name)) {
        fail(&p, 0, "quiz file name '%s' may use only letters, digits, '_' and '-' before .md",
             out->name);
        goto fail;
    }

    /* skip a UTF-8 byte order mark */
    if ((unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
        (unsigned char)text[2] == 0xBF)
        text += 3;

    const char *t = text;
    while (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n')
        t++;
    if (*t == '\0') {
        fail(&p, 0, "file is empty: a quiz needs at least one question (a '#' heading)");
        goto fail;
    }

    bool front = false; /* inside the front matter */
    int front_line = 0;
    const char *cur = text;
    while (*cur && !p.failed) {
        const char *nl = strchr(cur, '\n');
        size_t n = nl ? (size_t)(nl - cur) : strlen(cur);
        char *line = dup_range(cur, n);
        if (!line) {
            fail(&p, p.line + 1, "out of memory");
            break;
        }
        if (n > 0 && line[n - 1] == '\r')
            line[--n] = '\0';
        p.line++;
        cur = nl ? nl + 1 : cur + n;

        if (p.line == 1 && strcmp(line, "---") == 0) {
            front = true;
            front_line = 1;
            if (!has_closing_fence(cur)) {
                fail(&p, 1,
                     "front matter opened with '---' is never closed (no second '---' line)");
                free(line);
                break;
            }
        } else if (front) {
            if (strcmp(line, "---") == 0) {
                front = false;
            } else if (line[0] != '#' && line[0] != '\0') {
                char *colon = strchr(line, ':');
                if (!colon) {
                    fail(&p, p.line, "front matter line must be 'key: value'");
                } else {
                    *colon = '\0';
                    char *key = trim_dup(line);
                    if (key && strcmp(key, "title") == 0) {
                        free(out->title);
                        out->title = trim_dup(colon + 1);
                        /* drop surrounding quotes */
                        if (out->title) {
                            size_t tn = strlen(out->title);
                            if (tn >= 2 && (out->title[0] == '"' || out->title[0] == '\'') &&
                                out->title[tn - 1] == out->title[0]) {
                                memmove(out->title, out->title + 1, tn - 2);
                                out->title[tn - 2] = '\0';
                            }
                        }
                    }
                    free(key);
                }
            }
        } else {
            parse_line(&p, line);
        }
        free(line);
    }
    if (!p.failed && front)
        fail(&p, front_line,
             "front matter opened with '---' is never closed (no second '---' line)");
    if (!p.failed)
        finish_question(&p);
    else if (p.in_question) {
        free_question(&p.q);
        close_choice(&p);
    }
    free(buf_take(&p.body));
    free(buf_take(&p.hint));
    free(buf_take(&p.expl));
    free(buf_take(&p.comment));
    if (p.failed)
        goto fail;
    if (out->n_questions == 0) {
        fail(&p, 0, "no questions found: a question starts with a Markdown heading ('### ...')");
        goto fail;
    }
    if (!out->title) {
        out->title = strdup(out->name);
        if (!out->title) {
            fail(&p, 0, "out of memory");
            goto fail;
        }
    }
    return 0;
fail:
    quiz_free(out);
    return -1;
}

int quiz_parse_file(const char *path, struct quiz *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char *text = file_read_or_say(path, NULL, err, errlen);
    if (!text)
        return -1;
    int rc = quiz_parse_string(path, text, out, err, errlen);
    free(text);
    return rc;
}

const struct quiz_question *quiz_find(const struct quiz *quiz, const char *id)
{
    size_t nl = strlen(quiz->name);
    if (strncmp(id, quiz->name, nl) == 0 && id[nl] == '.')
        id += nl + 1;
    for (size_t i = 0; i < quiz->n_questions; i++)
        if (strcmp(quiz->questions[i].id, id) == 0)
            return &quiz->questions[i];
    return NULL;
}

int quiz_points(const struct quiz *quiz)
{
    int n = 0;
    for (size_t i = 0; i < quiz->n_questions; i++)
        n += quiz->questions[i].kind != QUIZ_OPEN;
    return n;
}

const char *quiz_kind_name(enum quiz_kind kind)
{
    switch (kind) {
    case QUIZ_SINGLE: return "single-choice";
    case QUIZ_MULTIPLE: return "multiple-choice";
    case QUIZ_TRUE_FALSE: return "true/false";
    case QUIZ_OPEN: return "open";
    }
    return "?";
}

unsigned quiz_correct_mask(const struct quiz_question *q)
{
    unsigned m = 0;
    for (size_t i = 0; i < q->n_choices; i++)
        if (q->choices[i].correct)
            m |= 1u << i;
    return m;
}

void quiz_correct_answer(const struct quiz_question *q, char *buf, size_t buflen)
{
    size_t n = 0;
    if (buflen == 0)
        return;
    buf[0] = '\0';
    if (q->key)
        return;
    if (q->kind == QUIZ_TRUE_FALSE) {
        snprintf(buf, buflen, "%s", q->choices[0].correct ? "t" : "f");
        return;
    }
    for (size_t i = 0; i < q->n_choices && n + 1 < buflen; i++)
        if (q->choices[i].correct)
            buf[n++] = (char)('a' + i);
    buf[n] = '\0';
}

int quiz_parse_answer(const struct quiz_question *q, const char *answer, unsigned *mask, char *msg,
                      size_t msglen)
{
    *mask = 0;
    char *a = trim_dup(answer ? answer : "");
    if (!a) {
        snprintf(msg, msglen, "%s: out of memory", q->full_id);
        return -1;
    }
    for (char *c = a; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    int rc = -1;
    char last = (char)('a' + q->n_choices - 1);

    if (!*a) {
        snprintf(msg, msglen, "%s: no answer given", q->full_id);
        goto out;
    }
    if (q->kind == QUIZ_OPEN) {
        snprintf(msg, msglen, "%s: open question, not scored", q->full_id);
        goto out;
    }
    if (q->kind == QUIZ_TRUE_FALSE) {
        if (strcmp(a, "t") == 0 || strcmp(a, "true") == 0 || strcmp(a, "a") == 0)
            *mask = 1u;
        else if (strcmp(a, "f") == 0 || strcmp(a, "false") == 0 || strcmp(a, "b") == 0)
            *mask = 2u;
        else {
            snprintf(msg, msglen, "%s: '%s' is not an answer to a true/false question (t or f)",
                     q->full_id, answer);
            goto out;
        }
        rc = 0;
        goto out;
    }
    for (const char *c = a; *c; c++) {
        if (*c == ' ' || *c == ',' || *c == '\t')
            continue;
        if (*c < 'a' || *c > last) {
            if (isalpha((unsigned char)*c))
                snprintf(msg, msglen, "%s: '%c' is not one of the choices a-%c", q->full_id, *c,
                         last);
            else
                snprintf(msg, msglen, "%s: '%c' is not a choice letter (choices are a-%c)",
                         q->full_id, *c, last);
            goto out;
        }
        unsigned bit = 1u << (*c - 'a');
        if (*mask & bit) {
            snprintf(msg, msglen, "%s: '%c' is given twice", q->full_id, *c);
            goto out;
        }
        *mask |= bit;
    }
    if (q->kind == QUIZ_SINGLE && (*mask & (*mask - 1)) != 0) {
        snprintf(msg, msglen, "%s: single-choice question takes one letter, got '%s'", q->full_id,
                 answer);
        goto out;
    }
    rc = 0;
out:
    free(a);
    if (rc != 0)
        *mask = 0;
    return rc;
}

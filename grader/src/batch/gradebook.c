/*
 * gradebook.c - the batch's gradebook in the columns a platform imports,
 * the roster that names students, and one feedback file per student.
 *
 * Everything in a cell can come from a student (a folder name, a message a
 * test printed), so each cell is made valid UTF-8, quoted per RFC 4180 when
 * it holds a separator, quote or line break, and neutralised with a leading
 * ' when a spreadsheet would read it as a formula (CSV injection).
 *
 * Canvas: "Student, ID, SIS User ID, SIS Login ID, Section" and one column
 * per assignment, with the "Points Possible" row under the header.
 * Moodle: the assignment's offline grading worksheet, whose "Identifier" is
 * "Participant N", the number in the download-all folder names.
 */
#include "gradebook.h"
#include "wb_utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void csv_cell(struct strbuf *sb, const char *text)
{
    char *valid = wb_utf8_valid(text ? text : "");
    const char *t = valid ? valid : "";
    bool formula = strchr("=+-@\t\r", t[0]) && t[0] != '\0';
    bool quote =
        formula || strpbrk(t, ",\"\r\n") || t[0] == ' ' || (t[0] && t[strlen(t) - 1] == ' ');
    if (quote)
        sb_puts(sb, "\"");
    if (formula)
        sb_puts(sb, "'");
    for (const char *p = t; *p; p++)
        sb_append(sb, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
    if (quote)
        sb_puts(sb, "\"");
    free(valid);
}

static void csv_number(struct strbuf *sb, double v)
{
    sb_printf(sb, "%g", v);
}

/* ---- roster ---------------------------------------------------------------- */

/* Splits one CSV record at *p (RFC 4180 quoting) into malloc'd cells. */
static char **csv_record(const char **p, size_t *ncells)
{
    char **cells = NULL;
    size_t n = 0;
    struct strbuf cell = {0};
    const char *s = *p;
    for (;;) {
        bool quoted = *s == '"';
        if (quoted)
            s++;
        sb_puts(&cell, "");
        while (*s) {
            if (quoted && s[0] == '"' && s[1] == '"') {
                sb_append(&cell, "\"", 1);
                s += 2;
            } else if (quoted && *s == '"') {
                quoted = false;
                s++;
            } else if (!quoted && (*s == ',' || *s == '\n' || *s == '\r')) {
                break;
            } else {
                sb_append(&cell, s++, 1);
            }
        }
        char **grown = realloc(cells, (n + 2) * sizeof *cells);
        if (!grown)
            break;
        cells = grown;
        cells[n++] = sb_take(&cell);
        cells[n] = NULL;
        if (*s != ',')
            break;
        s++;
    }
    sb_free(&cell);
    if (*s == '\r')
        s++;
    if (*s == '\n')
        s++;
    *p = s;
    *ncells = n;
    return cells;
}

static void free_cells(char **cells, size_t n)
{
    for (size_t i = 0; cells && i < n; i++)
        free(cells[i]);
    free(cells);
}

static int column(char **header, size_t n, const char *const *names)
{
    for (size_t i = 0; i < n; i++)
        for (const char *const *w = names; *w; w++)
            if (strcasecmp(header[i], *w) == 0)
                return (int)i;
    return -1;
}

static char *cell_or_null(char **cells, size_t n, int col)
{
    return col >= 0 && (size_t)col < n && cells[col][0] ? strdup(cells[col]) : NULL;
}

int roster_load(const char *path, struct roster *r, char *err, size_t errlen)
{
    static const char *const id_names[] = {"id",       "student id", "id number",
                                           "idnumber", "identifier", NULL};
    static const char *const name_names[] = {"name", "full name", "student", NULL};
    static const char *const email_names[] = {"email", "email address", "e-mail", NULL};
    static const char *const login_names[] = {"login", "username", "github", "github_username",
                                              NULL};
    memset(r, 0, sizeof *r);
    char *text = file_read_or_say(path, NULL, err, errlen);
    if (!text)
        return -1;
    const char *p = text;
    if (strncmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3; /* a spreadsheet's byte order mark */
    size_t nh;
    char **header = csv_record(&p, &nh);
    int cid = column(header, nh, id_names), cname = column(header, nh, name_names);
    int cmail = column(header, nh, email_names), clogin = column(header, nh, login_names);
    int rc = 0;
    if (cid < 0 || cname < 0 || (cmail < 0 && clogin < 0)) {
        snprintf(err, errlen,
                 "%s: the first row must name the columns id, name and email and/or login", path);
        rc = -1;
    }
    for (int line = 2; rc == 0 && *p; line++) {
        size_t n;
        char **cells = csv_record(&p, &n);
        if (n == 1 && cells[0][0] == '\0') {
            free_cells(cells, n);
            continue; /* a blank line */
        }
        struct roster_entry *grown = realloc(r->items, (r->n + 1) * sizeof *r->items);
        if (!grown) {
            free_cells(cells, n);
            snprintf(err, errlen, "%s: out of memory", path);
            rc = -1;
            break;
        }
        r->items = grown;
        struct roster_entry *e = &r->items[r->n];
        e->id = cell_or_null(cells, n, cid);
        e->name = cell_or_null(cells, n, cname);
        e->email = cell_or_null(cells, n, cmail);
        e->login = cell_or_null(cells, n, clogin);
        free_cells(cells, n);
        if (!e->id) {
            snprintf(err, errlen, "%s:%d: no id", path, line);
            free(e->name);
            free(e->email);
            free(e->login);
            rc = -1;
            break;
        }
        r->n++;
    }
    free_cells(header, nh);
    free(text);
    if (rc != 0)
        roster_free(r);
    return rc;
}

void roster_free(struct roster *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->items[i].id);
        free(r->items[i].name);
        free(r->items[i].email);
        free(r->items[i].login);
    }
    free(r->items);
    memset(r, 0, sizeof *r);
}

char *moodle_participant(const char *folder)
{
    const char *tail = strstr(folder, "_assignsubmission_");
    if (!tail)
        return NULL;
    const char *start = tail;
    while (start > folder && start[-1] >= '0' && start[-1] <= '9')
        start--;
    if (start == tail || start == folder || start[-1] != '_')
        return NULL;
    return strndup(start, (size_t)(tail - start));
}

static bool same(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

/* "assignment-login": the folder ends in "-" and the login. */
static bool ends_with_login(const char *folder, const char *login)
{
    size_t f = login ? strlen(folder) : 0, l = login ? strlen(login) : 0;
    return l > 0 && f > l && folder[f - l - 1] == '-' && strcasecmp(folder + f - l, login) == 0;
}

const struct roster_entry *roster_match(const struct roster *r, const char *folder)
{
    char *participant = moodle_participant(folder);
    const struct roster_entry *found = NULL;
    for (size_t i = 0; !found && r && i < r->n; i++) {
        const struct roster_entry *e = &r->items[i];
        if (same(folder, e->id) || same(folder, e->login) || same(folder, e->email) ||
            same(participant, e->id))
            found = e;
    }
    for (size_t i = 0; !found && r && i < r->n; i++)
        if (ends_with_login(folder, r->items[i].login))
            found = &r->items[i];
    free(participant);
    return found;
}

/* ---- gradebook ---------------------------------------------------------------- */

int gradebook_format_parse(const char *name)
{
    if (strcmp(name, "wirebook") == 0)
        return GRADEBOOK_WIREBOOK;
    if (strcmp(name, "canvas") == 0)
        return GRADEBOOK_CANVAS;
    if (strcmp(name, "moodle") == 0)
        return GRADEBOOK_MOODLE;
    return -1;
}

static double number(json_t *obj, const char *key)
{
    return json_number_value(json_object_get(obj, key));
}

/* The score of CH/EX in one student's results, or -1 when it is not there. */
static double exercise_score(json_t *results, const char *chapter, const char *exercise)
{
    json_t *list = json_object_get(json_object_get(results, "extra_data"), "exercises");
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x)
    {
        const char *c = json_string_value(json_object_get(x, "chapter"));
        const char *e = json_string_value(json_object_get(x, "exercise"));
        if (c && e && strcmp(c, chapter) == 0 && strcmp(e, exercise) == 0)
            return number(x, "score");
    }
    return -1;
}

static bool column_used(const struct gradebook_row *rows, size_t n, const struct wb_exercise *e)
{
    for (size_t i = 0; i < n; i++)
        if (exercise_score(rows[i].results, e->chapter->id, e->id) >= 0)
            return true;
    return false;
}

/* Why a row's numbers need a look: not graded, or a quiz that could not be. */
static char *row_note(const struct gradebook_row *row)
{
    if (row->failed)
        return str_printf("not graded: see %s/grade.log", row->student);
    /* a broken answers file breaks every quiz the same way: say it once */
    struct strbuf sb = {0}, names = {0};
    const char *why = NULL;
    json_t *quizzes = json_object_get(json_object_get(row->results, "extra_data"), "quizzes");
    size_t i;
    json_t *q;
    json_array_foreach(quizzes, i, q)
    {
        const char *msg = json_string_value(json_object_get(q, "message"));
        if (!msg || strncmp(msg, "could not be graded", 19) != 0)
            continue;
        sb_printf(&names, "%s%s", names.len ? ", " : "",
                  json_string_value(json_object_get(q, "quiz")));
        why = why ? why : msg;
    }
    if (why)
        sb_printf(&sb, "quiz %s scored 0 of its points: %s", names.data, why);
    sb_free(&names);
    const char *late =
        json_is_true(json_object_get(
            json_object_get(json_object_get(row->results, "extra_data"), "late"), "late"))
            ? json_string_value(json_object_get(row->results, "output"))
            : NULL;
    if (late)
        sb_printf(&sb, "%s%s", sb.len ? "; " : "", late);
    return sb.len ? sb_take(&sb) : (sb_free(&sb), strdup(""));
}

static void wirebook_columns(const struct wb_manifest *m, const struct gradebook_row *rows,
                             size_t n, struct strbuf *sb)
{
    sb_puts(sb, "student,name");
    for (size_t c = 0; c < m->nchapters; c++)
        for (size_t k = 0; k < m->chapters[c].nexercises; k++)
            if (column_used(rows, n, &m->chapters[c].exercises[k]))
                sb_printf(sb, ",%s/%s", m->chapters[c].id, m->chapters[c].exercises[k].id);
    sb_puts(sb, ",quiz,total,max_score,note\r\n");
    for (size_t i = 0; i < n; i++) {
        const struct gradebook_row *row = &rows[i];
        csv_cell(sb, row->student);
        sb_puts(sb, ",");
        csv_cell(sb, row->who ? row->who->name : "");
        for (size_t c = 0; c < m->nchapters; c++)
            for (size_t k = 0; k < m->chapters[c].nexercises; k++) {
                const struct wb_exercise *x = &m->chapters[c].exercises[k];
                if (!column_used(rows, n, x))
                    continue;
                double s = row->failed ? -1 : exercise_score(row->results, x->chapter->id, x->id);
                sb_puts(sb, ",");
                if (s >= 0)
                    csv_number(sb, s);
            }
        json_t *quizzes = json_object_get(json_object_get(row->results, "extra_data"), "quizzes");
        double quiz = 0;
        size_t q;
        json_t *jq;
        json_array_foreach(quizzes, q, jq) quiz += number(jq, "score");
        sb_puts(sb, ",");
        if (!row->failed && json_array_size(quizzes) > 0)
            csv_number(sb, quiz);
        sb_puts(sb, ",");
        if (!row->failed) {
            csv_number(sb, number(row->results, "score"));
            sb_puts(sb, ",");
            csv_number(sb, number(row->results, "max_score"));
        } else {
            sb_puts(sb, ",");
        }
        sb_puts(sb, ",");
        char *note = row_note(row);
        csv_cell(sb, note);
        free(note);
        sb_puts(sb, "\r\n");
    }
}

static double course_max(const struct gradebook_row *rows, size_t n)
{
    double max = 0;
    for (size_t i = 0; i < n; i++)
        if (!rows[i].failed && number(rows[i].results, "max_score") > max)
            max = number(rows[i].results, "max_score");
    return max;
}

static void canvas_columns(const struct wb_manifest *m, const struct gradebook_row *rows, size_t n,
                           struct strbuf *sb)
{
    sb_puts(sb, "Student,ID,SIS User ID,SIS Login ID,Section,");
    csv_cell(sb, m->title);
    sb_puts(sb, "\r\n    Points Possible,,,,,");
    csv_number(sb, course_max(rows, n));
    sb_puts(sb, "\r\n");
    for (size_t i = 0; i < n; i++) {
        const struct gradebook_row *row = &rows[i];
        const struct roster_entry *w = row->who;
        csv_cell(sb, w && w->name ? w->name : row->student);
        sb_puts(sb, ",,");
        csv_cell(sb, w ? w->id : "");
        sb_puts(sb, ",");
        csv_cell(sb, w ? (w->login ? w->login : w->email) : "");
        sb_puts(sb, ",,");
        if (!row->failed)
            csv_number(sb, number(row->results, "score"));
        sb_puts(sb, "\r\n");
    }
}

static void moodle_columns(const struct gradebook_row *rows, size_t n, struct strbuf *sb)
{
    sb_puts(sb, "Identifier,Full name,Email address,Grade,Maximum Grade,Feedback comments\r\n");
    double max = course_max(rows, n);
    for (size_t i = 0; i < n; i++) {
        const struct gradebook_row *row = &rows[i];
        const struct roster_entry *w = row->who;
        char *participant = moodle_participant(row->student);
        char *ident = participant ? str_printf("Participant %s", participant)
                                  : strdup(w ? w->id : row->student);
        csv_cell(sb, ident);
        sb_puts(sb, ",");
        csv_cell(sb, w && w->name ? w->name : row->student);
        sb_puts(sb, ",");
        csv_cell(sb, w && w->email ? w->email : "");
        sb_puts(sb, ",");
        if (!row->failed)
            csv_number(sb, number(row->results, "score"));
        sb_puts(sb, ",");
        csv_number(sb, max);
        sb_puts(sb, ",");
        char *note = row_note(row);
        char *comment = str_printf("wirebook: %g/%g points%s%s",
                                   row->failed ? 0 : number(row->results, "score"), max,
                                   note && *note ? "; " : "", note ? note : "");
        csv_cell(sb, comment);
        sb_puts(sb, "\r\n");
        free(note);
        free(comment);
        free(participant);
        free(ident);
    }
}

int gradebook_write(const struct wb_manifest *m, enum gradebook_format format,
                    const struct gradebook_row *rows, size_t n, const char *path)
{
    struct strbuf sb = {0};
    switch (format) {
    case GRADEBOOK_WIREBOOK: wirebook_columns(m, rows, n, &sb); break;
    case GRADEBOOK_CANVAS: canvas_columns(m, rows, n, &sb); break;
    case GRADEBOOK_MOODLE: moodle_columns(rows, n, &sb); break;
    }
    int rc = sb.data ? file_write_atomic(path, sb.data, sb.len) : -1;
    sb_free(&sb);
    return rc;
}

/* ---- feedback ------------------------------------------------------------------ */

void html_text(struct strbuf *sb, const char *text)
{
    char *valid = wb_utf8_valid(text);
    for (const char *p = valid ? valid : ""; *p; p++) {
        switch (*p) {
        case '&': sb_puts(sb, "&amp;"); break;
        case '<': sb_puts(sb, "&lt;"); break;
        case '>': sb_puts(sb, "&gt;"); break;
        case '"': sb_puts(sb, "&quot;"); break;
        default: sb_append(sb, p, 1);
        }
    }
    free(valid);
}

int feedback_write(const char *dir, const struct gradebook_row *row)
{
    struct strbuf txt = {0}, html = {0};
    json_t *r = row->results;
    char *head = row->failed ? str_printf("wirebook could not grade this submission.")
                             : str_printf("wirebook: %g/%g points", number(r, "score"),
                                          number(r, "max_score"));
    sb_printf(&txt, "%s\n", head ? head : "");
    sb_puts(&html, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<title>wirebook feedback</title></head>\n<body><main>\n<h1>");
    html_text(&html, head);
    sb_puts(&html, "</h1>\n");
    const char *summary = json_string_value(json_object_get(r, "output"));
    if (summary && strchr(summary, ';')) {
        sb_printf(&txt, "%s\n", summary);
        sb_puts(&html, "<p>");
        html_text(&html, summary);
        sb_puts(&html, "</p>\n");
    }
    sb_puts(&html, "<ul>\n");
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(r, "tests"), i, t)
    {
        const char *vis = json_string_value(json_object_get(t, "visibility"));
        if (vis && strcmp(vis, "visible") != 0)
            continue; /* what Gradescope would not show yet, this file does not either */
        const char *name = json_string_value(json_object_get(t, "name"));
        const char *status = json_string_value(json_object_get(t, "status"));
        const char *output = json_string_value(json_object_get(t, "output"));
        bool passed = status && strcmp(status, "passed") == 0;
        sb_printf(&txt, "%s %s (%g/%g)\n", passed ? "ok  " : "FAIL", name ? name : "?",
                  number(t, "score"), number(t, "max_score"));
        sb_printf(&html, "<li>%s ", passed ? "ok" : "<strong>FAIL</strong>");
        html_text(&html, name);
        sb_printf(&html, " (%g/%g)", number(t, "score"), number(t, "max_score"));
        if (!passed && output && *output) {
            sb_printf(&txt, "    %s\n", output);
            sb_puts(&html, "<pre>");
            html_text(&html, output);
            sb_puts(&html, "</pre>");
        }
        sb_puts(&html, "</li>\n");
    }
    sb_puts(&html, "</ul>\n</main></body></html>\n");
    char *txt_path = path_join(dir, "feedback.txt");
    char *html_path = path_join(dir, "feedback.html");
    char *valid = txt.data ? wb_utf8_valid(txt.data) : NULL;
    int rc = valid && html.data && txt_path && html_path &&
                     file_write_atomic(txt_path, valid, strlen(valid)) == 0 &&
                     file_write_atomic(html_path, html.data, html.len) == 0
                 ? 0
                 : -1;
    free(valid);
    free(txt_path);
    free(html_path);
    free(head);
    sb_free(&txt);
    sb_free(&html);
    return rc;
}

/*
 * batch.c - grades a folder of submissions in parallel.
 *
 * Each submission is graded by its own `wirebook grade` process (this very
 * executable, re-run) with its own output folder, so a crash or a limit in
 * one never touches another. They can run side by side because tests bind
 * ephemeral ports and name their queues and topics uniquely; the brokers
 * chapters need are started once here, before the workers, and their
 * addresses handed down in the environment, so all workers share one broker
 * per kind. A submission whose results.json is newer than every file of it
 * is skipped (the batch resumes where it stopped) unless --force.
 *
 * Output, in OUT:
 *   STUDENT/results.json, results.xml  the grade (Gradescope JSON, JUnit XML)
 *   STUDENT/report.txt, grade.log      the table, and what grading printed
 *   STUDENT/feedback.txt, .html        what an LMS attaches for the student
 *   gradebook.csv                      one row per student (--format: wirebook's
 *                                      columns, Canvas's or Moodle's; gradebook.c)
 *   summary.txt, summary.html          the score distribution (HTML: an SVG histogram)
 *
 * With --only, a student's earlier results are kept and the part graded now
 * merged into them (batch_merge.c); OUT/STUDENT/graded.txt lists the
 * selections graded since the submission last changed, so a selection not
 * graded yet is graded even when the results are newer than the submission.
 */
#include "batch.h"
#include "batch_merge.h"
#include "gradebook.h"
#include "pipeline.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HISTOGRAM_BINS 10

struct submission_entry {
    char *student; /* the entry's name without its archive extension */
    char *path;
    char *out;    /* OUT/STUDENT */
    pid_t pid;    /* while being graded */
    bool skipped; /* results newer than the submission */
    bool failed;  /* grading did not produce results.json */
    bool merge;   /* --only over earlier results: merge, do not replace */
    json_t *results;
    const struct roster_entry *who;
};

struct batch {
    const struct batch_options *opts;
    struct submission_entry *entries;
    size_t n;
    size_t done, running, skipped;
    bool tty;
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *student_name(const char *file)
{
    static const char *exts[] = {".tar.gz", ".tgz", ".zip", ".ZIP", NULL};
    for (const char **e = exts; *e; e++)
        if (str_ends_with(file, *e))
            return strndup(file, strlen(file) - strlen(*e));
    return strdup(file);
}

static int list_submissions(const struct batch_options *o, struct batch *b, char *err,
                            size_t errlen)
{
    struct dirent **names = NULL;
    int count = scandir(o->dir, &names, NULL, alphasort);
    if (count < 0) {
        snprintf(err, errlen, "cannot list the submissions folder %s: %s", o->dir, strerror(errno));
        return -1;
    }
    b->entries = calloc((size_t)count + 1, sizeof *b->entries);
    int rc = b->entries ? 0 : -1;
    for (int i = 0; i < count; i++) {
        const char *name = names[i]->d_name;
        char *path = rc == 0 && name[0] != '.' ? path_join(o->dir, name) : NULL;
        if (path && (path_is_dir(path) || submission_is_archive(path))) {
            struct submission_entry *e = &b->entries[b->n++];
            e->path = path;
            e->student = student_name(name);
            e->out = e->student ? path_join(o->out_dir, e->student) : NULL;
            if (!e->student || !e->out)
                rc = -1;
        } else {
            free(path);
        }
        free(names[i]);
    }
    free(names);
    if (rc != 0)
        snprintf(err, errlen, "out of memory listing %s", o->dir);
    return rc;
}

static bool newer(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* The newest modification time of path and, for a folder, of everything in it. */
static void newest_change(const char *path, struct timespec *newest)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (newer(&st.st_mtim, newest))
        *newest = st.st_mtim;
    if (!S_ISDIR(st.st_mode))
        return;
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strcmp(e->d_name, ".git") == 0)
            continue;
        char *child = path_join(path, e->d_name);
        if (child)
            newest_change(child, newest);
        free(child);
    }
    if (d)
        closedir(d);
}

/* Results newer than everything in the submission. */
static bool results_fresh(const struct submission_entry *e)
{
    char *results = path_join(e->out, "results.json");
    struct stat st;
    bool fresh = false;
    if (results && stat(results, &st) == 0) {
        struct timespec newest = {0, 0};
        newest_change(e->path, &newest);
        fresh = newer(&st.st_mtim, &newest);
    }
    free(results);
    return fresh;
}

/* The selection a run grades, as a line of graded.txt. */
static char *selection_line(const struct batch_options *o)
{
    return str_printf("%s%s\n", o->only ? o->only : "*", o->quizzes ? "" : " (no quiz)");
}

/* Fresh results that already hold this selection (or everything). */
static bool up_to_date(const struct submission_entry *e, const struct batch_options *o)
{
    if (!results_fresh(e))
        return false;
    char *stamp_path = path_join(e->out, "graded.txt");
    char *graded = stamp_path ? file_read(stamp_path, NULL) : NULL;
    char *line = selection_line(o);
    /* whole lines only: "01_rest" must not count as "01_rest/http_client" */
    char *hay = graded ? str_printf("\n%s", graded) : NULL;
    char *needle = line ? str_printf("\n%s", line) : NULL;
    char *all = str_printf("\n*%s\n", o->quizzes ? "" : " (no quiz)");
    bool done =
        hay && needle && all && (strstr(hay, needle) || strstr(hay, "\n*\n") || strstr(hay, all));
    free(hay);
    free(needle);
    free(stamp_path);
    free(graded);
    free(line);
    free(all);
    return done;
}

/* Records the selection just graded: added to graded.txt when merged,
 * else the only line. */
static void stamp_selection(const struct submission_entry *e, const struct batch_options *o)
{
    char *stamp_path = path_join(e->out, "graded.txt");
    char *before = e->merge && stamp_path ? file_read(stamp_path, NULL) : NULL;
    char *line = selection_line(o);
    char *text = line ? str_printf("%s%s", before ? before : "", line) : NULL;
    if (!stamp_path || !text || file_write_atomic(stamp_path, text, strlen(text)) != 0)
        fprintf(stderr, "\nwirebook batch: cannot record what %s was graded with\n", e->student);
    free(stamp_path);
    free(before);
    free(line);
    free(text);
}

/* Where a worker writes: OUT/STUDENT, or OUT/STUDENT/partial to be merged. */
static char *worker_out(const struct submission_entry *e)
{
    return e->merge ? path_join(e->out, "partial") : strdup(e->out);
}

/* After a --only run over earlier results: merges partial/ into them. */
static void merge_partial(struct submission_entry *e)
{
    char *partial = path_join(e->out, "partial/results.json");
    char *whole = path_join(e->out, "results.json");
    json_error_t jerr;
    json_t *now = partial ? json_load_file(partial, 0, &jerr) : NULL;
    json_t *old = whole ? json_load_file(whole, 0, &jerr) : NULL;
    char *text = NULL;
    if (now && old && results_merge(old, now) == 0)
        text = json_dumps(old, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    if (!text || file_write_atomic(whole, text, strlen(text)) != 0) {
        fprintf(stderr, "\nwirebook batch: cannot merge %s into %s\n",
                partial ? partial : "partial results", whole ? whole : "results.json");
        if (whole)
            unlink(whole); /* not results that look complete but are not */
    }
    free(text);
    json_decref(now);
    json_decref(old);
    free(partial);
    free(whole);
}

/* Makes the brokers of the selected chapters reachable once, for every
 * worker: their settings go into our environment, which workers inherit. */
static int start_brokers(const struct wb_manifest *m, const struct batch_options *o, char *err,
                         size_t errlen)
{
    struct grade_options sel = {.only = o->only};
    for (size_t i = 0; i < m->nchapters; i++) {
        const struct wb_chapter *ch = &m->chapters[i];
        if (!ch->broker || !grade_selects_chapter(&sel, ch))
            continue;
        char **env = brokers_env_for(m, ch, err, errlen);
        if (!env)
            return -1;
        for (char **line = env; *line; line++) {
            char *eq = strchr(*line, '=');
            if (!eq)
                continue;
            *eq = '\0';
            int rc = setenv(*line, eq + 1, 1);
            *eq = '=';
            if (rc != 0) {
                snprintf(err, errlen, "cannot set %s for the workers: %s", *line, strerror(errno));
                free_argv(env);
                return -1;
            }
        }
        free_argv(env);
    }
    return 0;
}

/* In the forked worker: become `wirebook grade` for one submission. */
static void exec_worker(const char *self, const char *root, const struct submission_entry *e,
                        const struct batch_options *o)
{
    char *report = path_join(e->out, "report.txt");
    char *log = path_join(e->out, "grade.log");
    int out = report ? open(report, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
    int errfd = log ? open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
    if (out < 0 || errfd < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(errfd, STDERR_FILENO) < 0)
        _exit(126);
    setenv("NO_COLOR", "1", 1);
    char timeout[32];
    snprintf(timeout, sizeof timeout, "%g", o->test_timeout);
    const char *argv[16];
    size_t n = 0;
    argv[n++] = "wirebook";
    argv[n++] = "grade";
    argv[n++] = "--course";
    argv[n++] = root;
    argv[n++] = "--submission";
    argv[n++] = e->path;
    char *out_dir = worker_out(e);
    argv[n++] = "--out";
    argv[n++] = out_dir ? out_dir : e->out;
    if (o->only) {
        argv[n++] = "--only";
        argv[n++] = o->only;
    }
    if (o->test_timeout > 0) {
        argv[n++] = "--test-timeout";
        argv[n++] = timeout;
    }
    if (!o->quizzes)
        argv[n++] = "--no-quiz";
    argv[n] = NULL;
    execv(self, (char *const *)argv);
    dprintf(STDERR_FILENO, "wirebook batch: cannot run %s: %s\n", self, strerror(errno));
    _exit(127);
}

static void show_progress(const struct batch *b, const char *finished, double score, double max)
{
    size_t settled = b->done + b->skipped;
    if (!b->tty) {
        if (finished)
            fprintf(stderr, "[%zu/%zu] %s: %g/%g\n", settled, b->n, finished, score, max);
        return;
    }
    const int width = 30;
    int filled = b->n ? (int)(width * settled / b->n) : width;
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu graded, %zu running, %zu skipped ", filled,
            "##############################", width - filled, "", settled, b->n, b->running,
            b->skipped);
    fflush(stderr);
}

static void load_results(struct submission_entry *e)
{
    char *path = path_join(e->out, "results.json");
    json_error_t jerr;
    e->results = path ? json_load_file(path, 0, &jerr) : NULL;
    e->failed = !json_is_object(e->results);
    free(path);
}

static double number(json_t *obj, const char *key)
{
    return json_number_value(json_object_get(obj, key));
}

/* Waits for one worker and records how it went. */
static void reap_one(struct batch *b)
{
    int status;
    pid_t pid;
    while ((pid = wait(&status)) < 0 && errno == EINTR)
        ;
    if (pid < 0)
        return;
    for (size_t i = 0; i < b->n; i++) {
        struct submission_entry *e = &b->entries[i];
        if (e->pid != pid)
            continue;
        e->pid = 0;
        b->running--;
        b->done++;
        if (e->merge)
            merge_partial(e);
        load_results(e);
        if (!e->failed)
            stamp_selection(e, b->opts);
        show_progress(b, e->student, number(e->results, "score"), number(e->results, "max_score"));
        return;
    }
}

static void grade_all(const struct wb_manifest *m, const struct batch_options *o, struct batch *b)
{
    char *self = path_absolute("/proc/self/exe");
    for (size_t i = 0; i < b->n; i++) {
        struct submission_entry *e = &b->entries[i];
        if (!o->force && up_to_date(e, o)) {
            e->skipped = true;
            b->skipped++;
            load_results(e);
            show_progress(b, NULL, 0, 0);
            continue;
        }
        while (b->running >= (size_t)o->jobs)
            reap_one(b);
        char *results = path_join(e->out, "results.json");
        e->merge = o->only && results && path_is_file(results);
        free(results);
        char *out_dir = worker_out(e);
        pid_t pid = -1;
        if (self && out_dir && mkdir_p(out_dir) == 0) {
            fflush(NULL);
            pid = fork();
        }
        free(out_dir);
        if (pid == 0)
            exec_worker(self, m->root, e, o);
        if (pid < 0) {
            fprintf(stderr, "\nwirebook batch: cannot start grading %s: %s\n", e->student,
                    strerror(errno));
            e->failed = true;
            b->done++;
            continue;
        }
        e->pid = pid;
        b->running++;
        show_progress(b, NULL, 0, 0);
    }
    while (b->running > 0)
        reap_one(b);
    if (b->tty)
        fputc('\n', stderr);
    free(self);
}

/* ---- gradebook and summary ------------------------------------------------ */

static double percent(const struct submission_entry *e)
{
    double max = number(e->results, "max_score");
    return max > 0 ? 100.0 * number(e->results, "score") / max : 0;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct distribution {
    size_t bins[HISTOGRAM_BINS];
    size_t graded, largest;
    double mean, median, low, high;
};

static void distribution_of(const struct batch *b, struct distribution *d)
{
    memset(d, 0, sizeof *d);
    double *all = calloc(b->n + 1, sizeof *all);
    for (size_t i = 0; all && i < b->n; i++) {
        if (b->entries[i].failed)
            continue;
        double p = percent(&b->entries[i]);
        all[d->graded++] = p;
        int bin = (int)(p / (100.0 / HISTOGRAM_BINS));
        d->bins[bin >= HISTOGRAM_BINS ? HISTOGRAM_BINS - 1 : bin < 0 ? 0 : bin]++;
        d->mean += p;
    }
    if (all && d->graded > 0) {
        qsort(all, d->graded, sizeof *all, by_double);
        d->mean /= (double)d->graded;
        d->median =
            d->graded % 2 ? all[d->graded / 2] : (all[d->graded / 2 - 1] + all[d->graded / 2]) / 2;
        d->low = all[0];
        d->high = all[d->graded - 1];
    }
    for (int i = 0; i < HISTOGRAM_BINS; i++)
        if (d->bins[i] > d->largest)
            d->largest = d->bins[i];
    free(all);
}

static char *summary_text(const struct batch *b, const struct distribution *d, double seconds)
{
    struct strbuf sb = {0};
    size_t graded_now = 0;
    for (size_t i = 0; i < b->n; i++)
        graded_now += !b->entries[i].skipped && !b->entries[i].failed;
    sb_printf(&sb,
              "%zu submissions: %zu graded now, %zu up to date (skipped), %zu not graded; "
              "%.1f s\n",
              b->n, graded_now, b->skipped, b->n - d->graded, seconds);
    if (d->graded > 0)
        sb_printf(&sb, "score %%: mean %.1f, median %.1f, lowest %.1f, highest %.1f\n\n", d->mean,
                  d->median, d->low, d->high);
    for (int i = HISTOGRAM_BINS - 1; i >= 0; i--) {
        int lo = i * 100 / HISTOGRAM_BINS, hi = (i + 1) * 100 / HISTOGRAM_BINS;
        int bar = d->largest ? (int)(40 * d->bins[i] / d->largest) : 0;
        sb_printf(&sb, "%3d-%3d%% |%.*s %zu\n", lo, hi, bar,
                  "########################################", d->bins[i]);
    }
    for (size_t i = 0; i < b->n; i++)
        if (b->entries[i].failed)
            sb_printf(&sb, "not graded: %s (see %s/grade.log)\n", b->entries[i].student,
                      b->entries[i].student);
    return sb_take(&sb);
}

static char *summary_html(const struct batch *b, const struct distribution *d, const char *text)
{
    const int bar_w = 50, gap = 10, height = 200, top = 20, left = 30;
    struct strbuf sb = {0};
    sb_puts(&sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                 "<title>wirebook: grade distribution</title>\n<style>body{font-family:sans-serif;"
                 "margin:2em}table{border-collapse:collapse}td,th{padding:2px 10px;text-align:"
                 "left;border-bottom:1px solid #ddd}rect{fill:#4a7fb5}pre{background:#f4f4f4;"
                 "padding:1em}</style>\n</head><body>\n<h1>Grade distribution</h1>\n");
    int w = left + HISTOGRAM_BINS * (bar_w + gap) + gap;
    sb_printf(&sb,
              "<svg width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"histogram of "
              "scores\" xmlns=\"http://www.w3.org/2000/svg\">\n",
              w, height + top + 40);
    sb_printf(&sb, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", left,
              top + height, w, top + height);
    for (int i = 0; i < HISTOGRAM_BINS; i++) {
        int h = d->largest ? (int)(height * d->bins[i] / d->largest) : 0;
        int x = left + gap + i * (bar_w + gap);
        sb_printf(&sb,
                  "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"><title>%d-%d%%: %zu"
                  "</title></rect>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
                  "font-size=\"12\">%zu</text>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
                  "font-size=\"11\">%d-%d%%</text>\n",
                  x, top + height - h, bar_w, h, i * 10, (i + 1) * 10, d->bins[i], x + bar_w / 2,
                  top + height - h - 4, d->bins[i], x + bar_w / 2, top + height + 16, i * 10,
                  (i + 1) * 10);
    }
    sb_puts(&sb, "</svg>\n<pre>");
    html_text(&sb, text);
    sb_puts(&sb, "</pre>\n<h2>Students</h2>\n<table><tr><th>student</th><th>score</th>"
                 "<th>max</th><th>%</th><th>report</th></tr>\n");
    for (size_t i = 0; i < b->n; i++) {
        const struct submission_entry *e = &b->entries[i];
        sb_puts(&sb, "<tr><td>");
        html_text(&sb, e->student);
        if (e->failed)
            sb_puts(&sb, "</td><td colspan=\"3\">not graded</td>");
        else
            sb_printf(&sb, "</td><td>%g</td><td>%g</td><td>%.0f</td>", number(e->results, "score"),
                      number(e->results, "max_score"), percent(e));
        sb_puts(&sb, "<td><a href=\"");
        html_text(&sb, e->student);
        sb_puts(&sb, e->failed ? "/grade.log\">log</a></td></tr>\n"
                               : "/report.txt\">report</a></td></tr>\n");
    }
    sb_puts(&sb, "</table>\n</body></html>\n");
    return sb_take(&sb);
}

/* The gradebook in the format asked for, and each student's feedback. */
static int write_gradebook(const struct wb_manifest *m, const struct batch *b,
                           const struct batch_options *o, const char *path)
{
    struct gradebook_row *rows = calloc(b->n + 1, sizeof *rows);
    if (!rows)
        return -1;
    for (size_t i = 0; i < b->n; i++) {
        const struct submission_entry *e = &b->entries[i];
        rows[i] = (struct gradebook_row){
            .student = e->student, .who = e->who, .results = e->results, .failed = e->failed};
        if (feedback_write(e->out, &rows[i]) != 0)
            fprintf(stderr, "wirebook batch: cannot write the feedback of %s\n", e->student);
    }
    int rc = gradebook_write(m, (enum gradebook_format)o->format, rows, b->n, path);
    free(rows);
    return rc;
}

static int write_summary(const struct wb_manifest *m, const struct batch *b,
                         const struct batch_options *o, double seconds, char *err, size_t errlen)
{
    struct distribution d;
    distribution_of(b, &d);
    char *csv = path_join(o->out_dir, "gradebook.csv");
    char *txt = path_join(o->out_dir, "summary.txt");
    char *html_path = path_join(o->out_dir, "summary.html");
    char *text = summary_text(b, &d, seconds);
    char *html = text ? summary_html(b, &d, text) : NULL;
    int rc = -1;
    if (!csv || !txt || !html_path || !text || !html)
        snprintf(err, errlen, "out of memory writing the summary");
    else if (write_gradebook(m, b, o, csv) != 0)
        snprintf(err, errlen, "%s: cannot write: %s", csv, strerror(errno));
    else if (file_write_atomic_or_say(txt, text, strlen(text), err, errlen) == 0 &&
             file_write_atomic_or_say(html_path, html, strlen(html), err, errlen) == 0) {
        printf("%s\ngradebook: %s\nsummary:   %s\n", text, csv, html_path);
        rc = 0;
    }
    free(csv);
    free(txt);
    free(html_path);
    free(text);
    free(html);
    return rc;
}

int batch_run(const struct wb_manifest *m, const struct batch_options *o, char *err, size_t errlen)
{
    struct batch b = {.tty = isatty(STDERR_FILENO) != 0, .opts = o};
    struct roster roster = {0};
    double start = now_seconds();
    int rc = -1;
    if (mkdir_p(o->out_dir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", o->out_dir, strerror(errno));
        return -1;
    }
    if (list_submissions(o, &b, err, errlen) != 0)
        goto out;
    if (o->roster && roster_load(o->roster, &roster, err, errlen) != 0)
        goto out;
    for (size_t i = 0; o->roster && i < b.n; i++) {
        b.entries[i].who = roster_match(&roster, b.entries[i].student);
        if (!b.entries[i].who)
            fprintf(stderr, "wirebook batch: %s is not in the roster %s\n", b.entries[i].student,
                    o->roster);
    }
    if (b.n == 0) {
        snprintf(err, errlen, "%s holds no submission (folders, .zip, .tar.gz or .tgz)", o->dir);
        goto out;
    }
    fprintf(stderr, "wirebook batch: %zu submissions, %d at a time\n", b.n, o->jobs);
    if (start_brokers(m, o, err, errlen) != 0) {
        brokers_release(m);
        goto out;
    }
    grade_all(m, o, &b);
    brokers_release(m);
    if (write_summary(m, &b, o, now_seconds() - start, err, errlen) != 0)
        goto out;
    rc = 0;
    for (size_t i = 0; i < b.n; i++)
        if (b.entries[i].failed)
            rc = 1;
out:
    for (size_t i = 0; i < b.n; i++) {
        free(b.entries[i].student);
        free(b.entries[i].path);
        free(b.entries[i].out);
        json_decref(b.entries[i].results);
    }
    free(b.entries);
    roster_free(&roster);
    return rc;
}

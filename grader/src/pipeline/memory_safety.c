/*
 * memory_safety.c - the "memory_safety" test an exercise may list in the
 * manifest: its tests, run under AddressSanitizer + LeakSanitizer + UBSan,
 * must leave no finding. It is scored like any other test, with the first
 * finding as its message.
 *
 * The plain run scores the other tests; a second build of the exercise with
 * the sanitizers runs all its tests once more, writing every report to
 * files (log_path) instead of aborting, and only those files decide this
 * test. With --sanitize the one run is already sanitized and serves both.
 * Leaks the libraries make on their own (Criterion, gRPC, librdkafka) are
 * suppressed by testkit/lsan.supp, so a clean solution shows nothing.
 *
 * The sanitized build starts in the background while the plain run goes
 * on, and when the exercise's tests may run beside each other (no test
 * restarts a broker), that background child runs the sanitized tests too,
 * as soon as its build is done: a passing exercise then costs about the
 * longer of the two runs, not their sum. Its result counts only once every
 * other test passed; otherwise the child is stopped (and its keeper with it).
 *
 * An exercise whose "alone" tests restart the shared broker it holds alone
 * splits the sanitized run instead: the child runs the side-by-side tests
 * beside the plain run's, the plain run waits for them to end before its
 * alone tests (grade_options.between_passes), and the sanitized alone tests
 * come last. No test runs while another restarts the broker, and the
 * side-by-side halves overlap. If the child's build is still going when the
 * plain run reaches its alone tests, the plain run does not wait: the child
 * then only builds, and the whole sanitized run follows the plain one
 * (claim_side_by_side decides which). The child runs under the parent's broker
 * lock, inherited with the descriptor: the parent releases it only after
 * reaping the child.
 */
#include "parallel.h"
#include "pipeline.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MEMORY_SAFETY_TEST "memory_safety"
#define FINDING_LINES 14
/* A stub that fails every test is trivially free of leaks: memory safety
 * counts for code that works, so it is checked once every other test passes
 * (which also spares failing submissions the second build). */
#define NOT_YET "not checked yet: the sanitizer run comes once every other test passes"

static struct test_result *memory_test(struct exercise_result *r)
{
    for (size_t i = 0; i < r->ntests; i++)
        if (strcmp(r->tests[i].spec->name, MEMORY_SAFETY_TEST) == 0)
            return &r->tests[i];
    return NULL;
}

bool memory_safety_listed(const struct wb_exercise *e)
{
    for (size_t i = 0; i < e->ntests; i++)
        if (strcmp(e->tests[i].name, MEMORY_SAFETY_TEST) == 0)
            return true;
    return false;
}

bool memory_safety_is_grader_test(const char *name)
{
    return strcmp(name, MEMORY_SAFETY_TEST) == 0;
}

/* memory_safety_env; scoring: the run also scores the tests (sanitized
 * first), so a finding must not change how a test process exits: a leak
 * reported at exit then fails memory_safety alone, as when the plain run
 * scores the tests. (An error mid-test still ends the test unfinished.) */
static char **sanitizer_env(char **env, const char *log_prefix, const char *course_root,
                            bool scoring)
{
    size_t n = 0;
    while (env && env[n])
        n++;
    char **out = calloc(n + 4, sizeof *out);
    size_t k = 0;
    for (size_t i = 0; out && i < n; i++) {
        if (strncmp(env[i], "ASAN_OPTIONS=", 13) == 0 ||
            strncmp(env[i], "UBSAN_OPTIONS=", 14) == 0 || strncmp(env[i], "LSAN_OPTIONS=", 13) == 0)
            continue;
        if (!(out[k++] = strdup(env[i])))
            goto oom;
    }
    if (!out)
        return NULL;
    /* Reports go to LOG_PREFIX.PID files: one per test process. */
    out[k++] = str_printf("ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:log_path=%s%s", log_prefix,
                          scoring ? ":exitcode=0" : "");
    out[k++] = str_printf("UBSAN_OPTIONS=print_stacktrace=1:log_path=%s", log_prefix);
    out[k++] = str_printf("LSAN_OPTIONS=suppressions=%s/testkit/lsan.supp:print_suppressions=0",
                          course_root);
    if (out[k - 1] && out[k - 2] && out[k - 3])
        return out;
oom:
    free_argv(out);
    return NULL;
}

char **memory_safety_env(char **env, const char *log_prefix, const char *course_root)
{
    return sanitizer_env(env, log_prefix, course_root, false);
}

/* The first report in one log file, from its "ERROR:" or "runtime error"
 * line, without the "==PID==" prefixes and blank lines; NULL when none. */
static char *first_report(const char *path)
{
    char *text = file_read(path, NULL);
    if (!text)
        return NULL;
    char *start = strstr(text, "ERROR: ");
    /* A sanitizer that failed to start or to scan checked nothing: that is
     * not "clean" either. */
    static const char *const fatal_texts[] = {"has encountered a fatal error",
                                              "failed to read suppressions file"};
    for (size_t i = 0; i < sizeof fatal_texts / sizeof *fatal_texts; i++) {
        char *fatal = strstr(text, fatal_texts[i]);
        if (fatal && (!start || fatal < start))
            start = fatal;
    }
    char *ub = strstr(text, "runtime error");
    if (!start || (ub && ub < start))
        start = ub;
    if (!start) {
        free(text);
        return NULL;
    }
    while (start > text && start[-1] != '\n')
        start--;
    struct strbuf sb = {0};
    int lines = 0;
    for (char *line = strtok(start, "\n"); line && lines < FINDING_LINES;
         line = strtok(NULL, "\n")) {
        if (line[0] == '=' && line[1] == '=' && strstr(line + 2, "=="))
            line = strstr(line + 2, "==") + 2;
        while (*line == ' ' && line[1] == ' ' && line[2] == ' ' && line[3] == ' ')
            line += 2; /* keep some indentation for stack frames, not all */
        if (*line == '\0' || strncmp(line, "SUMMARY", 7) == 0)
            continue;
        sb_printf(&sb, "%s%s", sb.len ? "\n" : "", line);
        lines++;
    }
    free(text);
    return sb_take(&sb);
}

char *memory_safety_runtime_failure(const char *run_log)
{
    /* A sanitizer that could not write its report or stop the world to look
     * for leaks has checked nothing: that must not read as "clean". */
    static const char *const failures[] = {"ERROR: Can't open file",
                                           "LeakSanitizer has encountered a fatal error",
                                           "LeakSanitizer does not work under ptrace"};
    char *tail = file_read_tail(run_log, 64 * 1024, NULL);
    char *found = NULL;
    for (size_t i = 0; tail && !found && i < sizeof failures / sizeof *failures; i++) {
        const char *at = strstr(tail, failures[i]);
        if (at)
            found = str_printf("the sanitizers could not check this run: %.200s", at);
    }
    free(tail);
    return found;
}

char *memory_safety_first_finding(const char *log_prefix)
{
    char *dir = strdup(log_prefix);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (!slash) {
        free(dir);
        return NULL;
    }
    *slash = '\0';
    const char *base = slash + 1;
    DIR *d = opendir(dir);
    char *finding = NULL;
    for (struct dirent *de; d && !finding && (de = readdir(d));) {
        if (strncmp(de->d_name, base, strlen(base)) != 0 || de->d_name[strlen(base)] != '.')
            continue;
        char *path = path_join(dir, de->d_name);
        finding = path ? first_report(path) : NULL;
        free(path);
    }
    if (d)
        closedir(d);
    free(dir);
    return finding;
}

void memory_safety_judge(struct exercise_result *r, const char *finding, const char *not_run)
{
    struct test_result *t = memory_test(r);
    if (!t || t->state == TEST_EXCLUDED)
        return;
    if (t->state == TEST_PASSED)
        r->score -= t->score;
    free(t->output);
    if (not_run) {
        t->state = TEST_FAILED;
        t->score = 0;
        t->output = strdup(not_run);
    } else if (finding) {
        t->state = TEST_FAILED;
        t->score = 0;
        t->output = str_printf("under AddressSanitizer + LeakSanitizer + UBSan the tests found "
                               "(first finding):\n%s",
                               finding);
    } else {
        t->state = TEST_PASSED;
        t->score = t->spec->points;
        t->output = strdup("passed: no memory error, leak or undefined behaviour under "
                           "ASan + LSan + UBSan");
        r->score += t->score;
    }
}

void memory_safety_not_counted(struct exercise_result *r, const char *why)
{
    struct test_result *t = memory_test(r);
    if (!t || t->state == TEST_EXCLUDED)
        return;
    r->score -= t->score;
    r->max -= t->spec->points;
    t->state = TEST_EXCLUDED;
    t->score = 0;
    free(t->output);
    t->output = strdup(why);
}

/* True when every test but memory_safety passed (or is not counted). */
static bool others_pass(const struct exercise_result *r)
{
    for (size_t i = 0; i < r->ntests; i++)
        if (!memory_safety_is_grader_test(r->tests[i].spec->name) &&
            r->tests[i].state != TEST_PASSED && r->tests[i].state != TEST_EXCLUDED)
            return false;
    return true;
}

void memory_safety_from_run(struct exercise_result *r, const char *log_prefix)
{
    /* --sanitize is asked for to see the findings: show one whenever there
     * is one, also when other tests fail or no memory_safety test is listed. */
    char *finding = memory_safety_first_finding(log_prefix);
    struct test_result *t = memory_test(r);
    if (t && t->state != TEST_EXCLUDED && r->state == EX_GRADED) {
        memory_safety_judge(r, finding, finding || others_pass(r) ? NULL : NOT_YET);
    } else if (finding) {
        char *note = str_printf("%s%sthe sanitizers found (first finding):\n%s",
                                r->message ? r->message : "", r->message ? "\n" : "", finding);
        if (note) {
            free(r->message);
            r->message = note;
        }
    }
    free(finding);
}

/* The sanitized build's folder and files under ex_dir (malloc'd). */
struct san_paths {
    char *dir, *bin, *compile_log, *run_log, *report, *prefix, *outcome;
    char *alone_run_log, *alone_report; /* the alone tests' part of a split run */
    char *claim;                        /* who runs the side-by-side part: see claim_side_by_side */
};

static int san_paths(struct san_paths *p, const char *ex_dir)
{
    p->dir = path_join(ex_dir, "sanitize");
    p->bin = p->dir ? path_join(p->dir, "tests.bin") : NULL;
    p->compile_log = p->dir ? path_join(p->dir, "compile.log") : NULL;
    p->run_log = p->dir ? path_join(p->dir, "run.log") : NULL;
    p->report = p->dir ? path_join(p->dir, "report.json") : NULL;
    p->prefix = p->dir ? path_join(p->dir, SANITIZER_LOGS "/sanitizer") : NULL;
    p->outcome = p->dir ? path_join(p->dir, "outcome.txt") : NULL;
    p->alone_run_log = p->dir ? path_join(p->dir, "run-alone.log") : NULL;
    p->alone_report = p->dir ? path_join(p->dir, "report-alone.json") : NULL;
    p->claim = p->dir ? path_join(p->dir, "side-by-side.claim") : NULL;
    return p->outcome && p->prefix && p->report && p->run_log && p->compile_log && p->bin &&
                   p->alone_run_log && p->alone_report && p->claim
               ? 0
               : -1;
}

static void san_paths_free(struct san_paths *p)
{
    free(p->dir);
    free(p->bin);
    free(p->compile_log);
    free(p->run_log);
    free(p->report);
    free(p->prefix);
    free(p->outcome);
    free(p->alone_run_log);
    free(p->alone_report);
    free(p->claim);
}

/* In a split run, the child may run the sanitized side-by-side tests only
 * if it starts them before the plain run reaches its alone tests; if its
 * build is slower than that, the plain run goes on without waiting and the
 * whole sanitized run comes after it, as without a split. Whichever of the
 * two creates the claim file first decides (O_EXCL makes that atomic).
 * True when the caller made it. */
static bool claim_side_by_side(const struct san_paths *p)
{
    int fd = open(p->claim, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/* How the background child's sanitized run ended, for the parent. */
static int outcome_write(const char *path, const struct proc_outcome *o)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int n = fprintf(f, "%d %d %d %d %d %d %u %.6f\n", o->started, o->exit_code, o->signal,
                    o->timed_out, o->process_limit, o->keeper_lost, o->layers, o->seconds);
    return fclose(f) == 0 && n > 0 ? 0 : -1;
}

static int outcome_read(const char *path, struct proc_outcome *o)
{
    FILE *f = fopen(path, "r");
    int started, timed_out, process_limit, keeper_lost;
    int n = f ? fscanf(f, "%d %d %d %d %d %d %u %lf", &started, &o->exit_code, &o->signal,
                       &timed_out, &process_limit, &keeper_lost, &o->layers, &o->seconds)
              : 0;
    if (f)
        fclose(f);
    o->started = started;
    o->timed_out = timed_out;
    o->process_limit = process_limit;
    o->keeper_lost = keeper_lost;
    return n == 8 ? 0 : -1;
}

/* True when the sanitized tests may run while the plain ones do: none of
 * them stops or restarts a broker that the plain run's tests use. A test
 * that restarts a broker private to each test (kafka_path's, a mock Kafka
 * cluster per test) disturbs no other run, nor does one whose restart
 * stops only a RabbitMQ virtual host its run made for it (private_vhost.c);
 * each run still keeps its "alone" tests apart from its others
 * (test_passes.c, run.c). */
static bool may_run_early(const struct wb_exercise *e, const struct grade_options *o)
{
    return e->parallel_tests && (!brokers_restart_is_shared(e) || o->restarts_scoped);
}

/* The options of a sanitized run of part of e's tests. */
static struct grade_options sanitized_options(const struct grade_options *o, enum passes_part part)
{
    struct grade_options so = *o;
    so.sanitize = true;
    so.valgrind = false;
    so.test_filter = NULL; /* every test of the exercise, whatever --tests selected */
    so.tests = NULL;
    so.passes_part = part;
    so.between_passes = NULL;
    return so;
}

bool memory_safety_splits(const struct wb_exercise *e, const struct grade_options *o)
{
    /* Not with --tests: the plain run is then one pass, which may hold an
     * alone test, and nothing would keep the halves apart. */
    struct grade_options so = sanitized_options(o, PASSES_ALL);
    return memory_safety_wanted(e, o) && !o->tests && !may_run_early(e, o) &&
           test_passes_split(e, &so);
}

/* The sanitized run itself, of part of the tests: reports to files under p
 * (report and run_log: where this part writes its own), outcome in *out. */
static int sanitized_run(const struct build_ctx *plain, const struct wb_exercise *e,
                         const struct san_paths *p, enum passes_part part, const char *report,
                         const char *run_log, char **env, const struct grade_options *o,
                         int timeout_ms, struct proc_outcome *out)
{
    /* fail_fast: memory_safety_first's run, which scores the tests too */
    char **san_env = sanitizer_env(env, p->prefix, plain->course_root, o->fail_fast);
    struct grade_options so = sanitized_options(o, part);
    int rc = san_env ? run_tests(e, p->bin, report, run_log, san_env, timeout_ms, &so,
                                 plain->course_root, out)
                     : -1;
    free_argv(san_env);
    return rc;
}

bool memory_safety_wanted(const struct wb_exercise *e, const struct grade_options *o)
{
    return memory_safety_listed(e) && !o->sanitize && !o->valgrind &&
           (!o->tests || test_list_has(o->tests, MEMORY_SAFETY_TEST));
}

/* The sanitized test binary: the student files compiled again with the
 * sanitizers, screened like the plain build (screen.c allows only the
 * compiler's own sanitizer constructors) and linked from that screened
 * object, as build_exercise expects in DIR/screen. */
static int sanitized_build(const struct build_ctx *plain, const struct wb_exercise *e,
                           const struct san_paths *p)
{
    struct build_ctx b = *plain;
    b.sanitize = true;
    char *screen_dir = path_join(p->dir, "screen");
    char *refused = screen_dir ? screen_exercise(&b, e, screen_dir, p->compile_log) : NULL;
    char *message = NULL;
    int rc = screen_dir && !refused && build_exercise(&b, e, p->bin, p->compile_log, &message) == 0
                 ? 0
                 : -1;
    free(message);
    free(refused);
    free(screen_dir);
    return rc;
}

pid_t memory_safety_prebuild(const struct build_ctx *plain, const struct wb_exercise *e,
                             const char *ex_dir, char **env, const struct grade_options *o,
                             int timeout_ms)
{
    struct san_paths p = {0};
    pid_t pid = -1;
    if (san_paths(&p, ex_dir) == 0 && remove_tree(p.dir) == 0 && mkdir_p(p.dir) == 0) {
        fflush(NULL);
        pid = fork();
        if (pid == 0) { /* the child compiles (and runs) while the parent runs the tests */
            (void)prctl(PR_SET_NAME, "wb-sanbuild");
            if (sanitized_build(plain, e, &p) != 0)
                _exit(1);
            bool early = may_run_early(e, o);
            if (!early && !(memory_safety_splits(e, o) && claim_side_by_side(&p)))
                _exit(0); /* the parent runs the sanitized tests after its own */
            /* under the broker lock the parent took before forking us */
            struct proc_outcome outcome;
            int rc = sanitized_run(plain, e, &p, early ? PASSES_ALL : PASSES_SIDE_BY_SIDE, p.report,
                                   p.run_log, env, o, timeout_ms, &outcome) == 0
                         ? outcome_write(p.outcome, &outcome)
                         : -1;
            _exit(rc == 0 ? 0 : 1);
        }
    }
    san_paths_free(&p);
    return pid;
}

/* How long the grader waits for the background sanitized build, beyond
 * the limit of the sanitized run it may be doing. */
#define PREBUILD_WAIT_MS (10 * 60 * 1000)

static void reap_prebuild(pid_t pid, bool wanted, int run_ms)
{
    if (pid <= 0)
        return;
    if (!wanted)
        kill(pid, SIGKILL); /* its keeper, if it runs tests, stops them */
    for (long waited = 0;; waited += 20) {
        pid_t done = waitpid(pid, NULL, WNOHANG);
        if (done == pid || (done < 0 && errno != EINTR))
            return;
        if (waited >= PREBUILD_WAIT_MS + (long)run_ms)
            kill(pid, SIGKILL); /* the next rounds reap it */
        usleep(20 * 1000);
    }
}

void memory_safety_wait_side_by_side(void *arg)
{
    struct memory_safety_child *child = arg;
    struct san_paths p = {0};
    /* Claimed here first: the child will not run them, nothing to wait for. */
    bool mine = san_paths(&p, child->ex_dir) == 0 && claim_side_by_side(&p);
    san_paths_free(&p);
    if (mine)
        return;
    if (child->pid > 0 && !child->reaped)
        reap_prebuild(child->pid, true, child->run_ms);
    child->reaped = true; /* memory_safety_run reads its files */
}

/* The tests that did not pass in the sanitized run, with their first
 * failure ("name (file:line: message)", "; "-separated); NULL when all
 * passed or the report cannot be read. */
static char *sanitized_run_failures(const char *report_path)
{
    json_t *root = json_load_file(report_path, 0, NULL);
    struct strbuf sb = {0};
    size_t i;
    json_t *entry;
    json_array_foreach(json_object_get(root, "tests"), i, entry)
    {
        const char *status = json_string_value(json_object_get(entry, "status"));
        if (status && strcmp(status, "PASSED") == 0)
            continue;
        json_t *first = json_array_get(json_object_get(entry, "failures"), 0);
        const char *file = json_string_value(json_object_get(first, "file"));
        const char *base = file && strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
        const char *msg = json_string_value(json_object_get(first, "message"));
        const char *name = json_string_value(json_object_get(entry, "name"));
        sb_printf(&sb, "%s%s", sb.len ? "; " : "", name ? name : "?");
        if (json_is_true(json_object_get(entry, "timed_out")))
            sb_puts(&sb, " (timed out)");
        else if (msg)
            sb_printf(&sb, " (%s:%lld: %.300s)", base ? base : "?",
                      (long long)json_integer_value(json_object_get(first, "line")), msg);
    }
    json_decref(root);
    if (sb.len == 0) {
        sb_free(&sb);
        return NULL;
    }
    return sb_take(&sb);
}

/* A test stopped by a failed check skips its own clean-up, so LeakSanitizer
 * then reports the test's memory too: say which test failed, so that the
 * leak is not blamed on the student's code alone. */
char *memory_safety_blame(char *finding, const char *report_path)
{
    char *failed =
        finding && strstr(finding, "LeakSanitizer") ? sanitized_run_failures(report_path) : NULL;
    if (!failed)
        return finding;
    char *both = str_printf("in the sanitized run these tests failed: %s. A test stopped by a "
                            "failed check leaves its own memory behind, so look at that first; "
                            "the leak report:\n%s",
                            failed, finding);
    free(failed);
    if (!both)
        return finding;
    free(finding);
    return both;
}

/* The second part of a split sanitized run: the alone tests, after the
 * plain run's; its report and outcome join the first part's in p->report
 * and *outcome. False when it could not run. */
static bool sanitized_alone_part(const struct build_ctx *plain, const struct wb_exercise *e,
                                 const struct san_paths *p, char **env,
                                 const struct grade_options *o, int timeout_ms,
                                 struct proc_outcome *outcome)
{
    struct proc_outcome alone;
    if (sanitized_run(plain, e, p, PASSES_ALONE, p->alone_report, p->alone_run_log, env, o,
                      timeout_ms, &alone) != 0)
        return false;
    test_outcomes_merge(outcome, &alone);
    /* no merged report: the blame of a leak then names no failed test */
    if (test_reports_merge(e, p->report, p->alone_report, p->report) != 0)
        remove(p->report);
    return true;
}

/* The finding that fails memory_safety after a sanitized run of every test
 * (report and logs in p; the alone part's too when split), or NULL. */
static char *finding_of_run(const struct san_paths *p, bool split,
                            const struct proc_outcome *outcome, int timeout_ms)
{
    char *finding = memory_safety_blame(memory_safety_first_finding(p->prefix), p->report);
    if (!finding)
        finding = memory_safety_runtime_failure(p->run_log);
    if (!finding && split)
        finding = memory_safety_runtime_failure(p->alone_run_log);
    if (!finding && (outcome->timed_out || outcome->signal))
        finding = str_printf("the sanitized test runner %s", proc_describe(outcome, timeout_ms));
    return finding;
}

void memory_safety_run(const struct build_ctx *plain, const struct wb_exercise *e,
                       const char *ex_dir, char **env, const struct grade_options *o,
                       int timeout_ms, const struct memory_safety_child *child,
                       struct exercise_result *r)
{
    /* The build (and run) started in the background ends first, whatever
     * comes next: it is stopped when its result will not be used, and waited
     * for only so long otherwise (its compiles and its run have their own
     * limits; this is a guard). (ECHILD: someone reaped it already; the
     * files tell how it went.) */
    bool wanted = r->state == EX_GRADED && memory_test(r) &&
                  memory_test(r)->state != TEST_EXCLUDED && others_pass(r);
    bool started = child && child->pid > 0; /* the background build (and run) */
    if (started && !child->reaped)
        reap_prebuild(child->pid, wanted, timeout_ms);
    if (r->state != EX_GRADED || !memory_test(r) || memory_test(r)->state == TEST_EXCLUDED)
        return;
    if (!others_pass(r)) {
        memory_safety_judge(r, NULL, NOT_YET);
        return;
    }
    struct san_paths p = {0};
    struct proc_outcome outcome;
    bool paths = san_paths(&p, ex_dir) == 0;
    /* The background child ran the tests already when it wrote an outcome
     * (all of them, or the side-by-side ones of a split run). */
    bool ran = paths && started && outcome_read(p.outcome, &outcome) == 0;
    bool split = ran && memory_safety_splits(e, o);
    bool ready = paths;
    if (ready && !started) { /* not started in the background: build now */
        ready =
            remove_tree(p.dir) == 0 && mkdir_p(p.dir) == 0 && sanitized_build(plain, e, &p) == 0;
    }
    if (!paths) {
        memory_safety_judge(r, NULL, "could not prepare the sanitizer run");
    } else if (!ran && (!ready || !path_is_file(p.bin))) {
        char *why = str_printf("the sanitizer build failed (see %s)", p.compile_log);
        memory_safety_judge(r, NULL, why ? why : "the sanitizer build failed");
        free(why);
    } else if (!ran && sanitized_run(plain, e, &p, PASSES_ALL, p.report, p.run_log, env, o,
                                     timeout_ms, &outcome) != 0) {
        memory_safety_judge(r, NULL, "could not start the sanitizer run");
    } else if (split && !sanitized_alone_part(plain, e, &p, env, o, timeout_ms, &outcome)) {
        memory_safety_judge(r, NULL, "could not start the sanitizer run of the alone tests");
    } else {
        r->sanitized_seconds = outcome.seconds;
        char *finding = finding_of_run(&p, split, &outcome, timeout_ms);
        memory_safety_judge(r, finding, NULL);
        free(finding);
    }
    san_paths_free(&p);
}

bool memory_safety_first_applies(const struct wb_exercise *e, const struct grade_options *o)
{
    bool first = o->sanitized_first_for ? o->sanitized_first_for(e, o->sanitized_first_arg)
                                        : o->sanitized_first;
    return first && memory_safety_wanted(e, o) && !o->tests;
}

bool memory_safety_first(const struct build_ctx *plain, const struct wb_exercise *e,
                         const char *ex_dir, char **env, const struct grade_options *o,
                         int timeout_ms, struct exercise_result *r)
{
    if (!memory_safety_first_applies(e, o))
        return false;
    struct san_paths p = {0};
    struct grade_options fast = *o;
    fast.fail_fast = true; /* its first failure hands the exercise to the plain run */
    struct proc_outcome outcome;
    struct exercise_result trial = {.ex = e};
    bool scored = false;
    if (san_paths(&p, ex_dir) == 0 && remove_tree(p.dir) == 0 && mkdir_p(p.dir) == 0 &&
        sanitized_build(plain, e, &p) == 0 &&
        sanitized_run(plain, e, &p, PASSES_ALL, p.report, p.run_log, env, &fast, timeout_ms,
                      &outcome) == 0) {
        score_exercise(&trial, p.report, p.run_log, &outcome, timeout_ms, o->test_timeout,
                       brokers_kafka_is_real());
        scored = trial.state == EX_GRADED && others_pass(&trial);
    }
    if (scored) {
        char *finding = finding_of_run(&p, false, &outcome, timeout_ms);
        memory_safety_judge(&trial, finding, NULL);
        free(finding);
        trial.seconds = trial.sanitized_seconds = outcome.seconds;
        trial.isolation = outcome.layers;
        trial.started_at = r->started_at;
        trial.ended_at = r->ended_at;
        exercise_result_free(r);
        *r = trial;
    } else {
        exercise_result_free(&trial);
    }
    san_paths_free(&p);
    return scored;
}

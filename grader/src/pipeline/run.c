/*
 * run.c - runs an exercise's test binary the way the grader trusts it:
 * each test in its own Criterion worker (several side by side, in one or
 * two runs: see test_passes.c), its report written by our own output
 * provider, a clean environment, limits, and nothing left running afterwards.
 */
#include "pipeline.h"
#include "sandbox.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int env_add(char ***env, size_t *n, char *entry)
{
    if (!entry)
        return -1;
    char **grown = realloc(*env, (*n + 2) * sizeof *grown);
    if (!grown) {
        free(entry);
        return -1;
    }
    grown[(*n)++] = entry;
    grown[*n] = NULL;
    *env = grown;
    return 0;
}

char **run_environment(const char *scratch_dir, const char *chapter_dir, const char *bin_dir,
                       char **broker_env, bool sanitize)
{
    char **env = NULL;
    size_t n = 0;
    const char *path = getenv("PATH");
    int rc = 0;
    rc |= env_add(&env, &n, str_printf("PATH=%s", path && *path ? path : "/usr/bin:/bin"));
    rc |= env_add(&env, &n, str_printf("HOME=%s", scratch_dir));
    rc |= env_add(&env, &n, str_printf("TMPDIR=%s", scratch_dir));
    rc |= env_add(&env, &n, strdup("LANG=C.UTF-8"));
    rc |= env_add(&env, &n, str_printf("WB_CHAPTER_DIR=%s", chapter_dir));
    if (bin_dir)
        rc |= env_add(&env, &n, str_printf("WB_BIN_DIR=%s", bin_dir));
    for (char **b = broker_env; b && *b; b++)
        rc |= env_add(&env, &n, strdup(*b));
    if (sanitize) {
        /* Make every sanitizer finding fatal, so a test that triggers one fails. */
        rc |= env_add(&env, &n, strdup("ASAN_OPTIONS=abort_on_error=1:detect_leaks=1"));
        rc |= env_add(&env, &n, strdup("UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"));
    }
    if (rc != 0) {
        free_argv(env);
        return NULL;
    }
    return env;
}

/* Exit code valgrind gives a process in which it found an error; score.c
 * fails a test whose worker exited non-zero after passing. */
#define VALGRIND_ERROR_EXIT "99"

/* Processes and threads one test run may have at once: gRPC and Kafka tests
 * use a few dozen threads plus a peer; a fork bomb stops here. Each further
 * parallel worker gets room for as many again. */
#define RUN_MAX_PROCESSES 1024
#define RUN_PROCESSES_PER_WORKER 256

/* Address space of each test process (RLIMIT_AS): gRPC's and librdkafka's
 * threads reserve stacks, so well above what they use; low enough that a few
 * parallel batch workers with a memory hog each cannot exhaust the machine. */
#define RUN_MEMORY_MB 2048

/* The folder a path is in (malloc'd). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? str_printf("%.*s", (int)(slash - path), path) : strdup(".");
}

/* A copy of env whose WB_BROKER_SCRIPT_<BROKER> names script instead. */
static char **env_with_script(char **env, const char *broker, const char *script)
{
    char name[64] = "WB_BROKER_SCRIPT_";
    size_t len = strlen(name);
    for (const char *b = broker; *b && len < sizeof name - 1; b++)
        name[len++] = (char)toupper((unsigned char)*b);
    name[len] = '\0';
    return env_list_with(env, name, script);
}

/* Appends the file from to the file to (a second run's output to the
 * exercise's run.log), then removes from. */
static void file_append(const char *to, const char *from)
{
    size_t len = 0;
    char *text = file_read(from, &len);
    FILE *f = text ? fopen(to, "a") : NULL;
    if (f) {
        if (fwrite(text, 1, len, f) != len)
            fprintf(stderr, "wirebook: cannot append %s to %s\n", from, to);
        fclose(f);
    }
    free(text);
    remove(from);
}

/* The broker addresses a run's tests get; the chapters that use them. */
static const char *broker_vars[] = {"AMQP_ADDR", "KAFKA_BROKERS", "NATS_URL", "REDIS_URL"};

/* True when the tests need a broker on the host. Its ports go to the
 * sandbox's relay (netrelay.c), so the run keeps a network of its own; a
 * broker elsewhere than 127.0.0.1 cannot be relayed, and the run then keeps
 * the host's network (results.json then lists no net namespace). */
static bool broker_ports(char **env, struct sandbox_spec *box)
{
    bool needed = false;
    for (size_t i = 0; i < sizeof broker_vars / sizeof *broker_vars; i++) {
        const char *value = env_list_get(env, broker_vars[i]);
        if (!value)
            continue;
        needed = true;
        int n = box->host_network
                    ? -1
                    : netrelay_parse_ports(value, box->relay_ports, box->nrelay_ports);
        if (n < 0) {
            box->host_network = true;
            box->nrelay_ports = 0;
        } else {
            box->nrelay_ports = n;
        }
    }
    return needed;
}

/* What the passes of one run_tests call share. */
struct pass_common {
    const char *bin;
    char *const *prefix; /* valgrind and its options, or nothing */
    size_t nprefix;
    const char *timeout_opt;
    bool fail_fast;
    const char *cwd;
    long memory_mb; /* RLIMIT_AS of each test process, 0 = none */
    const struct sandbox_spec *box;
};

/* Runs one pass of the test binary: its tests write their report to
 * report, their output goes to log, all within budget_ms. As proc_run. */
static int run_pass(const struct pass_common *c, const struct test_pass *pass, char **envp,
                    const char *report, const char *log, int budget_ms, struct proc_outcome *out)
{
    char jobs_opt[16];
    snprintf(jobs_opt, sizeof jobs_opt, "-j%d", pass->jobs);
    char *output_opt = str_printf("-Owirebook:%s", report);
    char *test_argv[] = {
        (char *)c->bin, jobs_opt, "--color=never", output_opt, (char *)c->timeout_opt, NULL,
        NULL,           NULL};
    size_t ntest = 5;
    if (pass->filter) {
        test_argv[ntest++] = "--filter";
        test_argv[ntest++] = pass->filter;
    }
    if (c->fail_fast)
        test_argv[ntest++] = "--fail-fast";
    char **args = calloc(c->nprefix + ntest + 1, sizeof *args);
    if (!output_opt || !args) {
        free(output_opt);
        free(args);
        return -1;
    }
    memcpy(args, c->prefix, c->nprefix * sizeof *args);
    memcpy(args + c->nprefix, test_argv, ntest * sizeof *args);
    struct sandbox_spec box = *c->box;
    box.report_path = report; /* the one file the sandbox hands back */
    struct proc_spec spec = {
        .argv = args,
        .envp = envp,
        .cwd = c->cwd,
        .output_path = log,
        .timeout_ms = budget_ms,
        .limits = {.cpu_seconds = budget_ms / 1000 + 5,
                   .memory_mb = c->memory_mb,
                   .file_mb = 512,
                   .open_files = 4096,
                   .processes = RUN_MAX_PROCESSES + (pass->jobs - 1) * RUN_PROCESSES_PER_WORKER},
        .isolation = box.host_network ? PROC_SHARED : PROC_OWN_NET,
        .sandbox = &box,
    };
    int rc = proc_run(&spec, out);
    /* Nobody watched the end of that run: its report is not trusted. */
    if (rc == 0 && out->keeper_lost)
        remove(report);
    free(args);
    free(output_opt);
    return rc;
}

/* Runs the two passes at once, the alone tests' in a forked child. Only
 * when their restarts stop a RabbitMQ virtual host of their own: the first
 * pass's tests use another, which nothing stops. The first pass reports to
 * first_report, the second to report_path, where the merged report goes;
 * the wall time is the longer of the two. */
static int run_passes_beside(const struct pass_common *c, const struct wb_exercise *e,
                             const struct test_pass passes[2], char **envs[2],
                             const char *first_report, const char *report_path,
                             const char *log_path, int budget_ms, struct proc_outcome *outcome)
{
    char *alone_log = str_printf("%s.alone", log_path);
    int fds[2] = {-1, -1};
    if (!alone_log || pipe(fds) != 0) {
        free(alone_log);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        struct proc_outcome more = {0};
        bool sent =
            run_pass(c, &passes[1], envs[1], report_path, alone_log, budget_ms, &more) == 0 &&
            write(fds[1], &more, sizeof more) == (ssize_t)sizeof more;
        _exit(sent ? 0 : 1);
    }
    close(fds[1]);
    int rc =
        pid > 0 ? run_pass(c, &passes[0], envs[0], first_report, log_path, budget_ms, outcome) : -1;
    struct proc_outcome more;
    ssize_t got;
    do /* the child writes once, when its pass ended; EOF when it could not run it */
        got = pid > 0 ? read(fds[0], &more, sizeof more) : -1;
    while (got < 0 && errno == EINTR);
    close(fds[0]);
    while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    if (rc == 0 && got == (ssize_t)sizeof more) {
        double longer = outcome->seconds > more.seconds ? outcome->seconds : more.seconds;
        test_outcomes_merge(outcome, &more);
        outcome->seconds = longer;
        file_append(log_path, alone_log);
        (void)test_reports_merge(e, first_report, report_path, report_path);
    } else {
        rc = -1;
        remove(alone_log);
    }
    free(alone_log);
    return rc;
}

/* Runs the passes one after the other, each with what the exercise's limit
 * left (the second starts with what the first did not use). Between them,
 * o->between_passes; a failed test of a fail-fast run skips the alone
 * tests. The first pass's report moves to first_report, to be merged with
 * the second's in report_path. */
static int run_passes_in_turn(const struct pass_common *c, const struct wb_exercise *e,
                              const struct test_pass *passes, int npasses, char **envs[2],
                              const struct grade_options *o, const char *first_report,
                              const char *report_path, const char *log_path, int budget_ms,
                              struct proc_outcome *outcome)
{
    int rc = -1;
    double left_ms = budget_ms;
    for (int k = 0; k < npasses; k++) {
        struct proc_outcome more, *this_run = k == 0 ? outcome : &more;
        if (k > 0 && o->between_passes)
            o->between_passes(o->between_arg);
        char *pass_log = k == 0 ? strdup(log_path) : str_printf("%s.alone", log_path);
        int pass_ms = left_ms > 1000 ? (int)left_ms : 1000;
        rc = pass_log ? run_pass(c, &passes[k], envs[k], report_path, pass_log, pass_ms, this_run)
                      : -1;
        if (rc == 0 && k > 0) {
            test_outcomes_merge(outcome, this_run);
            file_append(log_path, pass_log);
            (void)test_reports_merge(e, first_report, report_path, report_path);
        }
        if (rc == 0 && k == 0 && npasses > 1 && rename(report_path, first_report) != 0)
            remove(first_report); /* no first report: the merge leaves none */
        free(pass_log);
        if (rc != 0)
            break;
        if (c->fail_fast && (this_run->exit_code != 0 || this_run->signal || this_run->timed_out))
            break;
        left_ms -= this_run->seconds * 1000;
    }
    return rc;
}

int run_tests(const struct wb_exercise *e, const char *bin, const char *report_path,
              const char *log_path, char **env, int timeout_ms, const struct grade_options *o,
              const char *course_root, struct proc_outcome *outcome)
{
    const char *scratch = env_list_get(env, "TMPDIR");
    const char *chapter_dir = env_list_get(env, "WB_CHAPTER_DIR");
    char *ex_dir = dir_of(report_path);
    char *vg_dir = ex_dir ? path_join(ex_dir, "valgrind") : NULL;
    char *san_dir = ex_dir ? path_join(ex_dir, SANITIZER_LOGS) : NULL;
    char *lsan_supp_path = str_printf("%s/testkit/lsan.supp", course_root);
    /* Criterion's --timeout only lowers limits that tests already have (every
     * suite has one, see WB_SUITE), which is what a cap needs. */
    char *timeout_opt = str_printf("--timeout=%g", o->test_timeout > 0 ? o->test_timeout : 1e6);
    char *first_report = str_printf("%s.first", report_path);
    char *vg_log = str_printf("--log-file=%s/run.log.valgrind.%%p", vg_dir ? vg_dir : ".");
    char *vg_supp_path = str_printf("%s/grader/valgrind.supp", course_root);
    char *vg_supp = str_printf("--suppressions=%s", vg_supp_path ? vg_supp_path : "");
    char *scripts = str_printf("%s/scripts", course_root);
    char *brokers = str_printf("%s/build/brokers", course_root);
    struct sandbox_spec box = {0};
    bool needs_broker = broker_ports(env, &box);
    struct test_pass passes[2];
    bool restarts_shared = brokers_restart_is_shared(e) && needs_broker;
    int npasses = test_passes_plan(e, o, restarts_shared, passes);
    int rc = -1;
    if (npasses < 1 || !first_report || !timeout_opt || !vg_log || !vg_supp || !vg_dir ||
        !scripts || !brokers || !san_dir || !lsan_supp_path ||
        (o->valgrind && mkdir_p(vg_dir) != 0) || (o->sanitize && mkdir_p(san_dir) != 0))
        goto out;
    remove(report_path); /* a stale report must never be mistaken for this run's */
    char *valgrind_argv[] = {"valgrind", "-q", "--trace-children=yes",
                             /* peers (python3, kcat, sh) are not ours to check */
                             "--trace-children-skip=/usr/*,/bin/*", "--leak-check=full",
                             "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite",
                             "--error-exitcode=" VALGRIND_ERROR_EXIT, vg_supp, vg_log};
    size_t nvg = o->valgrind ? sizeof valgrind_argv / sizeof *valgrind_argv : 0;

    /* What the tests see: their binary and the staged chapter (peers, data),
     * read-only; valgrind's logs; HOME/TMPDIR on a private tmpfs. */
    const char *ro[8] = {bin};
    const char *rw[3] = {NULL};
    size_t nro = 1, nrw = 0;
    if (chapter_dir)
        ro[nro++] = chapter_dir;
    if (o->valgrind) {
        ro[nro++] = vg_supp_path;
        rw[nrw++] = vg_dir;
    }
    if (o->sanitize) { /* ASan/UBSan/LSan write their reports here (memory_safety.c) */
        ro[nro++] = lsan_supp_path;
        rw[nrw++] = san_dir;
    }
    box.ro_paths = ro;
    box.rw_paths = rw;
    box.home = scratch;
    box.allow_ptrace = o->sanitize;
    /* Every run sees the scripts read-only: a test may start a private
     * broker of its own with them in its scratch folder (chapter 06's
     * kill -9 tests), as the run user. A test that restarts the grader's
     * shared broker (the manifest's restarts_broker) may not touch it: its
     * WB_BROKER_SCRIPT_NAME is a stand-in that asks the grader to restart it
     * (broker_control.c). Only if that cannot be set up does the run keep
     * root (still in its own file view, with seccomp) to run the script.
     * The restarting tests run in the last pass (test_passes.c); on our
     * RabbitMQ node that pass gets a virtual host of its own, and only that
     * vhost restarts (private_vhost.c). */
    int restart_pass = npasses - 1;
    char **pass_env[2] = {env, env};
    char **controlled_env[2] = {NULL, NULL};
    struct broker_control control = {.server = -1};
    struct private_vhost pv = {0};
    ro[nro++] = scripts;
    if (restarts_shared) {
        if (private_vhost_make(course_root, env, e->id, &pv) < 0)
            fprintf(stderr,
                    "wirebook: no RabbitMQ virtual host of their own for the restart tests of "
                    "%s/%s (see build/brokers/rabbitmq/grader.log): they restart this run's\n",
                    e->chapter->id, e->id);
        if (pv.env)
            pass_env[restart_pass] = pv.env;
        const char *broker = manifest_exercise_broker(e);
        char *ctl_dir = ex_dir ? path_join(ex_dir, "broker-control") : NULL;
        bool served = ctl_dir &&
                      broker_control_start(&control, course_root, broker, pv.restart, ctl_dir) == 0;
        for (int k = 0; served && k < npasses; k++)
            served =
                (controlled_env[k] = env_with_script(pass_env[k], broker, control.script)) != NULL;
        if (served) {
            ro[nro++] = control.dir;
            for (int k = 0; k < npasses; k++)
                pass_env[k] = controlled_env[k];
        } else {
            fprintf(stderr,
                    "wirebook: cannot serve broker restarts to %s/%s (%s): it runs as the "
                    "grader\n",
                    e->chapter->id, e->id, strerror(errno));
            box.keep_root = true;
            box.host_network = true; /* the script it runs starts the broker there */
            rw[nrw++] = brokers;
        }
        free(ctl_dir);
    }
    struct pass_common common = {
        .bin = bin,
        .prefix = valgrind_argv,
        .nprefix = nvg,
        .timeout_opt = timeout_opt,
        .fail_fast = o->fail_fast,
        .cwd = scratch,
        .memory_mb = o->sanitize || o->valgrind ? 0 : RUN_MEMORY_MB,
        .box = &box,
    };
    /* The alone tests beside the others when their restarts are scoped to a
     * virtual host of their own. Not under valgrind, where each pass keeps a
     * core busy. With --fail-fast (a sanitized-first run) the alone tests
     * then run even when another test fails: a cost only for a failing
     * submission, which gets its plain run after this one anyway. */
    if (pv.env && npasses == 2 && !o->valgrind && !o->between_passes)
        rc = run_passes_beside(&common, e, passes, pass_env, first_report, report_path, log_path,
                               timeout_ms, outcome);
    else
        rc = run_passes_in_turn(&common, e, passes, npasses, pass_env, o, first_report, report_path,
                                log_path, timeout_ms, outcome);
    remove(first_report);
    broker_control_stop(&control);
    free_argv(controlled_env[0]);
    free_argv(controlled_env[1]);
    private_vhost_drop(course_root, &pv);
out:
    test_passes_free(passes);
    free(first_report);
    free(timeout_opt);
    free(vg_log);
    free(vg_supp);
    free(vg_supp_path);
    free(vg_dir);
    free(san_dir);
    free(lsan_supp_path);
    free(ex_dir);
    free(scripts);
    free(brokers);
    return rc;
}

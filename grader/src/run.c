/*
 * run.c - runs an exercise's test binary the way the grader trusts it:
 * one test at a time, its report written by our own output provider,
 * a clean environment, limits, and nothing left running afterwards.
 */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
 * use a few dozen threads plus a peer; a fork bomb stops here. */
#define RUN_MAX_PROCESSES 1024

/* Address space of each test process (RLIMIT_AS): gRPC's and librdkafka's
 * threads reserve stacks, so well above what they use; low enough that a few
 * parallel batch workers with a memory hog each cannot exhaust the machine. */
#define RUN_MEMORY_MB 2048

int run_tests(const char *bin, const char *report_path, const char *log_path, char **env,
              int timeout_ms, const struct grade_options *o, const char *course_root,
              struct proc_outcome *outcome)
{
    /* Criterion's --timeout only lowers limits that tests already have (every
     * suite has one, see WB_SUITE), which is what a cap needs. */
    char *timeout_opt = str_printf("--timeout=%g", o->test_timeout > 0 ? o->test_timeout : 1e6);
    char *output_opt = str_printf("-Owirebook:%s", report_path);
    char *vg_log = str_printf("--log-file=%s.valgrind.%%p", log_path);
    char *vg_supp = str_printf("--suppressions=%s/grader/valgrind.supp", course_root);
    int rc = -1;
    if (!output_opt || !timeout_opt || !vg_log || !vg_supp)
        goto out;
    remove(report_path); /* a stale report must never be mistaken for this run's */
    char *test_argv[] = {(char *)bin,           "-j1",
                         "--color=never",       output_opt,
                         timeout_opt,           o->test_filter ? "--filter" : NULL,
                         (char *)o->test_filter};
    char *valgrind_argv[] = {"valgrind", "-q", "--trace-children=yes",
                             /* peers (python3, kcat, sh) are not ours to check */
                             "--trace-children-skip=/usr/*,/bin/*", "--leak-check=full",
                             "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite",
                             "--error-exitcode=" VALGRIND_ERROR_EXIT, vg_supp, vg_log};
    size_t nvg = o->valgrind ? sizeof valgrind_argv / sizeof *valgrind_argv : 0;
    size_t ntest = sizeof test_argv / sizeof *test_argv - (o->test_filter ? 0 : 2);
    char *args[sizeof valgrind_argv / sizeof *valgrind_argv + sizeof test_argv / sizeof *test_argv +
               1];
    memcpy(args, valgrind_argv, nvg * sizeof *args);
    memcpy(args + nvg, test_argv, ntest * sizeof *args);
    args[nvg + ntest] = NULL;
    struct proc_spec spec = {
        .argv = args,
        .envp = env,
        .cwd = NULL,
        .output_path = log_path,
        .timeout_ms = timeout_ms,
        .limits = {.cpu_seconds = timeout_ms / 1000 + 5,
                   .memory_mb = o->sanitize || o->valgrind ? 0 : RUN_MEMORY_MB,
                   .file_mb = 512,
                   .open_files = 4096,
                   .processes = RUN_MAX_PROCESSES},
        .isolation = PROC_OWN_NET,
    };
    for (char **e = env; *e; e++) { /* tests run in their scratch folder */
        if (strncmp(*e, "TMPDIR=", 7) == 0)
            spec.cwd = *e + 7;
        /* A broker on the host is reachable only from the host's network. */
        if (strncmp(*e, "AMQP_ADDR=", 10) == 0 || strncmp(*e, "KAFKA_BROKERS=", 14) == 0 ||
            strncmp(*e, "NATS_URL=", 9) == 0 || strncmp(*e, "REDIS_URL=", 10) == 0)
            spec.isolation = PROC_SHARED;
    }
    rc = proc_run(&spec, outcome);
out:
    free(output_opt);
    free(timeout_opt);
    free(vg_log);
    free(vg_supp);
    return rc;
}

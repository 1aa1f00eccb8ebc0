/*
 * test_proc.c - contained runs: time limits hold, and nothing a program
 * started (even in a new session) survives it.
 */
#include "proc.h"
#include "sandbox.h"
#include "util.h"
#include "wb_testkit.h"

#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

WB_SUITE(proc);

extern char **environ;

static struct proc_outcome run_sh(const char *script, int timeout_ms, const char *out)
{
    char *argv[] = {"sh", "-c", (char *)script, NULL};
    struct proc_spec spec = {
        .argv = argv, .envp = environ, .output_path = out, .timeout_ms = timeout_ms};
    struct proc_outcome o;
    cr_assert_eq(proc_run(&spec, &o), 0, "proc_run could not set up the run");
    return o;
}

static const char *tmp_file(const char *what)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", wb_env_or("TMPDIR", "/tmp"), wb_unique_name(what));
    return path;
}

Test(proc, exit_code_and_output_are_kept)
{
    char out[512];
    snprintf(out, sizeof out, "%s", tmp_file("out"));
    struct proc_outcome o = run_sh("echo hello; echo oops >&2; exit 3", 5000, out);
    cr_assert(o.started && o.exit_code == 3, "expected exit code 3, got %d", o.exit_code);
    char *text = file_read(out, NULL);
    cr_assert_str_eq(text, "hello\noops\n", "stdout and stderr both go to the output file");
    free(text);
}

Test(proc, endless_program_is_stopped_at_its_limit)
{
    int64_t start = wb_now_ms();
    struct proc_outcome o = run_sh("while :; do :; done", 300, "/dev/null");
    cr_assert(o.timed_out, "the run should be reported as timed out");
    cr_assert(wb_now_ms() - start < 5000, "the limit was not enforced (took %lld ms)",
              (long long)(wb_now_ms() - start));
    cr_assert_str_eq(proc_describe(&o, 300), "timed out after 0 s", "description");
}

Test(proc, signal_is_reported_by_name)
{
    struct proc_outcome o = run_sh("kill -SEGV $$", 5000, "/dev/null");
    cr_assert_eq(o.signal, SIGSEGV, "expected SIGSEGV, got signal %d", o.signal);
    cr_assert(strstr(proc_describe(&o, 0), "segmentation fault"), "got: %s", proc_describe(&o, 0));
}

Test(proc, detached_children_do_not_survive)
{
    /* A child that leaves the process group and the session, like a
     * Criterion worker does, must still be killed when the run ends. */
    char pidfile[512];
    snprintf(pidfile, sizeof pidfile, "%s", tmp_file("pid"));
    char script[1024];
    snprintf(script, sizeof script, "setsid sh -c 'echo $$ > %s; exec sleep 30' & sleep 0.3",
             pidfile);
    struct proc_outcome o = run_sh(script, 5000, "/dev/null");
    cr_assert(o.started && o.exit_code == 0, "the script should exit 0, got %d", o.exit_code);
    char *text = file_read(pidfile, NULL);
    cr_assert_not_null(text, "the detached child never wrote its pid");
    pid_t pid = (pid_t)atoi(text);
    free(text);
    cr_assert(pid > 0 && kill(pid, 0) != 0, "detached child %d is still alive", (int)pid);
}

Test(proc, missing_program_is_not_started)
{
    char *argv[] = {"wirebook-no-such-program", NULL};
    struct proc_spec spec = {
        .argv = argv, .envp = environ, .output_path = "/dev/null", .timeout_ms = 5000};
    struct proc_outcome o;
    cr_assert_eq(proc_run(&spec, &o), 0, "proc_run could not set up the run");
    cr_assert(!o.started && o.exit_code == 127, "expected not started (127), got %d", o.exit_code);
}

/* Pids wrap at 32768 and a grading starts thousands of processes, so a
 * keeper can get the pid of a dead run whose cgroup (named after its
 * keeper) was left behind. The run must still get a cgroup of its own; without
 * one it falls back to RLIMIT_NPROC, which counts every run of the run user. */
Test(proc, a_dead_runs_cgroup_with_our_pid_is_replaced)
{
    const char *parent = "/sys/fs/cgroup/pids";
    if (geteuid() != 0 || access(parent, W_OK) != 0)
        cr_skip_test("needs root and a pids cgroup hierarchy at %s", parent);
    int first = (int)getpid() + 1;
    int made = 0;
    for (int pid = first; pid < first + 1500; pid++) {
        char *dir = str_printf("%s/wirebook-%d", parent, pid);
        made += dir && mkdir(dir, 0755) == 0;
        free(dir);
    }
    cr_assert_gt(made, 0, "could not make the stale cgroups under %s", parent);
    char out[512];
    snprintf(out, sizeof out, "%s", tmp_file("cgroup"));
    char *argv[] = {"sh", "-c", "grep pids /proc/self/cgroup", NULL};
    struct proc_spec spec = {.argv = argv,
                             .envp = environ,
                             .output_path = out,
                             .timeout_ms = 5000,
                             .limits = {.processes = 50}};
    struct proc_outcome o;
    cr_assert_eq(proc_run(&spec, &o), 0, "proc_run could not set up the run");
    char *text = file_read(out, NULL);
    for (int pid = first; pid < first + 1500; pid++) { /* the ones it did not take */
        char *dir = str_printf("%s/wirebook-%d", parent, pid);
        if (dir)
            rmdir(dir);
        free(dir);
    }
    cr_assert(o.started && o.exit_code == 0 && text && strstr(text, "wirebook-"),
              "the run should be in a wirebook-PID cgroup of its own; /proc/self/cgroup "
              "said: %s",
              text ? text : "(nothing)");
    free(text);
}

/* The same for the run's file view: its root's mount point is named after
 * the keeper too. A dead run's left behind must not leave the run without
 * a view of its own (it would see the host's files). */
Test(proc, a_dead_runs_root_with_our_pid_is_replaced)
{
    const char *parent = "/run/wirebook";
    if (!sandbox_privileged())
        cr_skip_test("the file view needs root");
    cr_assert(mkdir_p(parent) == 0, "cannot make %s", parent);
    int first = (int)getpid() + 1;
    for (int pid = first; pid < first + 1500; pid++) {
        char *dir = str_printf("%s/root-%d", parent, pid);
        if (dir)
            (void)mkdir(dir, 0700);
        free(dir);
    }
    char *argv[] = {"/bin/true", NULL};
    static const struct sandbox_spec box = {0};
    struct proc_spec spec = {.argv = argv,
                             .envp = environ,
                             .output_path = "/dev/null",
                             .timeout_ms = 10000,
                             .sandbox = &box,
                             .limits = {.processes = 50}};
    struct proc_outcome o;
    cr_assert_eq(proc_run(&spec, &o), 0, "proc_run could not set up the run");
    for (int pid = first; pid < first + 1500; pid++) {
        char *dir = str_printf("%s/root-%d", parent, pid);
        if (dir)
            (void)rmdir(dir);
        free(dir);
    }
    cr_assert(o.started && o.exit_code == 0, "the sandboxed /bin/true failed: exit %d",
              o.exit_code);
    cr_assert(o.layers & SB_MOUNT_VIEW, "the run got no file view of its own; its layers: %s",
              sandbox_layers_text(o.layers));
}

/*
 * proc.c - bounded, contained process runs.
 *
 * Process tree of one run:
 *
 *   grader ── keeper (subreaper, no exec) ── program (own process group)
 *                                              └─ anything it forks
 *
 * The keeper enforces the time limit, reaps the program, then kills and reaps
 * every orphan that was re-parented to it, and reports the program's status to
 * the grader through a pipe. Killing the process group alone is not enough:
 * Criterion's workers call setsid() and leave the group.
 */
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct keeper_report {
    int status;
    int timed_out;
    double seconds;
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void set_limit(int resource, rlim_t value)
{
    struct rlimit rl = {.rlim_cur = value, .rlim_max = value};
    (void)setrlimit(resource, &rl); /* best effort: a hard limit may already be lower */
}

/* In the forked program: set up and exec, never return. */
static void exec_program(const struct proc_spec *spec)
{
    setpgid(0, 0);
    int out = open(spec->output_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = open("/dev/null", O_RDONLY);
    if (out < 0 || in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
        _exit(126);
    if (spec->cwd && chdir(spec->cwd) != 0) {
        dprintf(2, "wirebook: cannot enter %s: %s\n", spec->cwd, strerror(errno));
        _exit(126);
    }
    const struct proc_limits *l = &spec->limits;
    if (l->cpu_seconds > 0)
        set_limit(RLIMIT_CPU, (rlim_t)l->cpu_seconds);
    if (l->memory_mb > 0)
        set_limit(RLIMIT_AS, (rlim_t)l->memory_mb << 20);
    if (l->file_mb > 0)
        set_limit(RLIMIT_FSIZE, (rlim_t)l->file_mb << 20);
    if (l->open_files > 0)
        set_limit(RLIMIT_NOFILE, (rlim_t)l->open_files);
    set_limit(RLIMIT_CORE, 0);
    signal(SIGPIPE, SIG_DFL);
    environ = (char **)spec->envp;
    execvp(spec->argv[0], spec->argv);
    dprintf(2, "wirebook: cannot run %s: %s\n", spec->argv[0], strerror(errno));
    _exit(127);
}

/* Parent pid of pid, from /proc/PID/stat, or -1. */
static pid_t parent_of(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    const char *close_paren = strrchr(buf, ')'); /* the command name may hold spaces */
    char state;
    int ppid;
    if (!close_paren || sscanf(close_paren + 1, " %c %d", &state, &ppid) != 2)
        return -1;
    return ppid;
}

/* Kills every process whose parent is us; returns how many were found. */
static int kill_children(void)
{
    DIR *proc = opendir("/proc");
    if (!proc)
        return 0;
    pid_t self = getpid();
    int found = 0;
    struct dirent *e;
    while ((e = readdir(proc)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0)
            continue;
        if (parent_of((pid_t)pid) == self) {
            kill((pid_t)pid, SIGKILL);
            found++;
        }
    }
    closedir(proc);
    return found;
}

/* The keeper: runs in the forked child, reports through fd, never returns. */
static void keeper(const struct proc_spec *spec, int report_fd)
{
    struct keeper_report r = {0};
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        dprintf(2, "wirebook: prctl(PR_SET_CHILD_SUBREAPER) failed: %s\n", strerror(errno));
    double start = now_seconds();
    pid_t child = fork();
    if (child < 0)
        _exit(125);
    if (child == 0)
        exec_program(spec);
    setpgid(child, child); /* also done in the child; whichever runs first wins */

    for (;;) {
        pid_t done = waitpid(child, &r.status, WNOHANG);
        if (done == child)
            break;
        if (done < 0 && errno != EINTR) {
            r.status = -1;
            break;
        }
        if (!r.timed_out && (now_seconds() - start) * 1000 > spec->timeout_ms) {
            r.timed_out = 1;
            kill(-child, SIGKILL);
            kill(child, SIGKILL);
        }
        sleep_ms(5);
    }
    r.seconds = now_seconds() - start;
    if (spec->keep_orphans) {
        /* Exiting hands the daemons the program detached to our own parent's
         * reaper (init), where a broker started by a script belongs. */
        ssize_t w = write(report_fd, &r, sizeof r);
        _exit(w == (ssize_t)sizeof r ? 0 : 1);
    }
    kill(-child, SIGKILL);

    /* Orphans (e.g. Criterion workers, a student's forked children) are now
     * ours: kill and reap until none is left, bounded in case something keeps
     * forking faster than we kill. */
    for (int round = 0; round < 400; round++) {
        int alive = kill_children();
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (alive == 0 && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
            break;
        sleep_ms(5);
    }
    ssize_t w = write(report_fd, &r, sizeof r);
    _exit(w == (ssize_t)sizeof r ? 0 : 1);
}

int proc_run(const struct proc_spec *spec, struct proc_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->exit_code = -1;
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(NULL); /* the keeper is a copy of us: don't print our buffers twice */
    pid_t k = fork();
    if (k < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (k == 0) {
        close(fds[0]);
        keeper(spec, fds[1]);
    }
    close(fds[1]);

    struct keeper_report r;
    ssize_t got;
    do
        got = read(fds[0], &r, sizeof r);
    while (got < 0 && errno == EINTR);
    close(fds[0]);
    int kstatus;
    while (waitpid(k, &kstatus, 0) < 0 && errno == EINTR)
        ;
    if (got != (ssize_t)sizeof r)
        return -1;

    out->timed_out = r.timed_out;
    out->seconds = r.seconds;
    if (WIFEXITED(r.status)) {
        out->exit_code = WEXITSTATUS(r.status);
        /* 126/127 come from exec_program when the program never ran */
        out->started = out->exit_code != 126 && out->exit_code != 127;
    } else if (WIFSIGNALED(r.status)) {
        out->signal = WTERMSIG(r.status);
        out->started = true;
    }
    return 0;
}

const char *proc_signal_words(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV (segmentation fault: a bad pointer)";
    case SIGABRT: return "SIGABRT (abort: a failed assert or a sanitizer report)";
    case SIGFPE: return "SIGFPE (arithmetic error, e.g. division by zero)";
    case SIGBUS: return "SIGBUS (bus error: misaligned or unmapped memory)";
    case SIGKILL: return "SIGKILL (killed: time or memory limit)";
    case SIGXCPU: return "SIGXCPU (CPU time limit reached)";
    case SIGXFSZ: return "SIGXFSZ (file size limit reached)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGPIPE: return "SIGPIPE (wrote to a closed connection)";
    default: return strsignal(sig);
    }
}

const char *proc_describe(const struct proc_outcome *o, int timeout_ms)
{
    static char text[200];
    if (o->timed_out)
        snprintf(text, sizeof text, "timed out after %.0f s", timeout_ms / 1000.0);
    else if (o->signal)
        snprintf(text, sizeof text, "killed by %s", proc_signal_words(o->signal));
    else
        snprintf(text, sizeof text, "exited with code %d", o->exit_code);
    return text;
}

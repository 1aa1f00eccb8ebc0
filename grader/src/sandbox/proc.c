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
 *
 * Runs of student code go further. A pids cgroup, when one can be made, caps
 * how many processes and threads the run may have (a fork bomb stops there),
 * and everything left in it is killed at the end; without one, non-root runs
 * get RLIMIT_NPROC (which counts every process of the user), and root has no
 * process cap but the time limit. A run with a sandbox spec (sandbox.c) gets
 * one more process between the keeper and the program, the run's init:
 *
 *   grader ── keeper ── init (PID 1 of the run's namespace) ── program ── ...
 *
 * init waits for the program, then kills every other process of the run and
 * reaps them, and only then hands the runner's report out: a child the
 * student left behind cannot change it. Killing init (time-out) kills the
 * whole namespace. The grader itself waits for the keeper only so long: a
 * keeper that was stopped or killed ends the run with a message saying so.
 */
#define _GNU_SOURCE /* unshare() and CLONE_NEWNET */
#include "proc.h"
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct keeper_report {
    int status;
    int timed_out;
    int process_limit; /* stopped because it sat at its process cap */
    double seconds;
    unsigned layers;
};

/* What init and the program tell the keeper through the run's info pipe. */
struct run_message {
    int kind; /* MSG_LAYERS from the program just before exec, MSG_DONE from init */
    int status;
    unsigned layers;
};
enum { MSG_LAYERS = 1, MSG_DONE = 2 };

/* How long the grader waits for a keeper beyond the run's own limit (the
 * sweep and the cgroup removal take a few seconds at most). */
#define KEEPER_GRACE_MS 20000

/* How long a run may sit at its process cap before it is stopped: a test
 * that briefly needs many threads is fine, a fork bomb is not. */
#define PROCESS_CAP_GRACE_S 2.0

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

/* How often the keeper looks at the clock and the process cap while the
 * program runs. It wakes at once when the program ends (child_ended_within). */
#define KEEPER_TICK_MS 50

/* Waits up to ms for child to end. With a pidfd (Linux 5.3 on) the wait
 * ends the moment it does; without one, a short sleep stands in. Before
 * pidfds the keeper slept 5 ms per round and read two cgroup files each
 * time: a few CPU-seconds per graded submission across its runs. */
static void child_ended_within(int pidfd, long ms)
{
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    if (pidfd < 0 || poll(&p, 1, (int)ms) < 0)
        sleep_ms(pidfd < 0 ? 5 : 1); /* EINTR (a stop signal) or no pidfd */
}

static void set_limit(int resource, rlim_t value)
{
    struct rlimit rl = {.rlim_cur = value, .rlim_max = value};
    (void)setrlimit(resource, &rl); /* best effort: a hard limit may already be lower */
}

bool proc_can_isolate(void)
{
    return geteuid() == 0;
}

/* Writes text to an existing file (cgroup control files); 0 on success. */
static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    int rc = n == (ssize_t)strlen(text) ? 0 : -1;
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

static const char *cgroup_parents[] = {"/sys/fs/cgroup/pids", "/sys/fs/cgroup", NULL};

static void cgroup_remove(const char *dir);

/* Makes a pids cgroup for one run capped at max processes; its path goes in
 * dir (empty when none could be made: no cgroup fs, not root...). It is
 * named after the keeper, so the grader can find it if the keeper is lost. */
static void cgroup_create(int max, char *dir, size_t dirlen)
{
    const char **parents = cgroup_parents;
    dir[0] = '\0';
    if (max <= 0 || geteuid() != 0)
        return;
    for (const char **p = parents; *p; p++) {
        char probe[256];
        snprintf(probe, sizeof probe, "%s/cgroup.procs", *p);
        if (access(probe, W_OK) != 0)
            continue;
        snprintf(dir, dirlen, "%s/wirebook-%d", *p, (int)getpid());
        char limit_path[300], limit[32];
        snprintf(limit_path, sizeof limit_path, "%s/pids.max", dir);
        snprintf(limit, sizeof limit, "%d", max);
        /* One already named after this keeper's pid is a dead run's (pids
         * wrap at 32768, and a grading makes thousands): what is left in it
         * is killed and it is made anew. Running without a cgroup would fall
         * back to RLIMIT_NPROC, which counts every run of the run user: under
         * load a compile then fails with EAGAIN. */
        if (mkdir(dir, 0755) != 0 && errno == EEXIST) {
            cgroup_remove(dir);
            (void)mkdir(dir, 0755);
        }
        if (access(dir, F_OK) == 0 && write_text(limit_path, limit) == 0)
            return;
        rmdir(dir);
    }
    dir[0] = '\0';
}

/* True when the run's cgroup holds as many processes as it may. */
static bool cgroup_full(const char *dir)
{
    if (!dir[0])
        return false;
    char path[300], buf[32];
    snprintf(path, sizeof path, "%s/pids.current", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    long current = 0, max = 0;
    bool ok = fgets(buf, sizeof buf, f) != NULL;
    fclose(f);
    if (!ok)
        return false;
    current = strtol(buf, NULL, 10);
    snprintf(path, sizeof path, "%s/pids.max", dir);
    f = fopen(path, "r");
    if (!f)
        return false;
    ok = fgets(buf, sizeof buf, f) != NULL;
    fclose(f);
    if (!ok || strncmp(buf, "max", 3) == 0)
        return false;
    max = strtol(buf, NULL, 10);
    return max > 0 && current >= max;
}

/* Kills every process in the cgroup (it stays). */
static void cgroup_kill(const char *dir)
{
    if (!dir[0])
        return;
    char procs[300];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
    FILE *f = fopen(procs, "r");
    int pid;
    while (f && fscanf(f, "%d", &pid) == 1)
        kill(pid, SIGKILL);
    if (f)
        fclose(f);
}

/* Kills every process left in the cgroup, then removes it. */
static void cgroup_remove(const char *dir)
{
    if (!dir[0])
        return;
    char procs[300];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
    /* Up to 5 s: under load, killed processes take a while to be reaped. */
    for (int round = 0; round < 1000; round++) {
        if (rmdir(dir) == 0 || errno == ENOENT)
            return;
        FILE *f = fopen(procs, "r");
        int pid;
        while (f && fscanf(f, "%d", &pid) == 1)
            kill(pid, SIGKILL);
        if (f)
            fclose(f);
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        sleep_ms(5);
    }
}

/* A new network namespace starts with loopback down: bring it up. */
static void loopback_up(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        (void)ioctl(fd, SIOCSIFFLAGS, &ifr); /* without it, tests fail to connect: visible */
    }
    close(fd);
}

/* In the keeper, before it forks a run without sandbox: a network of its
 * own when asked and allowed. */
static void isolate(enum proc_isolation how)
{
    if (how == PROC_OWN_NET && proc_can_isolate() && unshare(CLONE_NEWNET) == 0)
        loopback_up();
}

static void send_message(int fd, int kind, int status, unsigned layers)
{
    struct run_message m = {.kind = kind, .status = status, .layers = layers};
    if (fd >= 0)
        (void)!write(fd, &m, sizeof m); /* a lost message reads as "no layers" */
}

/* In the forked program: set up and exec, never return. cgroup is the run's
 * pids cgroup, or "" when there is none; sb the sandbox (or NULL), whose
 * layers go to info_fd just before exec. */
static void exec_program(const struct proc_spec *spec, const char *cgroup, struct sandbox_run *sb,
                         int info_fd)
{
    setpgid(0, 0);
    int out = open(spec->output_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = open("/dev/null", O_RDONLY);
    if (out < 0 || in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
        _exit(126);
    const struct proc_limits *l = &spec->limits;
    if (l->cpu_seconds > 0)
        set_limit(RLIMIT_CPU, (rlim_t)l->cpu_seconds);
    if (l->memory_mb > 0)
        set_limit(RLIMIT_AS, (rlim_t)l->memory_mb << 20);
    if (l->file_mb > 0)
        set_limit(RLIMIT_FSIZE, (rlim_t)l->file_mb << 20);
    if (l->open_files > 0)
        set_limit(RLIMIT_NOFILE, (rlim_t)l->open_files);
    if (l->processes > 0) {
        char procs[300];
        snprintf(procs, sizeof procs, "%s/cgroup.procs", cgroup);
        if (!cgroup[0] || write_text(procs, "0") != 0)
            set_limit(RLIMIT_NPROC, (rlim_t)l->processes);
    }
    set_limit(RLIMIT_CORE, 0);
    signal(SIGPIPE, SIG_DFL);
    char *const *argv = spec->argv;
    if (sb)
        argv = sandbox_enter(sb, argv);
    /* After entering the sandbox's root: a folder of the old one would be a
     * way back into the host's files. */
    if (spec->cwd && chdir(spec->cwd) != 0) {
        dprintf(2, "wirebook: cannot enter %s: %s\n", spec->cwd, strerror(errno));
        _exit(126);
    }
    if (sb)
        send_message(info_fd, MSG_LAYERS, 0, sb->layers);
    environ = (char **)spec->envp;
    /* Tells the test runner that it is alone with its own run (a PID
     * namespace, an unprivileged user): before it writes its report it may
     * end every other process of the run (testkit/wb_report.c). */
    if (sb && (sb->layers & SB_PID_NS) && (sb->layers & (SB_USER | SB_USER_NS)) &&
        putenv("WB_RUN_ALONE=1") != 0)
        _exit(126);
    execvp(argv[0], argv);
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
/* Set when the keeper is asked to stop (Ctrl-C in the terminal, the grader
 * dying): the run is then ended and cleaned up like one that timed out. */
static volatile sig_atomic_t keeper_interrupted;

static void on_keeper_signal(int sig)
{
    (void)sig;
    keeper_interrupted = 1;
}

/* The program runs in its own process group, so Ctrl-C reaches only the
 * grader and this keeper: the keeper must pass the stop on, and it must also
 * hear of a grader that died without a signal to its group. */
static void keeper_watch_for_stop(pid_t grader)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_keeper_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != grader)
        keeper_interrupted = 1; /* the grader is already gone */
}

/* The run's init: PID 1 of the run's PID namespace when the kernel gave
 * one. Starts the program, waits for it, then ends everything else of the
 * run before the report is handed out. Never returns. */
static void run_init(const struct proc_spec *spec, const char *cgroup, struct sandbox_run *sb,
                     int info_fd, pid_t keeper_pid)
{
    /* The keeper is gone: so is the run. (As PID 1, getppid() says 0: the
     * parent is outside the namespace; the grader then ends the cgroup.) */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || (getpid() != 1 && getppid() != keeper_pid))
        _exit(125);
    if (cgroup[0]) {
        char procs[300];
        snprintf(procs, sizeof procs, "%s/cgroup.procs", cgroup);
        (void)write_text(procs, "0"); /* the program checks and falls back */
    }
    (void)prctl(PR_SET_CHILD_SUBREAPER, 1); /* for runs without a PID namespace */
    sandbox_init_view(sb);
    pid_t program = fork();
    if (program < 0)
        _exit(125);
    if (program == 0)
        exec_program(spec, cgroup, sb, info_fd);
    int status = -1, st;
    for (;;) {
        pid_t done = waitpid(-1, &st, 0);
        if (done == program) {
            status = st;
            break;
        }
        if (done < 0 && errno != EINTR)
            break;
    }
    /* The runner has written its report: nothing of the run may go on. As
     * PID 1 of the namespace, kill(-1) reaches exactly the run's processes;
     * outside one it would reach the machine, so the children are swept. */
    for (int round = 0; round < 400; round++) {
        int alive = getpid() == 1 ? (kill(-1, SIGKILL) == 0) : kill_children();
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (alive == 0 && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
            break;
        sleep_ms(2);
    }
    sandbox_collect_report(sb);
    send_message(info_fd, MSG_DONE, status, sb->layers);
    _exit(0);
}

/* After init ended: the program's status and the layers that applied. */
static void read_messages(int fd, struct keeper_report *r, bool *done)
{
    struct run_message m;
    *done = false;
    while (read(fd, &m, sizeof m) == (ssize_t)sizeof m) {
        r->layers |= m.layers;
        if (m.kind == MSG_DONE) {
            r->status = m.status;
            *done = true;
        }
    }
}

static void keeper(const struct proc_spec *spec, int report_fd, pid_t grader)
{
    struct keeper_report r = {0};
    (void)prctl(PR_SET_NAME, "wb-keeper"); /* for ps, and the hostile suite */
    keeper_watch_for_stop(grader);
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        dprintf(2, "wirebook: prctl(PR_SET_CHILD_SUBREAPER) failed: %s\n", strerror(errno));
    char cgroup[256];
    /* A run that leaves daemons behind must not have them killed with its cgroup. */
    cgroup_create(spec->keep_orphans ? 0 : spec->limits.processes, cgroup, sizeof cgroup);
    struct sandbox_run sb;
    int info[2] = {-1, -1};
    if (spec->sandbox) {
        sandbox_keeper_setup(spec->sandbox, &sb);
        if (cgroup[0])
            sb.layers |= SB_CGROUP;
        if (pipe2(info, O_CLOEXEC | O_NONBLOCK) != 0)
            _exit(125);
    } else {
        isolate(spec->isolation);
    }
    double start = now_seconds(), full_since = 0;
    pid_t self = getpid();
    pid_t child = fork();
    if (child < 0)
        _exit(125);
    if (child == 0) { /* exec resets our handlers; fork clears PDEATHSIG */
        if (spec->sandbox) {
            close(info[0]);
            run_init(spec, cgroup, &sb, info[1], self);
        }
        exec_program(spec, cgroup, NULL, -1);
    }
    if (spec->sandbox)
        close(info[1]);
    setpgid(child, child); /* also done in the child; whichever runs first wins */
#ifdef SYS_pidfd_open
    int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
#else
    int pidfd = -1;
#endif

    for (;;) {
        pid_t done = waitpid(child, &r.status, WNOHANG);
        if (done == child)
            break;
        if (done < 0 && errno != EINTR) {
            r.status = -1;
            break;
        }
        bool over_time = (now_seconds() - start) * 1000 > spec->timeout_ms;
        if (cgroup_full(cgroup)) {
            if (full_since == 0)
                full_since = now_seconds();
            else if (!r.process_limit && now_seconds() - full_since > PROCESS_CAP_GRACE_S)
                r.process_limit = 1;
        } else {
            full_since = 0;
        }
        if (!r.timed_out && r.process_limit) {
            r.timed_out = 1; /* stopped from outside, like a time-out */
            kill(-child, SIGKILL);
            kill(child, SIGKILL);
            cgroup_kill(cgroup);
        }
        if (!r.timed_out && (over_time || keeper_interrupted)) {
            r.timed_out = 1;
            kill(-child, SIGKILL);
            kill(child, SIGKILL);
            cgroup_kill(cgroup);
        }
        child_ended_within(pidfd, KEEPER_TICK_MS);
    }
    if (pidfd >= 0)
        close(pidfd);
    r.seconds = now_seconds() - start;
    if (spec->sandbox) {
        bool done;
        read_messages(info[0], &r, &done);
        close(info[0]);
        if (!done && !r.timed_out)
            r.status = -1; /* init died without a word: the run is lost */
        sandbox_keeper_cleanup(&sb);
    }
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
    cgroup_remove(cgroup);
    ssize_t w = write(report_fd, &r, sizeof r);
    _exit(w == (ssize_t)sizeof r ? 0 : 1);
}

/* Says once per grader that student code runs with fewer fences. */
static void note_unprivileged(void)
{
    static bool said;
    if (said || sandbox_privileged())
        return;
    said = true;
    fprintf(stderr, "wirebook: not running as root, so student code runs as you, fenced only by "
                    "what the kernel allows an ordinary user (a user namespace where allowed, "
                    "no_new_privs, seccomp, limits; no separate user, no cgroup); results.json "
                    "lists the layers\n");
}

/* True when pid is stopped (SIGSTOP, or traced). */
static bool process_stopped(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    bool stopped = false;
    if (f && fgets(buf, sizeof buf, f)) {
        const char *paren = strrchr(buf, ')');
        stopped = paren && paren[1] == ' ' && (paren[2] == 'T' || paren[2] == 't');
    }
    if (f)
        fclose(f);
    return stopped;
}

/* Ends a keeper that stopped answering and what its run left. */
static void end_lost_keeper(pid_t k)
{
    kill(k, SIGKILL);
    while (waitpid(k, NULL, 0) < 0 && errno == EINTR)
        ;
    for (const char **p = cgroup_parents; *p; p++) {
        char dir[256];
        snprintf(dir, sizeof dir, "%s/wirebook-%d", *p, (int)k);
        if (access(dir, F_OK) == 0)
            cgroup_remove(dir);
    }
    sandbox_forget_keeper(k);
}

int proc_run(const struct proc_spec *spec, struct proc_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->exit_code = -1;
    if (spec->sandbox)
        note_unprivileged();
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(NULL); /* the keeper is a copy of us: don't print our buffers twice */
    pid_t grader = getpid();
    pid_t k = fork();
    if (k < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (k == 0) {
        close(fds[0]);
        keeper(spec, fds[1], grader);
    }
    close(fds[1]);

    /* Wait for the keeper's report, but only so long: a keeper that was
     * stopped (SIGSTOP) would otherwise hold the grader forever. A healthy
     * keeper ends its run at the limit and needs a few seconds to sweep; a
     * stopped one is given up at the limit itself. */
    struct keeper_report r;
    ssize_t got = -1;
    double start = now_seconds();
    double limit = start + spec->timeout_ms / 1000.0;
    double deadline = limit + KEEPER_GRACE_MS / 1000.0;
    for (;;) {
        double now = now_seconds();
        if (now > deadline || (now > limit && process_stopped(k)))
            break;
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int ready = poll(&p, 1, 250);
        if (ready < 0 && errno != EINTR)
            break;
        if (ready > 0) {
            do
                got = read(fds[0], &r, sizeof r);
            while (got < 0 && errno == EINTR);
            break;
        }
    }
    close(fds[0]);
    if (got != (ssize_t)sizeof r) {
        /* Stopped or killed from outside: end it and say so. */
        end_lost_keeper(k);
        out->started = true;
        out->keeper_lost = true;
        out->timed_out = true;
        out->seconds = spec->timeout_ms / 1000.0;
        return 0;
    }
    int kstatus;
    while (waitpid(k, &kstatus, 0) < 0 && errno == EINTR)
        ;

    out->timed_out = r.timed_out && !r.process_limit;
    out->process_limit = r.process_limit;
    out->seconds = r.seconds;
    out->layers = r.layers;
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
    if (o->keeper_lost)
        snprintf(text, sizeof text,
                 "was ended from outside: the grader's keeper process that supervises it was "
                 "stopped or killed");
    else if (o->process_limit)
        snprintf(text, sizeof text,
                 "was stopped: it kept all the processes it may have "
                 "(a fork bomb, or fork in a loop)");
    else if (o->timed_out)
        snprintf(text, sizeof text, "timed out after %.0f s", timeout_ms / 1000.0);
    else if (o->signal)
        snprintf(text, sizeof text, "killed by %s", proc_signal_words(o->signal));
    else
        snprintf(text, sizeof text, "exited with code %d", o->exit_code);
    return text;
}

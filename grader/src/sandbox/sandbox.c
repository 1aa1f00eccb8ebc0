/*
 * sandbox.c - where a run of student code is isolated, and nowhere else.
 *
 * Student code is hostile until proven otherwise. A sandboxed run (the
 * compile of an exercise, its test binary) is built like this when the
 * grader runs as root:
 *
 *   keeper (root, proc.c) ── unshare PID, IPC, network namespaces
 *     └─ init = PID 1 (root): own mount namespace, builds the new root:
 *          tmpfs / with /usr, /etc (shadow masked), /lib... read-only,
 *          /dev with a few devices, a fresh /proc, a private /tmp, the
 *          exercise's paths (read-only, or read-write for the compile's
 *          output), HOME as a size-capped tmpfs, /wb-report for the report
 *        └─ program: pivot_root into it, run user, no_new_privs, seccomp, exec
 *
 * Nothing of the course (solutions/, quiz keys, other exercises' output,
 * other submissions, the grader's results) exists in that root. The pids
 * cgroup (proc.c) is owned by root and /sys is not mounted, so the run
 * cannot leave it. When the runner exits, init kills every other process of
 * the namespace and reaps it, then copies the report out: a child the
 * student left behind can no longer write to it. When init dies, the kernel
 * kills whatever is left in the namespace.
 *
 * Where the kernel refuses a layer (a container without namespaces, no root)
 * the run goes on with the layers it got; each run reports them
 * (sandbox_run.layers), and results.json lists what held for every run.
 * Without root, a user namespace (where the kernel allows ordinary users
 * one) gives the same namespaces and file view, with the student's own uid
 * seen as INNER_ID inside; there is no separate user and no cgroup.
 * Where even that is refused, rlimits, no_new_privs and seccomp still hold.
 *
 * What remains: the tests of an exercise run in Criterion's worker
 * processes, and the student's object is linked into them, so student code
 * shares a process (and a user) with the code that makes the assertions
 * and sends their results to the runner. Screening keeps out what would
 * run outside a test (constructors, IFUNC, overriding the runner's
 * functions) and what reaches around the checks (raw syscalls, calls
 * outside the allowlist), but C in the same address space can still, in
 * principle, scribble on Criterion's state or speak the worker protocol on
 * its socket by hand, and so forge a passing test. Nothing it does can leave
 * the run: it cannot write the report after the runner (init ends every
 * process first; the runner is not dumpable), reach the course, the host's
 * network, other runs or the grader's files. Exercises whose test restarts
 * the grader's broker (keep_root) run as the grader, without a PID
 * namespace. Closing the first gap takes an exercise host: the student's
 * functions in a process of their own that the test calls over a pipe.
 */
#define _GNU_SOURCE
#include "sandbox.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUN_USER "wirebook-run"
/* Used when no account can be made (no useradd): a uid no account has. */
#define FALLBACK_ID 64199
#define REPORT_MAX_BYTES (16L << 20)
/* Where root's runs put the mount points of their new roots. */
#define ROOTS_DIR "/run/wirebook"

static const char *layer_names[] = {
    "user " RUN_USER, "no_new_privs",  "seccomp",        "pid namespace",
    "mount view",     "net namespace", "ipc namespace",  "pids cgroup",
    "private tmp",    "rlimits",       "user namespace", "broker relay",
};

/* Without root, the run's uid inside its user namespace: not 0, so the
 * program keeps no capability once it execs (the keeper and init, which do
 * not exec, keep the namespace's capabilities to build the view). */
#define INNER_ID 1000

const char *sandbox_layer_name(unsigned layer)
{
    for (unsigned i = 0; i < sizeof layer_names / sizeof *layer_names; i++)
        if (layer == 1u << i)
            return layer_names[i];
    return "?";
}

char *sandbox_layers_text(unsigned layers)
{
    struct strbuf sb = {0};
    for (unsigned i = 0; i < sizeof layer_names / sizeof *layer_names; i++) {
        unsigned layer = 1u << i;
        if (!(layers & layer) || (layer == SB_NET_RELAY && (layers & SB_NET_NS)))
            continue;
        /* The relay is part of the network namespace: one entry says both. */
        const char *name = layer == SB_NET_NS && (layers & SB_NET_RELAY)
                               ? "net namespace (loopback + broker relay)"
                               : layer_names[i];
        sb_printf(&sb, "%s%s", sb.len ? ", " : "", name);
    }
    return sb.len ? sb_take(&sb) : strdup("none");
}

bool sandbox_privileged(void)
{
    return geteuid() == 0;
}

bool sandbox_refuses(const char *command, bool unsafe)
{
    const char *env = getenv("WIREBOOK_UNSAFE_NO_SANDBOX");
    if (sandbox_privileged() || unsafe || (env && strcmp(env, "1") == 0))
        return false;
    fprintf(stderr,
            "wirebook %s: not running as root, so student code cannot be isolated (no separate "
            "user, namespaces, file view or cgroup: it could read and change your files).\n"
            "Run it as root (sudo), or pass --unsafe-no-sandbox to grade with only "
            "no_new_privs, seccomp and limits. `wirebook check` works without root.\n",
            command);
    return true;
}

/* ---- the run user ------------------------------------------------------- */

int sandbox_run_user(uid_t *uid, gid_t *gid)
{
    static int resolved; /* 0 not yet, 1 found, -1 none */
    static uid_t cached_uid;
    static gid_t cached_gid;
    if (resolved == 0 && sandbox_privileged()) {
        struct passwd *pw = getpwnam(RUN_USER);
        if (!pw) {
            /* A system account without home or shell; a batch of parallel
             * graders may race here, so look again whatever useradd said. */
            pid_t pid = fork();
            if (pid == 0) {
                int null = open("/dev/null", O_WRONLY);
                if (null >= 0) {
                    dup2(null, 1);
                    dup2(null, 2);
                }
                execlp("useradd", "useradd", "--system", "--no-create-home", "--home-dir",
                       "/nonexistent", "--shell", "/usr/sbin/nologin", "--user-group", RUN_USER,
                       (char *)NULL);
                _exit(127);
            }
            int status;
            while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            pw = getpwnam(RUN_USER);
        }
        cached_uid = pw ? pw->pw_uid : FALLBACK_ID;
        cached_gid = pw ? pw->pw_gid : FALLBACK_ID;
        resolved = 1;
    } else if (resolved == 0) {
        resolved = -1;
    }
    if (resolved < 0)
        return -1;
    *uid = cached_uid;
    *gid = cached_gid;
    return 0;
}

int sandbox_become(uid_t uid, gid_t gid)
{
    return setgroups(0, NULL) == 0 && setresgid(gid, gid, gid) == 0 && setresuid(uid, uid, uid) == 0
               ? 0
               : -1;
}

/* ---- keeper: namespaces ------------------------------------------------- */

/* A new network namespace starts with loopback down: bring it up. */
static int loopback_up(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
    }
    close(fd);
    return rc;
}

/* Writes one line to a /proc file of this process. */
static int write_proc(const char *name, const char *text)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/%s", name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    return close(fd) == 0 && n == (ssize_t)strlen(text) ? 0 : -1;
}

/* An ordinary user's way to namespaces: a user namespace in which its uid
 * and gid appear as INNER_ID. */
static int enter_user_namespace(void)
{
    char map[64];
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER) != 0 || write_proc("setgroups", "deny") != 0)
        return -1;
    snprintf(map, sizeof map, "%d %d 1", INNER_ID, (int)uid);
    if (write_proc("uid_map", map) != 0)
        return -1;
    snprintf(map, sizeof map, "%d %d 1", INNER_ID, (int)gid);
    return write_proc("gid_map", map);
}

void sandbox_keeper_setup(const struct sandbox_spec *spec, struct sandbox_run *run)
{
    memset(run, 0, sizeof *run);
    run->spec = spec;
    run->layers = SB_RLIMITS; /* proc.c sets them on every run */
    /* The relay must stay in the host's namespaces: forked before any. */
    int relay_channel = -1;
    if (!spec->host_network && spec->nrelay_ports > 0) {
        run->relay = netrelay_start(&relay_channel);
        if (run->relay < 0) {
            dprintf(2, "wirebook: sandbox: cannot start the broker relay: %s\n", strerror(errno));
            run->relay = 0;
        }
    }
    if (!sandbox_privileged()) {
        if (enter_user_namespace() != 0) {
            if (relay_channel >= 0)
                close(relay_channel); /* the relay exits; the run keeps the host's network */
            return;                   /* limits, no_new_privs and seccomp only */
        }
        run->layers |= SB_USER_NS;
    } else if (!spec->keep_root && sandbox_run_user(&run->uid, &run->gid) == 0) {
        run->drop_user = true;
    }
    /* The broker script of a keep_root run checks the broker's processes,
     * which live outside: such a run keeps the host's PID namespace. */
    if (!spec->keep_root && unshare(CLONE_NEWPID) == 0)
        run->layers |= SB_PID_NS;
    if (unshare(CLONE_NEWIPC) == 0)
        run->layers |= SB_IPC_NS;
    if (!spec->host_network && unshare(CLONE_NEWNET) == 0 && loopback_up() == 0)
        run->layers |= SB_NET_NS;
    if (relay_channel >= 0) {
        /* Without a namespace of its own the run already sees the host's
         * network; the relay then gets no sockets and exits. */
        if (!(run->layers & SB_NET_NS))
            close(relay_channel);
        else if (netrelay_listen(relay_channel, spec->relay_ports, spec->nrelay_ports) == 0)
            run->layers |= SB_NET_RELAY;
        else
            dprintf(2,
                    "wirebook: sandbox: the broker relay cannot listen in the run's network: "
                    "%s\n",
                    strerror(errno));
    }
    /* The new root's mount point: named after the keeper in a folder only
     * root writes (so a lost keeper's can be found), else a fresh one. */
    if (sandbox_privileged() && (mkdir(ROOTS_DIR, 0700) == 0 || errno == EEXIST)) {
        snprintf(run->root, sizeof run->root, "%s/root-%d", ROOTS_DIR, (int)getpid());
        /* One already there is a dead keeper's that had this pid (pids wrap
         * at 32768; a grading starts thousands): empty, its mounts died
         * with its namespace. Without a root of its own the run would get
         * no file view at all. If it cannot go, a fresh name. */
        if (mkdir(run->root, 0700) != 0 && errno == EEXIST &&
            (rmdir(run->root) != 0 || mkdir(run->root, 0700) != 0)) {
            snprintf(run->root, sizeof run->root, "%s/root-%d.XXXXXX", ROOTS_DIR, (int)getpid());
            if (!mkdtemp(run->root))
                run->root[0] = '\0';
        } else if (access(run->root, F_OK) != 0) {
            run->root[0] = '\0';
        }
    } else {
        snprintf(run->root, sizeof run->root, "/tmp/wirebook-root.XXXXXX");
        if (!mkdtemp(run->root))
            run->root[0] = '\0';
    }
}

void sandbox_forget_keeper(pid_t keeper)
{
    char root[64];
    snprintf(root, sizeof root, "%s/root-%d", ROOTS_DIR, (int)keeper);
    (void)rmdir(root); /* empty: its mounts died with the run's namespace */
}

void sandbox_keeper_cleanup(struct sandbox_run *run)
{
    if (run->relay > 0) {
        kill(run->relay, SIGKILL);
        while (waitpid(run->relay, NULL, 0) < 0 && errno == EINTR)
            ;
        run->relay = 0;
    }
    if (run->root[0])
        rmdir(run->root); /* the mount lived in the init's namespace only */
}

/* ---- init: the view ------------------------------------------------------ */

/* mkdir -p for a path under the new root. */
static int make_dirs(const char *path)
{
    return mkdir_p(path);
}

/* Creates an empty file to bind a file onto. */
static int make_file(const char *path)
{
    char *dir = strdup(path);
    if (!dir)
        return -1;
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir)
        *slash = '\0';
    int rc = make_dirs(dir);
    free(dir);
    int fd = rc == 0 ? open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644) : -1;
    if (fd < 0)
        return -1;
    return close(fd);
}

/* Shows host path `from` at `to` (under the new root), read-only unless rw. */
static int bind_path(const char *from, const char *to, bool rw)
{
    struct stat st;
    if (stat(from, &st) != 0)
        return errno == ENOENT ? 0 : -1; /* nothing to show (no gen/ folder...) */
    if ((S_ISDIR(st.st_mode) ? make_dirs(to) : make_file(to)) != 0)
        return -1;
    if (mount(from, to, NULL, MS_BIND | MS_REC, NULL) != 0)
        return -1;
    /* Keep the flags the source mount has: in a user namespace the kernel
     * refuses a remount that would clear them. */
    struct statvfs vfs;
    unsigned long kept = 0;
    if (statvfs(from, &vfs) == 0) {
        kept |= vfs.f_flag & ST_NOEXEC ? MS_NOEXEC : 0;
        kept |= vfs.f_flag & ST_NOATIME ? MS_NOATIME : 0;
        kept |= vfs.f_flag & ST_NODIRATIME ? MS_NODIRATIME : 0;
        kept |= vfs.f_flag & ST_RELATIME ? MS_RELATIME : 0;
    }
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | kept | (rw ? 0 : MS_RDONLY);
    return mount(NULL, to, NULL, flags, NULL);
}

static int bind_under(const char *root, const char *path, bool rw)
{
    char *to = str_printf("%s%s", root, path);
    int rc = to ? bind_path(path, to, rw) : -1;
    free(to);
    return rc;
}

static int tmpfs_at(const char *path, const char *options)
{
    if (make_dirs(path) != 0)
        return -1;
    return mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, options);
}

/* /bin, /lib... are symlinks on merged-/usr systems and folders elsewhere. */
static int system_path(const char *root, const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0; /* not on this system */
    if (S_ISLNK(st.st_mode)) {
        char target[256];
        ssize_t n = readlink(path, target, sizeof target - 1);
        char *at = str_printf("%s%s", root, path);
        int rc = -1;
        if (n > 0 && at) {
            target[n] = '\0';
            rc = symlink(target, at);
        }
        free(at);
        return rc;
    }
    return bind_under(root, path, false);
}

/* The devices a test may use, on a tmpfs /dev. */
static int make_dev(const char *root)
{
    static const char *devices[] = {"null", "zero", "full", "random", "urandom", NULL};
    char *dev = str_printf("%s/dev", root);
    char *shm = str_printf("%s/dev/shm", root);
    int rc = dev && shm && tmpfs_at(dev, "mode=0755,size=1m") == 0 ? 0 : -1;
    for (const char **d = devices; rc == 0 && *d; d++) {
        char *from = str_printf("/dev/%s", *d);
        char *to = str_printf("%s/dev/%s", root, *d);
        rc = from && to && make_file(to) == 0 &&
                     mount(from, to, NULL, MS_BIND | MS_NOSUID, NULL) == 0
                 ? 0
                 : -1;
        free(from);
        free(to);
    }
    static const char *links[][2] = {{"/proc/self/fd", "fd"},
                                     {"/proc/self/fd/0", "stdin"},
                                     {"/proc/self/fd/1", "stdout"},
                                     {"/proc/self/fd/2", "stderr"}};
    for (size_t i = 0; rc == 0 && i < sizeof links / sizeof *links; i++) {
        char *at = str_printf("%s/dev/%s", root, links[i][1]);
        rc = at && symlink(links[i][0], at) == 0 ? 0 : -1;
        free(at);
    }
    /* Criterion's workers share memory through POSIX shm. */
    if (rc == 0)
        rc = tmpfs_at(shm, "mode=1777,size=64m");
    free(dev);
    free(shm);
    return rc;
}

/* Hides a file of a bound folder behind an empty one. */
static void mask_file(const char *root, const char *path)
{
    char *at = str_printf("%s%s", root, path);
    if (at && access(at, F_OK) == 0)
        (void)mount("/dev/null", at, NULL, MS_BIND, NULL);
    free(at);
}

static int build_root(struct sandbox_run *run)
{
    const struct sandbox_spec *s = run->spec;
    const char *root = run->root;
    long mb = s->tmp_mb > 0 ? s->tmp_mb : 256;
    char opts[128];
    if (mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=4m") != 0)
        return -1;
    static const char *system[] = {"/usr",   "/bin",    "/sbin", "/lib", "/lib32",
                                   "/lib64", "/libx32", "/etc",  NULL};
    for (const char **p = system; *p; p++)
        if (system_path(root, *p) != 0)
            return -1;
    /* Readable only by root anyway; masked in case a run keeps root. */
    mask_file(root, "/etc/shadow");
    mask_file(root, "/etc/gshadow");
    mask_file(root, "/etc/shadow-");
    mask_file(root, "/etc/gshadow-");
    /* No run speaks TLS, but Criterion links libgit2, which parses every
     * certificate of this bundle (mbedTLS) as it loads: about a quarter of
     * the start of each test process, and tests start one per test. Behind
     * /dev/null (not a regular file) libgit2 skips it. */
    mask_file(root, "/etc/ssl/certs/ca-certificates.crt");
    if (make_dev(root) != 0)
        return -1;
    /* A fresh /proc shows the run's own processes; without a PID namespace
     * (keep_root runs) only the host's can be shown. */
    char *proc = str_printf("%s/proc", root);
    int rc = -1;
    if (proc && make_dirs(proc) == 0)
        rc = run->layers & SB_PID_NS
                 ? mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)
                 : mount("/proc", proc, NULL, MS_BIND | MS_REC, NULL);
    free(proc);
    if (rc != 0)
        return -1;
    char *tmp = str_printf("%s/tmp", root);
    snprintf(opts, sizeof opts, "mode=1777,size=%ldm", mb);
    rc = tmp && tmpfs_at(tmp, opts) == 0 ? 0 : -1;
    free(tmp);
    if (rc != 0)
        return -1;
    for (const char *const *p = s->ro_paths; p && *p; p++)
        if (bind_under(root, *p, false) != 0)
            return -1;
    for (const char *const *p = s->rw_paths; p && *p; p++) {
        if (run->drop_user && chown(*p, run->uid, run->gid) != 0)
            return -1;
        if (bind_under(root, *p, true) != 0)
            return -1;
    }
    uid_t uid = run->drop_user ? run->uid : (run->layers & SB_USER_NS) ? INNER_ID : 0;
    gid_t gid = run->drop_user ? run->gid : (run->layers & SB_USER_NS) ? INNER_ID : 0;
    if (s->home) {
        char *home = str_printf("%s%s", root, s->home);
        snprintf(opts, sizeof opts, "mode=0700,size=%ldm,uid=%d,gid=%d", mb, (int)uid, (int)gid);
        rc = home && tmpfs_at(home, opts) == 0 ? 0 : -1;
        free(home);
        if (rc != 0)
            return -1;
    }
    char *report = str_printf("%s/wb-report", root);
    snprintf(opts, sizeof opts, "mode=0700,size=%ldm,uid=%d,gid=%d", REPORT_MAX_BYTES >> 20,
             (int)uid, (int)gid);
    rc = report && tmpfs_at(report, opts) == 0 ? 0 : -1;
    free(report);
    return rc;
}

void sandbox_init_view(struct sandbox_run *run)
{
    if (!run->root[0])
        return;
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return;
    if (build_root(run) == 0)
        run->layers |= SB_MOUNT_VIEW | SB_PRIVATE_TMP;
    else
        dprintf(2, "wirebook: sandbox: cannot build the run's file view (%s); running without\n",
                strerror(errno));
}

void sandbox_collect_report(const struct sandbox_run *run)
{
    if (!(run->layers & SB_MOUNT_VIEW) || !run->spec->report_path)
        return;
    char *from = str_printf("%s%s", run->root, SANDBOX_REPORT);
    int in = from ? open(from, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) : -1;
    free(from);
    struct stat st;
    if (in < 0 || fstat(in, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > REPORT_MAX_BYTES) {
        if (in >= 0)
            close(in);
        return; /* no report: the grader says the runner left none */
    }
    const char *to = run->spec->report_path;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    char buf[65536];
    ssize_t n;
    while (out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n)
            break;
    close(in);
    if (out >= 0)
        close(out);
}

/* ---- program: enter ------------------------------------------------------ */

static int enter_root(const char *root)
{
    /* Its own mount namespace, so the pivot leaves init where it is. */
    if (unshare(CLONE_NEWNS) != 0 || chdir(root) != 0)
        return -1;
    if (mkdir(".old", 0700) != 0 || syscall(SYS_pivot_root, ".", ".old") != 0)
        return -1;
    if (chdir("/") != 0 || umount2("/.old", MNT_DETACH) != 0 || rmdir("/.old") != 0)
        return -1;
    /* The root tmpfs itself is read-only from now on. */
    return mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
}

/* Kernel calls no exercise needs and every escape uses: they fail with
 * EPERM. Creating namespaces through clone() flags is refused the same way;
 * clone3 says ENOSYS so glibc falls back to clone, whose flags we can see. */
static const char *denied_calls[] = {"ptrace",
                                     "setns",
                                     "unshare",
                                     "mount",
                                     "umount2",
                                     "pivot_root",
                                     "chroot",
                                     "kexec_load",
                                     "kexec_file_load",
                                     "bpf",
                                     "keyctl",
                                     "add_key",
                                     "request_key",
                                     "init_module",
                                     "finit_module",
                                     "delete_module",
                                     "perf_event_open",
                                     "process_vm_readv",
                                     "process_vm_writev",
                                     "reboot",
                                     "swapon",
                                     "swapoff",
                                     "open_by_handle_at",
                                     "name_to_handle_at",
                                     "userfaultfd",
                                     "fanotify_init",
                                     "acct",
                                     "settimeofday",
                                     "clock_settime",
                                     "clock_adjtime",
                                     "adjtimex",
                                     "sethostname",
                                     "setdomainname",
                                     "iopl",
                                     "ioperm",
                                     "quotactl",
                                     "move_mount",
                                     "open_tree",
                                     "fsopen",
                                     "fsconfig",
                                     "fsmount",
                                     "fspick",
                                     "mount_setattr",
                                     "uselib",
                                     "vhangup",
                                     "syslog",
                                     "kcmp",
                                     "pidfd_getfd",
                                     "lookup_dcookie",
                                     "nfsservctl",
                                     "vm86",
                                     "vm86old",
                                     NULL};

static int load_seccomp(bool allow_ptrace)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        return -1;
    int rc = 0;
    for (const char **c = denied_calls; rc == 0 && *c; c++) {
        if (allow_ptrace && strcmp(*c, "ptrace") == 0)
            continue;
        int nr = seccomp_syscall_resolve_name(*c);
        if (nr != __NR_SCMP_ERROR)
            rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
    }
    static const unsigned long ns_flags[] = {CLONE_NEWNS,    CLONE_NEWUSER, CLONE_NEWPID,
                                             CLONE_NEWNET,   CLONE_NEWIPC,  CLONE_NEWUTS,
                                             CLONE_NEWCGROUP};
    for (size_t i = 0; rc == 0 && i < sizeof ns_flags / sizeof *ns_flags; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    /* personality(0xffffffff) only asks (sanitizers do); setting it may not. */
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
                              SCMP_A0(SCMP_CMP_NE, 0xffffffffu));
    /* Pushing characters into a terminal's input (TIOCSTI). */
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                              SCMP_A1(SCMP_CMP_EQ, TIOCSTI));
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    return rc;
}

/* argv with every mention of the host report path replaced by the one the
 * runner sees inside the sandbox. */
static char *const *rewrite_report(char *const *argv, const char *host)
{
    size_t n = 0;
    while (argv[n])
        n++;
    char **out = calloc(n + 1, sizeof *out);
    if (!out)
        return argv;
    size_t hl = strlen(host);
    for (size_t i = 0; i < n; i++) {
        const char *at = strstr(argv[i], host);
        out[i] = at ? str_printf("%.*s%s%s", (int)(at - argv[i]), argv[i], SANDBOX_REPORT, at + hl)
                    : argv[i];
        if (!out[i])
            out[i] = argv[i];
    }
    return out;
}

char *const *sandbox_enter(struct sandbox_run *run, char *const *argv)
{
    const struct sandbox_spec *s = run->spec;
    if (run->layers & SB_MOUNT_VIEW) {
        if (enter_root(run->root) != 0) {
            dprintf(2, "wirebook: sandbox: cannot enter the run's file view: %s\n",
                    strerror(errno));
            _exit(126);
        }
        if (s->report_path)
            argv = rewrite_report(argv, s->report_path);
    }
    if (run->drop_user) {
        if (sandbox_become(run->uid, run->gid) != 0) {
            dprintf(2, "wirebook: sandbox: cannot switch to user %s: %s\n", RUN_USER,
                    strerror(errno));
            _exit(126);
        }
        run->layers |= SB_USER;
    }
    /* Credentials changed: the parent-death signal is reset, set it again. */
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
        run->layers |= SB_NO_NEW_PRIVS;
    if (load_seccomp(s->allow_ptrace) == 0)
        run->layers |= SB_SECCOMP;
    return argv;
}

/*
 * sandbox.h - fences one run of student code (its compile, its tests) off
 * from the machine. proc.c calls these from the processes of a run; see
 * sandbox.c for what each layer is and why.
 */
#ifndef WB_SANDBOX_H
#define WB_SANDBOX_H

#include "netrelay.h"

#include <stdbool.h>
#include <sys/types.h>

/* The layers a run can get; a run records the ones that really applied. */
enum sandbox_layer {
    SB_USER = 1u << 0,         /* runs as the unprivileged user wirebook-run */
    SB_NO_NEW_PRIVS = 1u << 1, /* no setuid program can give it rights back */
    SB_SECCOMP = 1u << 2,      /* kernel calls no test needs are refused */
    SB_PID_NS = 1u << 3,       /* sees only its own processes; all die with its init */
    SB_MOUNT_VIEW = 1u << 4,   /* sees only the exercise's files, read-only */
    SB_NET_NS = 1u << 5,       /* a network with loopback only */
    SB_IPC_NS = 1u << 6,       /* its own System V / POSIX message queues */
    SB_CGROUP = 1u << 7,       /* a pids cgroup it cannot leave */
    SB_PRIVATE_TMP = 1u << 8,  /* its own size-capped /tmp and HOME */
    SB_RLIMITS = 1u << 9,      /* CPU, memory, file size and open file limits */
    SB_USER_NS = 1u << 10,     /* without root: a user namespace holds the others */
    SB_NET_RELAY = 1u << 11,   /* in the net namespace, the broker's port(s) answer (netrelay.c) */
};
#define SB_ALL_LAYERS 0xfffu

/* What one sandboxed run may see. Paths are absolute and appear inside the
 * sandbox at the same place, so command lines need no rewriting. */
struct sandbox_spec {
    const char *const *ro_paths; /* files and folders shown read-only (NULL-terminated) */
    const char *const *rw_paths; /* folders the run writes: given to the run user */
    const char *home;            /* a private tmpfs owned by the run user is mounted here */
    /* Where the grader wants the test report. Inside the sandbox the runner
     * writes it to SANDBOX_REPORT (argv entries naming report_path are
     * rewritten); it is copied out only after every process of the run is
     * dead, so nothing the student left running can change it. */
    const char *report_path;
    bool host_network; /* keep the host's network (a broker the relay cannot reach) */
    /* Ports of 127.0.0.1 (a broker on the host) that answer inside the run's
     * network namespace, relayed to the same port of the host. */
    unsigned short relay_ports[NETRELAY_MAX_PORTS];
    int nrelay_ports;
    bool keep_root; /* a test restarts the grader's broker: run as the grader (see run.c) */
    long tmp_mb;    /* size of /tmp and of home, 0 = 256 */
    /* A sanitized run: LeakSanitizer stops the process's threads with
     * ptrace to scan them, so ptrace stays allowed. The runner is not
     * dumpable, so the run user cannot trace it. */
    bool allow_ptrace;
};

#define SANDBOX_REPORT "/wb-report/report.json"

/* One-line names of layers ("user wirebook-run", "seccomp", ...). */
const char *sandbox_layer_name(unsigned layer);
/* "user, no_new_privs, ..." for a set of layers (malloc'd). */
char *sandbox_layers_text(unsigned layers);

/* True when this process can build the full sandbox (it runs as root). */
bool sandbox_privileged(void);

/* For `wirebook grade` and `batch`, which instructors run on untrusted
 * code: true (after saying why on stderr) when this process cannot isolate
 * student code and neither --unsafe-no-sandbox nor
 * WIREBOOK_UNSAFE_NO_SANDBOX=1 accepts that. */
bool sandbox_refuses(const char *command, bool unsafe);

/* Resolves (creating it with useradd when missing) the run user; cached.
 * Fills uid/gid; -1 when there is none (then runs keep the grader's user). */
int sandbox_run_user(uid_t *uid, gid_t *gid);

/* Drops every group and becomes uid/gid for good; -1 when it cannot. */
int sandbox_become(uid_t uid, gid_t gid);

/* Per-run state, kept by proc.c's keeper and inherited by its children. */
struct sandbox_run {
    const struct sandbox_spec *spec;
    unsigned layers; /* what applied so far */
    uid_t uid;
    gid_t gid;
    bool drop_user;
    char root[64]; /* the mount point of the new root ("" when none) */
    pid_t relay;   /* the broker relay (netrelay.c), 0 when none */
};

/* In the keeper, before it forks the run's init: new PID, IPC and network
 * namespaces (what the kernel allows), the broker relay, the new root's
 * mount point. */
void sandbox_keeper_setup(const struct sandbox_spec *spec, struct sandbox_run *run);
/* In the keeper, after the run: stops the relay, removes the mount point. */
void sandbox_keeper_cleanup(struct sandbox_run *run);
/* In the grader, for a keeper that was lost: removes its mount point. */
void sandbox_forget_keeper(pid_t keeper);

/* In the run's init (PID 1 of the new namespace): a private mount namespace
 * holding the new root with the spec's paths. */
void sandbox_init_view(struct sandbox_run *run);
/* In the init, after every other process of the run is gone: copies the
 * runner's report to spec->report_path. */
void sandbox_collect_report(const struct sandbox_run *run);

/* In the program, just before exec: enter the view, drop to the run user,
 * no_new_privs, seccomp. Returns the argv to exec (report path rewritten). */
char *const *sandbox_enter(struct sandbox_run *run, char *const *argv);

#endif

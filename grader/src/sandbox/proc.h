/*
 * proc.h - runs one program (compiler or test binary) under the grader's
 * limits and makes sure nothing it started survives it.
 */
#ifndef WB_PROC_H
#define WB_PROC_H

#include <stdbool.h>

struct sandbox_spec;

struct proc_limits {
    int cpu_seconds; /* RLIMIT_CPU per process, 0 = none */
    long memory_mb;  /* RLIMIT_AS per process, 0 = none (sanitizers need none) */
    long file_mb;    /* RLIMIT_FSIZE, 0 = none */
    int open_files;  /* RLIMIT_NOFILE, 0 = unchanged */
    int processes;   /* at most this many processes and threads of the run, 0 = no cap:
                      * a pids cgroup when one can be made, else RLIMIT_NPROC (which
                      * root ignores) */
};

/* How far a run is fenced off from the machine (see proc.c). */
enum proc_isolation {
    PROC_SHARED,  /* the grader's own network: compilers, broker scripts, broker tests */
    PROC_OWN_NET, /* a network namespace with only loopback (when root) */
};

struct proc_spec {
    char *const *argv;       /* argv[0] is looked up in PATH */
    char *const *envp;       /* the complete environment of the program */
    const char *cwd;         /* NULL = unchanged */
    const char *output_path; /* stdout + stderr go here (truncated first) */
    int timeout_ms;          /* wall-clock limit for the whole run */
    struct proc_limits limits;
    bool keep_orphans;             /* leave daemons it detached running (broker scripts) */
    enum proc_isolation isolation; /* namespaces need root; without it, limits only */
    /* Student code: run it in this sandbox (sandbox.c), which replaces
     * `isolation`. NULL for the grader's own tools. */
    const struct sandbox_spec *sandbox;
};

struct proc_outcome {
    bool started;       /* false when the program could not be executed */
    int exit_code;      /* when it exited normally, else -1 */
    int signal;         /* the signal that ended it, else 0 */
    bool timed_out;     /* killed by the wall-clock limit */
    bool process_limit; /* killed for sitting at its process cap (a fork bomb) */
    double seconds;     /* wall time */
    bool keeper_lost;   /* the keeper was stopped or killed: the run was ended from outside */
    unsigned layers;    /* the sandbox layers that applied (enum sandbox_layer) */
};

/* Runs spec and waits for it. The program gets its own process group; a
 * helper process, made a "child subreaper", outlives it and kills whatever
 * it left behind (including Criterion workers that started their own
 * session). Returns 0 when the outcome is known, -1 when the run could not be
 * set up (fork or pipe failed). */
int proc_run(const struct proc_spec *spec, struct proc_outcome *out);

/* True when this process may create namespaces (it runs as root). */
bool proc_can_isolate(void);

/* Describes an outcome in words: "exited with code 1", "killed by SIGSEGV
 * (segmentation fault)", "timed out after 10 s". Static buffer. */
const char *proc_describe(const struct proc_outcome *o, int timeout_ms);

/* "SIGSEGV (segmentation fault: a bad pointer)" and the like. */
const char *proc_signal_words(int sig);

#endif

/*
 * wb_testkit.h - what every wirebook test binary can use.
 *
 * The test kit is linked into each exercise's Criterion test binary. It
 * provides:
 *   - the binary's main() and the grader's own report format (wb_main.c,
 *     wb_report.c), so scores never depend on what tests or students print;
 *   - free ports, readiness waits and unique names (wb_net.c, wb_names.c);
 *   - WB_SUITE(), which gives every suite the time limit the grader relies on.
 *
 * Chapter-specific helpers live in files named for their chapter
 * (wb_http.h for chapter 01, ...).
 */
#ifndef WB_TESTKIT_H
#define WB_TESTKIT_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Seconds a single test may run unless its suite says otherwise. Criterion's
 * global --timeout only caps tests that already have one, so every suite
 * must carry its own: declare suites with WB_SUITE, never bare TestSuite. */
#define WB_TEST_TIMEOUT 10.0

#define WB_SUITE(name, ...) TestSuite(name, .timeout = WB_TEST_TIMEOUT, ##__VA_ARGS__)

/* ---- network (wb_net.c) ------------------------------------------------ */

/* A TCP port on 127.0.0.1 that nothing held a moment ago, drawn from
 * outside the kernel's ephemeral range so that no bind to port 0 and no
 * outgoing connection takes it before the program under test binds it.
 * Prefer letting the code under test bind port 0; use this when it cannot. */
uint16_t wb_free_port(void);

/* A port on 127.0.0.1 that refuses connections (bound, never listened). The
 * socket stays open until the test ends, so nobody else takes the port. */
uint16_t wb_refusing_port(void);

/* Waits until something accepts TCP connections on 127.0.0.1:port.
 * Returns true when it does, false after timeout_ms. */
bool wb_wait_port(uint16_t port, int timeout_ms);

/* The address a socket of this process listens on at port ("127.0.0.1",
 * "0.0.0.0", "::"), written into address; false when none listens there.
 * For servers that run inside the test process (wb_sockets.c). */
bool wb_listening_address(uint16_t port, char *address, size_t size);

/* Who listens on TCP port `port` (any local address, IPv4 or IPv6), as
 * the kernel's socket table (sock_diag; /proc/net/tcp{,6} where that is
 * refused) and /proc/PID/fd tell. A program started on a port from
 * wb_free_port() can lose it to another test's program that drew the same
 * number; a readiness wait that only connects would then talk to that one.
 * Where /proc cannot tell (not mounted, PID's fds not readable), any
 * listener counts as PID's. */
enum wb_listener {
    WB_LISTENER_NONE,    /* nobody listens there */
    WB_LISTENER_PROCESS, /* process pid does */
    WB_LISTENER_OTHER,   /* someone else does, not pid */
};
enum wb_listener wb_port_listener(uint16_t port, pid_t pid);

/* A readiness wait for a program just started: polls wb_port_listener
 * until someone listens on port, or pid (a child of the caller) has exited,
 * which it leaves unreaped, or timeout_ms passed. Returns who listens then:
 * WB_LISTENER_NONE when pid exited or time ran out (waitpid tells which). */
enum wb_listener wb_wait_listener(uint16_t port, pid_t pid, int timeout_ms);

/* ---- names and time (wb_names.c) --------------------------------------- */

/* "prefix-<pid>-<counter>-<random>": unique across tests and parallel runs,
 * for queues, topics, groups and files. Returns a static buffer that the next
 * call overwrites; copy it if you need two. */
const char *wb_unique_name(const char *prefix);

/* Monotonic milliseconds, for measuring how long something took. */
int64_t wb_now_ms(void);

/* Environment variable or a fallback: broker addresses (AMQP_ADDR,
 * KAFKA_BROKERS) come in this way from the Makefile and the grader. */
const char *wb_env_or(const char *name, const char *fallback);

/* ---- peer programs (wb_proc.c) ------------------------------------------ */

/* What a finished peer program did. */
struct wb_run_result {
    int exit_code;  /* exit status, or -1 when it did not exit normally */
    int signal;     /* the signal that ended it, else 0 */
    bool timed_out; /* killed by wb_run after timeout_ms */
    char *output;   /* stdout and stderr together, NUL-terminated (heap) */
    size_t output_len;
};

/* Runs argv[0] (looked up in PATH) with argv, stdin from /dev/null, and
 * waits at most timeout_ms. The program runs in its own process group, which
 * is killed on timeout. env_extra is NULL or a NULL-terminated list of
 * "NAME=value" added to the environment. Returns 0 when the program was run
 * (whatever its exit code), -1 when it could not be started (the reason is
 * in result->output). Free with wb_run_result_free. */
int wb_run(char *const argv[], char *const env_extra[], int timeout_ms,
           struct wb_run_result *result);
void wb_run_result_free(struct wb_run_result *result);
/* Removes path and everything under it (rm -rf), as far as it can. */
void wb_remove_tree(const char *path);

/* Starts argv in the background (own process group, output appended to
 * log_path or discarded when NULL). Returns its pid, or -1 on failure.
 * Stop it with wb_stop, which kills the whole group and reaps it. */
int wb_spawn(char *const argv[], char *const env_extra[], const char *log_path);
void wb_stop(int pid);

/* Path of a file of the chapter under test: $WB_CHAPTER_DIR/relative, where
 * the grader points WB_CHAPTER_DIR at the chapter's (pristine) folder. Falls
 * back to the current directory. Static buffer, overwritten by the next call. */
const char *wb_chapter_path(const char *relative);

#endif

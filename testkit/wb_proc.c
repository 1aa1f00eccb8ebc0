/*
 * wb_proc.c - run peer programs (python3 clients, kcat, amqp-tools) from tests.
 *
 * Peers run in their own process group so a test can always kill everything
 * they started, and every wait is bounded so a silent peer cannot hang a test.
 */
#include "wb_testkit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* environ plus env_extra, as a new NULL-terminated array (strings not copied). */
static char **merged_env(char *const env_extra[])
{
    size_t n = 0, extra = 0;
    while (environ[n])
        n++;
    while (env_extra && env_extra[extra])
        extra++;
    char **env = calloc(n + extra + 1, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < extra; i++)
        env[k++] = env_extra[i];
    for (size_t i = 0; i < n; i++)
        env[k++] = environ[i]; /* first match wins in getenv, so extras override */
    return env;
}

static int spawn_in_group(char *const argv[], char *const env_extra[], int out_fd)
{
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    pid_t pid = -1;
    char **env = merged_env(env_extra);
    if (!env)
        return -1;
    if (posix_spawn_file_actions_init(&actions) != 0) {
        free(env);
        return -1;
    }
    if (posix_spawnattr_init(&attr) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        free(env);
        return -1;
    }
    int ok = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) == 0 &&
             posix_spawn_file_actions_adddup2(&actions, out_fd, 1) == 0 &&
             posix_spawn_file_actions_adddup2(&actions, out_fd, 2) == 0 &&
             posix_spawnattr_setpgroup(&attr, 0) == 0 &&
             posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP) == 0;
    if (ok) {
        errno = posix_spawnp(&pid, argv[0], &actions, &attr, argv, env);
        if (errno != 0)
            pid = -1;
    }
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    free(env);
    return pid;
}

static int append(struct wb_run_result *r, const char *data, size_t len)
{
    char *grown = realloc(r->output, r->output_len + len + 1);
    if (!grown)
        return -1;
    memcpy(grown + r->output_len, data, len);
    r->output = grown;
    r->output_len += len;
    r->output[r->output_len] = '\0';
    return 0;
}

static void set_status(struct wb_run_result *r, int status)
{
    if (WIFEXITED(status)) {
        r->exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        r->exit_code = -1;
        r->signal = WTERMSIG(status);
    }
}

int wb_run(char *const argv[], char *const env_extra[], int timeout_ms,
           struct wb_run_result *result)
{
    memset(result, 0, sizeof *result);
    result->exit_code = -1;
    if (append(result, "", 0) != 0)
        return -1;

    int pipe_fds[2];
    if (pipe(pipe_fds) != 0 || fcntl(pipe_fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(pipe_fds[1], F_SETFD, FD_CLOEXEC) != 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "pipe failed: %s", strerror(errno));
        append(result, msg, strlen(msg));
        return -1;
    }
    int pid = spawn_in_group(argv, env_extra, pipe_fds[1]);
    int spawn_errno = errno;
    close(pipe_fds[1]);
    if (pid < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot start %s: %s", argv[0], strerror(spawn_errno));
        append(result, msg, strlen(msg));
        close(pipe_fds[0]);
        return -1;
    }

    int64_t deadline = wb_now_ms() + timeout_ms;
    bool open_pipe = true;
    while (open_pipe) {
        int64_t left = deadline - wb_now_ms();
        if (left <= 0) {
            result->timed_out = true;
            kill(-pid, SIGKILL);
            break;
        }
        struct pollfd pfd = {.fd = pipe_fds[0], .events = POLLIN};
        int n = poll(&pfd, 1, (int)left);
        if (n < 0 && errno != EINTR)
            break;
        if (n <= 0)
            continue;
        char buf[4096];
        ssize_t got = read(pipe_fds[0], buf, sizeof buf);
        if (got > 0)
            append(result, buf, (size_t)got);
        else if (got == 0 || errno != EINTR)
            open_pipe = false;
    }
    close(pipe_fds[0]);

    /* The pipe closed (or we killed the group); the exit follows promptly, but
     * stay bounded in case a grandchild kept the pipe while the child lingers. */
    int status = 0;
    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            set_status(result, status);
            break;
        }
        if (done < 0 && errno != EINTR)
            break;
        if (wb_now_ms() > deadline) {
            result->timed_out = true;
            kill(-pid, SIGKILL);
            if (waitpid(pid, &status, 0) == pid)
                set_status(result, status);
            break;
        }
        usleep(2000);
    }
    kill(-pid, SIGKILL); /* anything the peer left behind in its group */
    return 0;
}

void wb_run_result_free(struct wb_run_result *result)
{
    free(result->output);
    result->output = NULL;
    result->output_len = 0;
}

void wb_remove_tree(const char *path)
{
    char *argv[] = {"rm", "-rf", (char *)path, NULL};
    struct wb_run_result r;
    if (wb_run(argv, NULL, 10000, &r) == 0)
        wb_run_result_free(&r);
}

int wb_spawn(char *const argv[], char *const env_extra[], const char *log_path)
{
    const char *path = log_path ? log_path : "/dev/null";
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    int pid = spawn_in_group(argv, env_extra, fd);
    close(fd);
    return pid;
}

void wb_stop(int pid)
{
    if (pid <= 0)
        return;
    kill(-pid, SIGTERM);
    for (int i = 0; i < 200; i++) { /* up to 2 s for a clean exit */
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            kill(-pid, SIGKILL);
            return;
        }
        usleep(10000);
    }
    kill(-pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

const char *wb_chapter_path(const char *relative)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", wb_env_or("WB_CHAPTER_DIR", "."), relative);
    return path;
}

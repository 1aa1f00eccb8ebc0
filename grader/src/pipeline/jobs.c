/*
 * jobs.c - runs functions in forked worker processes, several at once.
 *
 * Why processes and not threads: grading an exercise forks compilers and
 * test runners (proc.c), and the grading code keeps process-wide state
 * (strtok, the brokers it started, static buffers) written for a single
 * thread. A forked worker gets its own copy of all of that, and a crash in
 * one worker cannot corrupt the others or the parent.
 *
 * Each worker writes its pid to a pipe all workers share just before it
 * exits, which wakes the parent at once. The parent then reaps exactly
 * that pid; it never calls waitpid(-1), which would steal the children of
 * other parts of the grader. A worker that dies before writing (killed, or a
 * crash) is found by a waitpid(pid, WNOHANG) sweep on a short poll timeout.
 */
#define _GNU_SOURCE /* pipe2 */
#include "parallel.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* How often the parent looks for workers that died without a word. */
#define SWEEP_MS 200

struct job {
    pid_t pid; /* 0 when the slot is free */
    size_t id;
};

struct jobs {
    struct job *slots;
    size_t capacity, running;
    int done_pipe[2]; /* workers write their pid here when they finish */
};

struct jobs *jobs_new(size_t capacity)
{
    struct jobs *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->slots = calloc(capacity ? capacity : 1, sizeof *j->slots);
    /* close-on-exec: programs the workers exec (compilers, tests) must not
     * hold the pipe open */
    if (!j->slots || pipe2(j->done_pipe, O_CLOEXEC) != 0) {
        free(j->slots);
        free(j);
        return NULL;
    }
    j->capacity = capacity ? capacity : 1;
    return j;
}

void jobs_free(struct jobs *j)
{
    if (!j)
        return;
    close(j->done_pipe[0]);
    close(j->done_pipe[1]);
    free(j->slots);
    free(j);
}

size_t jobs_running(const struct jobs *j)
{
    return j->running;
}

int jobs_start(struct jobs *j, size_t id, int (*fn)(void *arg), void *arg)
{
    size_t slot = 0;
    while (slot < j->capacity && j->slots[slot].pid != 0)
        slot++;
    if (slot == j->capacity)
        return -1;
    fflush(NULL); /* the worker is a copy of us: don't print our buffers twice */
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(j->done_pipe[0]);
        int rc = fn(arg);
        fflush(NULL);
        pid_t self = getpid();
        ssize_t w = write(j->done_pipe[1], &self, sizeof self);
        (void)w; /* the parent's sweep finds us anyway */
        _exit(rc & 0xff);
    }
    j->slots[slot].pid = pid;
    j->slots[slot].id = id;
    j->running++;
    return 0;
}

/* Reaps the worker in slot if it has ended (blocking: wait for it). */
static bool reap(struct jobs *j, size_t slot, bool block, size_t *id, int *exit_code)
{
    int status;
    pid_t got;
    while ((got = waitpid(j->slots[slot].pid, &status, block ? 0 : WNOHANG)) < 0 && errno == EINTR)
        ;
    if (got == 0)
        return false;
    /* got < 0 (ECHILD) means someone else reaped it: count it as lost */
    *exit_code = got > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    *id = j->slots[slot].id;
    j->slots[slot].pid = 0;
    j->running--;
    return true;
}

int jobs_wait(struct jobs *j, size_t *id, int *exit_code)
{
    while (j->running > 0) {
        struct pollfd pfd = {.fd = j->done_pipe[0], .events = POLLIN};
        int ready = poll(&pfd, 1, SWEEP_MS);
        if (ready > 0) {
            pid_t pid = 0;
            ssize_t got = read(j->done_pipe[0], &pid, sizeof pid);
            /* a pid already reaped by the sweep below matches no slot */
            for (size_t slot = 0; got == (ssize_t)sizeof pid && slot < j->capacity; slot++)
                if (j->slots[slot].pid == pid && reap(j, slot, true, id, exit_code))
                    return 0;
        } else if (ready < 0 && errno != EINTR) {
            perror("wirebook: poll on the workers' pipe");
        }
        for (size_t slot = 0; slot < j->capacity; slot++)
            if (j->slots[slot].pid != 0 && reap(j, slot, false, id, exit_code))
                return 0;
    }
    return -1;
}

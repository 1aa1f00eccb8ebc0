/*
 * broker_control.c - lets a sandboxed test restart the shared broker while
 * the test itself keeps no rights over it.
 *
 * Some tests restart the chapter's broker in the middle of a run (nothing
 * acknowledged may be lost). The broker belongs to the grader (root), the
 * tests run as the unprivileged run user: so the grader serves the request.
 * The run sees, read-only, a folder with two FIFOs and a tiny script that
 * stands in for scripts/broker-NAME.sh: `script restart` writes "restart"
 * into req, and the grader's server process (outside the sandbox) runs the
 * real script and answers its exit code on rep, its output in out. Only
 * "restart" is served, and on our RabbitMQ node only of the virtual host
 * the grader made for the run (private_vhost.c): the test cannot name
 * another. When the run ends the server ends too, but never in
 * the middle of a restart: a broker stopped and not started again would
 * fail every exercise after this one.
 */
#include "pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The stand-in the tests run; DIR is where it lives. */
static const char stand_in[] =
    "#!/bin/sh\n"
    "# Written by the grader: asks it to run scripts/broker-%s.sh ACTION\n"
    "# (broker_control.c); this run may not touch the broker itself.\n"
    "dir=%s\n"
    "case ${1:-} in restart) ;; *) echo \"only restart is served here, not '${1:-}'\" >&2; "
    "exit 2 ;; esac\n"
    "echo \"$1\" >\"$dir/req\" || exit 2\n"
    "read -r rc <\"$dir/rep\" || exit 2\n"
    "cat \"$dir/out\" 2>/dev/null\n"
    "exit \"$rc\"\n";

/* The server: one request at a time until the grader kills it. With vhost,
 * a restart is that RabbitMQ virtual host's alone (private_vhost.c). */
static void serve(const char *course_root, const char *broker, const char *vhost, const char *dir)
{
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (vhost && setenv("WB_RABBITMQ_RESTART_VHOST", vhost, 1) != 0)
        _exit(1);
    signal(SIGTERM, SIG_DFL); /* not the grader's handler: SIGTERM ends us */
    signal(SIGINT, SIG_DFL);
    char *req = path_join(dir, "req");
    char *rep = path_join(dir, "rep");
    char *out = path_join(dir, "out");
    if (!req || !rep || !out)
        _exit(1);
    for (;;) {
        FILE *in = fopen(req, "r"); /* blocks until the test writes */
        if (!in)
            _exit(1);
        char action[32] = "";
        bool ok = fgets(action, sizeof action, in) != NULL;
        fclose(in);
        action[strcspn(action, "\n")] = '\0';
        int rc = 2;
        sigset_t term;
        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        sigprocmask(SIG_BLOCK, &term, NULL); /* a restart is finished, not cut */
        if (ok && strcmp(action, "restart") == 0)
            rc = brokers_script(course_root, broker, "restart", out);
        sigprocmask(SIG_UNBLOCK, &term, NULL);
        chmod(out, 0644);
        FILE *answer = fopen(rep, "w"); /* blocks until the test reads */
        if (!answer)
            _exit(1);
        fprintf(answer, "%d\n", rc < 0 ? 2 : rc);
        fclose(answer);
    }
}

int broker_control_start(struct broker_control *bc, const char *course_root, const char *broker,
                         const char *vhost, const char *dir)
{
    memset(bc, 0, sizeof *bc);
    bc->server = -1;
    char *req = path_join(dir, "req");
    char *rep = path_join(dir, "rep");
    bc->dir = strdup(dir);
    bc->script = path_join(dir, "broker.sh");
    int rc = -1;
    if (!req || !rep || !bc->dir || !bc->script || remove_tree(dir) != 0 || mkdir_p(dir) != 0 ||
        chmod(dir, 0755) != 0 || mkfifo(req, 0622) != 0 || mkfifo(rep, 0644) != 0 ||
        chmod(req, 0622) != 0 || chmod(rep, 0644) != 0)
        goto out;
    char *text = str_printf(stand_in, broker, dir);
    int fd = text ? open(bc->script, O_WRONLY | O_CREAT | O_TRUNC, 0755) : -1;
    bool written = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    if (fd >= 0)
        close(fd);
    free(text);
    if (!written || chmod(bc->script, 0755) != 0)
        goto out;
    fflush(NULL);
    bc->server = fork();
    if (bc->server == 0) {
        serve(course_root, broker, vhost, dir);
        _exit(0);
    }
    rc = bc->server > 0 ? 0 : -1;
out:
    free(req);
    free(rep);
    return rc;
}

/* How long a restart in progress may take to finish when the run is over. */
#define RESTART_GRACE_MS 120000

void broker_control_stop(struct broker_control *bc)
{
    if (bc->server > 0) {
        /* Idle, SIGTERM ends it at once; in a restart, once it is done. */
        kill(bc->server, SIGTERM);
        int waited = 0;
        pid_t done;
        while ((done = waitpid(bc->server, NULL, WNOHANG)) == 0 && waited < RESTART_GRACE_MS) {
            usleep(20 * 1000);
            waited += 20;
        }
        if (done == 0) {
            kill(bc->server, SIGKILL);
            while (waitpid(bc->server, NULL, 0) < 0 && errno == EINTR)
                ;
        }
    }
    free(bc->dir);
    free(bc->script);
    memset(bc, 0, sizeof *bc);
    bc->server = -1;
}

/*
 * wb_nats_server.c - a nats-server of one test's own (see wb_nats.h).
 *
 * The course's server is shared by every test of chapter 05; a test that
 * restarted it would have to run after all the others, holding it alone.
 * nats-server starts in milliseconds, so a test that needs a restart starts
 * its own instead and runs beside the rest.
 */
#include "wb_nats.h"
#include "wb_testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define START_TIMEOUT_MS 15000

/* WB_NATS_SERVER (as for scripts/broker-nats.sh), or Debian's binary: the
 * tests' PATH need not hold /usr/sbin. */
static const char *server_binary(void)
{
    const char *chosen = getenv("WB_NATS_SERVER");
    if (chosen && *chosen)
        return chosen;
    if (access("/usr/sbin/nats-server", X_OK) == 0)
        return "/usr/sbin/nats-server";
    return "nats-server";
}

/* Starts the server on s->port: 1 when it listens, -1 when another program
 * holds the port, 0 on other failures (why says). */
static int launch(struct wb_nats_server *s, char *why, size_t why_len)
{
    char port[16];
    snprintf(port, sizeof port, "%u", (unsigned)s->port);
    char *argv[] = {
        (char *)server_binary(), "-a", "127.0.0.1", "-p", port, "-js", "-sd", s->store, NULL};
    s->pid = wb_spawn(argv, NULL, s->log);
    if (s->pid <= 0) {
        snprintf(why, why_len, "cannot start %s (is nats-server installed?)", argv[0]);
        return 0;
    }
    /* Its own listener: another one there is a test that drew the same
     * free port, and -1 makes the caller draw again. */
    int listening = 1;
    switch (wb_wait_listener(s->port, s->pid, START_TIMEOUT_MS)) {
    case WB_LISTENER_PROCESS: break;
    case WB_LISTENER_OTHER:
        snprintf(why, why_len, "another program listens on 127.0.0.1:%u", (unsigned)s->port);
        listening = -1;
        break;
    case WB_LISTENER_NONE:
        snprintf(why, why_len, "%s exited or did not listen on 127.0.0.1:%u within %d s; see %s",
                 argv[0], (unsigned)s->port, START_TIMEOUT_MS / 1000, s->log);
        listening = 0;
        break;
    }
    if (listening != 1) {
        wb_stop(s->pid);
        s->pid = -1;
    }
    return listening;
}

bool wb_nats_server_start(struct wb_nats_server *s, char *why, size_t why_len)
{
    memset(s, 0, sizeof *s);
    s->pid = -1;
    snprintf(s->store, sizeof s->store, "%s/wb-nats-XXXXXX", wb_env_or("TMPDIR", "/tmp"));
    if (!mkdtemp(s->store)) {
        snprintf(why, why_len, "mkdtemp(%s) failed", s->store);
        s->store[0] = '\0';
        return false;
    }
    snprintf(s->log, sizeof s->log, "%s.log", s->store);
    /* A free port can be drawn by two tests at once: the loser draws again. */
    for (int attempt = 1;; attempt++) {
        s->port = wb_free_port();
        snprintf(s->url, sizeof s->url, "nats://127.0.0.1:%u", (unsigned)s->port);
        int launched = launch(s, why, why_len);
        if (launched >= 0 || attempt == 3)
            return launched == 1;
    }
}

bool wb_nats_server_restart(struct wb_nats_server *s, char *why, size_t why_len)
{
    wb_stop(s->pid); /* SIGTERM: nats-server flushes its store and exits */
    s->pid = -1;
    return launch(s, why, why_len) == 1;
}

void wb_nats_server_stop(struct wb_nats_server *s)
{
    wb_stop(s->pid); /* nothing when it does not run (pid -1) */
    s->pid = -1;
    if (s->store[0]) {
        wb_remove_tree(s->store);
        unlink(s->log);
        s->store[0] = '\0';
    }
}

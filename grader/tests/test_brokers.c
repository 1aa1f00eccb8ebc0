/*
 * test_brokers.c - who stops a broker that a run started (brokers.c): the
 * last run that uses it, never one that ends while another still does, and
 * never a broker the user started. On a course of its own in TMPDIR whose
 * scripts/broker-nats.sh is a stand-in that logs each action to calls.log.
 */
#include "pipeline.h"
#include "wb_testkit.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

WB_SUITE(brokers);

/* status: up while the file "running" exists; up/down create/remove it. */
static const char fake_script[] =
    "#!/bin/sh\n"
    "state=build/brokers/nats\n"
    "echo \"$1\" >> \"$state/calls.log\"\n"
    "case \"$1\" in\n"
    "status) test -f \"$state/running\" ;;\n"
    "up) : > \"$state/running\" && echo NATS_URL=nats://127.0.0.1:1 > \"$state/env\" ;;\n"
    "down) rm -f \"$state/running\" ;;\n"
    "*) exit 2 ;;\n"
    "esac\n";

static struct wb_chapter chapter = {.id = "05_fake", .broker = "nats"};
static struct wb_manifest course;

static char *state_file(const char *name)
{
    return str_printf("%s/build/brokers/nats/%s", course.root, name);
}

static void setup(void)
{
    unsetenv("NATS_URL");
    char *root = str_printf("%s/%s", wb_env_or("TMPDIR", "/tmp"), wb_unique_name("brokers"));
    char *scripts = str_printf("%s/scripts", root);
    char *state = str_printf("%s/build/brokers/nats", root);
    char *script = str_printf("%s/broker-nats.sh", scripts);
    cr_assert(root && scripts && state && script && mkdir_p(scripts) == 0 && mkdir_p(state) == 0 &&
                  file_write_atomic(script, fake_script, strlen(fake_script)) == 0,
              "cannot create the course under %s", root ? root : "TMPDIR");
    course.root = path_absolute(root);
    course.chapters = &chapter;
    course.nchapters = 1;
    free(root);
    free(scripts);
    free(state);
    free(script);
}

/* The actions the stand-in script ran so far, one per line. */
static char *calls(void)
{
    char *path = state_file("calls.log");
    char *text = file_read(path, NULL);
    free(path);
    return text ? text : strdup("");
}

static bool exists(const char *name)
{
    char *path = state_file(name);
    bool yes = path && access(path, F_OK) == 0;
    free(path);
    return yes;
}

static void use_through_env(void)
{
    char err[1024] = "";
    char **env = brokers_env_for(&course, &chapter, err, sizeof err);
    cr_assert(env && env[1] && strncmp(env[1], "NATS_URL=", 9) == 0,
              "brokers_env_for: expected a NATS_URL line, got %s (err: %s)",
              env && env[1] ? env[1] : "nothing", err);
    free_argv(env);
}

Test(brokers, the_last_run_stops_a_broker_a_run_started, .init = setup)
{
    use_through_env();
    char *log = calls();
    cr_assert(strstr(log, "up\n"), "the broker was down: expected an 'up', the script saw:\n%s",
              log);
    free(log);
    cr_assert(exists("started-by-wirebook"), "a broker a run starts must be marked so");

    /* another run, in the middle of its exercises */
    char *users = str_printf("%s/build/brokers/nats.users.lock", course.root);
    int other = users ? open(users, O_RDWR | O_CLOEXEC) : -1;
    cr_assert(other >= 0 && flock(other, LOCK_SH) == 0, "cannot take %s shared", users);
    brokers_release(&course);
    log = calls();
    cr_assert(!strstr(log, "down"),
              "a run ended while another still used the broker, and stopped it:\n%s", log);
    free(log);
    cr_assert(exists("running") && exists("started-by-wirebook"));

    /* the other run ends, then this one (again a user) ends last */
    brokers_use(&course, "nats");
    close(other);
    brokers_release(&course);
    log = calls();
    cr_assert(strstr(log, "down\n"), "the last run must stop the broker a run started:\n%s", log);
    free(log);
    cr_assert(!exists("running") && !exists("started-by-wirebook"),
              "after the stop, neither the broker nor its mark may be left");
    free(users);
}

Test(brokers, a_broker_the_user_started_stays_up, .init = setup)
{
    char *running = state_file("running");
    char *env = state_file("env");
    const char line[] = "NATS_URL=nats://127.0.0.1:1\n";
    cr_assert(running && env && file_write_atomic(running, "", 0) == 0 &&
              file_write_atomic(env, line, strlen(line)) == 0);
    use_through_env();
    brokers_release(&course);
    char *log = calls();
    cr_assert(!strstr(log, "up") && !strstr(log, "down"),
              "a broker that was up before the run must be left alone; the script saw:\n%s", log);
    cr_assert(exists("running"));
    free(log);
    free(running);
    free(env);
}

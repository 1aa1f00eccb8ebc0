/*
 * test_brokers.c - who stops a broker that a run started (brokers.c): the
 * last run that uses it, never one that ends while another still does, and
 * never a broker the user started; and on RabbitMQ, that each run declares
 * its queues in a virtual host of its own, and a restart test in one more of
 * its own (private_vhost.c). On a course of its own in TMPDIR
 * whose scripts/broker-NAME.sh are stand-ins that log each action to
 * build/brokers/NAME/calls.log.
 */
#include "pipeline.h"
#include "wb_testkit.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
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

/* Always up at OUR_AMQP; logs vhost-add and vhost-delete with their NAME. */
#define OUR_AMQP "amqp://guest:guest@127.0.0.1:1/%2f"
static const char fake_rabbitmq[] = "#!/bin/sh\n"
                                    "state=build/brokers/rabbitmq\n"
                                    "echo \"$*\" >> \"$state/calls.log\"\n"
                                    "case \"$1\" in\n"
                                    "status|vhost-add|vhost-delete) ;;\n"
                                    "*) exit 2 ;;\n"
                                    "esac\n";

static struct wb_chapter chapter = {.id = "05_fake", .broker = "nats"};
static struct wb_chapter amqp_chapter = {.id = "03_fake", .broker = "rabbitmq"};
static struct wb_manifest course;

static char *state_file(const char *name)
{
    return str_printf("%s/build/brokers/nats/%s", course.root, name);
}

static void setup(void)
{
    unsetenv("NATS_URL");
    unsetenv("AMQP_ADDR");
    char *root = str_printf("%s/%s", wb_env_or("TMPDIR", "/tmp"), wb_unique_name("brokers"));
    char *scripts = str_printf("%s/scripts", root);
    char *state = str_printf("%s/build/brokers/nats", root);
    char *script = str_printf("%s/broker-nats.sh", scripts);
    cr_assert(root && scripts && state && script && mkdir_p(scripts) == 0 && mkdir_p(state) == 0 &&
                  file_write_atomic(script, fake_script, strlen(fake_script)) == 0,
              "cannot create the course under %s", root ? root : "TMPDIR");
    char *rabbit = str_printf("%s/broker-rabbitmq.sh", scripts);
    char *rabbit_state = str_printf("%s/build/brokers/rabbitmq", root);
    char *rabbit_env = str_printf("%s/env", rabbit_state ? rabbit_state : "");
    cr_assert(rabbit && rabbit_state && rabbit_env && mkdir_p(rabbit_state) == 0 &&
              file_write_atomic(rabbit, fake_rabbitmq, strlen(fake_rabbitmq)) == 0 &&
              file_write_atomic(rabbit_env, "AMQP_ADDR=" OUR_AMQP "\n",
                                strlen("AMQP_ADDR=" OUR_AMQP "\n")) == 0);
    free(rabbit);
    free(rabbit_state);
    free(rabbit_env);
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

static char *rabbitmq_calls(void)
{
    char *path = str_printf("%s/build/brokers/rabbitmq/calls.log", course.root);
    char *text = path ? file_read(path, NULL) : NULL;
    free(path);
    return text ? text : strdup("");
}

/* The AMQP_ADDR brokers_run_env gives a run's tests (to free). */
static char *run_amqp_addr(void)
{
    char err[1024] = "";
    char **env = brokers_run_env(&course, &amqp_chapter, err, sizeof err);
    char *addr = NULL;
    for (char **line = env; line && *line && !addr; line++)
        if (strncmp(*line, "AMQP_ADDR=", 10) == 0)
            addr = strdup(*line + 10);
    cr_assert(addr, "brokers_run_env: no AMQP_ADDR line (err: %s)", err);
    free_argv(env);
    return addr;
}

Test(brokers, a_run_declares_in_a_virtual_host_of_its_own, .init = setup)
{
    char *vhost = str_printf("wirebook-run-%ld-", (long)getpid());
    char *addr = run_amqp_addr();
    cr_assert(strncmp(addr, "amqp://guest:guest@127.0.0.1:1/", 31) == 0 &&
                  strncmp(addr + 31, vhost, strlen(vhost)) == 0,
              "expected our node's address with a vhost named %s..., got %s", vhost, addr);
    /* batch and mistakes hand our node's address to their graders */
    cr_assert(setenv("AMQP_ADDR", OUR_AMQP, 1) == 0);
    char *again = run_amqp_addr();
    cr_assert_str_eq(again, addr, "a run's chapters share its one vhost: %s then %s", addr, again);
    char *log = rabbitmq_calls();
    char *first = strstr(log, "vhost-add ");
    cr_assert(first && !strstr(first + 1, "vhost-add "),
              "expected one vhost-add for the run, the script saw:\n%s", log);
    free(log);

    brokers_release(&course);
    log = rabbitmq_calls();
    char *deleted = str_printf("vhost-delete %s\n", addr + 31);
    cr_assert(strstr(log, deleted), "the run's end must delete its vhost (%s), the script saw:\n%s",
              addr + 31, log);
    free(deleted);
    free(log);
    free(again);
    free(addr);
    free(vhost);
}

/* A port on 127.0.0.1 that accepts connections until the test ends. */
static unsigned listening_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 4) == 0 &&
                  getsockname(fd, (struct sockaddr *)&a, &len) == 0,
              "cannot listen on 127.0.0.1");
    return ntohs(a.sin_port);
}

Test(brokers, a_users_own_rabbitmq_is_used_as_given, .init = setup)
{
    char *own = str_printf("amqp://guest:guest@127.0.0.1:%u/teaching", listening_port());
    cr_assert(own && setenv("AMQP_ADDR", own, 1) == 0);
    char *addr = run_amqp_addr();
    cr_assert_str_eq(addr, own, "the user's own broker must be used as given");
    brokers_release(&course);
    char *log = rabbitmq_calls();
    cr_assert(!strstr(log, "vhost"), "no vhost may be made on the user's broker:\n%s", log);
    free(log);
    free(addr);
    free(own);
}

Test(brokers, a_restart_test_restarts_a_virtual_host_of_its_own, .init = setup)
{
    char err[1024] = "";
    char **env = brokers_run_env(&course, &amqp_chapter, err, sizeof err);
    cr_assert(env && private_vhost_possible(env), "a run on our node can scope its restarts");
    const char *run_addr = env_list_get(env, "AMQP_ADDR");
    struct private_vhost pv;
    cr_assert_eq(private_vhost_make(course.root, env, "work_queue", &pv), 0,
                 "the restart tests' vhost could not be made");
    const char *addr = env_list_get(pv.env, "AMQP_ADDR");
    const char *restart = env_list_get(pv.env, "WB_RABBITMQ_RESTART_VHOST");
    cr_assert(addr && restart && strncmp(addr, run_addr, strlen(run_addr)) == 0 &&
                  strstr(addr, "-work_queue-") && strcmp(strrchr(addr, '/') + 1, restart) == 0,
              "expected the run's vhost with -work_queue-..., restarted alone; got %s, restart %s",
              addr ? addr : "(none)", restart ? restart : "(none)");
    char *added = str_printf("vhost-add %s\n", restart);
    char *deleted = str_printf("vhost-delete %s\n", restart);
    private_vhost_drop(course.root, &pv);
    char *log = rabbitmq_calls();
    cr_assert(strstr(log, added) && strstr(log, deleted),
              "the vhost must be made, then deleted; the script saw:\n%s", log);
    free(log);
    free(added);
    free(deleted);
    free_argv(env);
    brokers_release(&course);
}

Test(brokers, on_a_users_own_rabbitmq_a_restart_is_a_whole_one, .init = setup)
{
    char *own = str_printf("amqp://guest:guest@127.0.0.1:%u/teaching", listening_port());
    cr_assert(own && setenv("AMQP_ADDR", own, 1) == 0);
    char err[1024] = "";
    char **env = brokers_run_env(&course, &amqp_chapter, err, sizeof err);
    struct private_vhost pv;
    cr_assert(env && !private_vhost_possible(env), "no vhost may be made on the user's broker");
    cr_assert_eq(private_vhost_make(course.root, env, "work_queue", &pv), 1);
    cr_assert_null(pv.env, "the run's own env must be used as it is");
    free_argv(env);
    brokers_release(&course);
    free(own);
}

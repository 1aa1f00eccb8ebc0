/*
 * private_vhost.c - a RabbitMQ virtual host of their own for the tests that
 * restart the broker.
 *
 * Some tests restart RabbitMQ in the middle (a worker must reconnect,
 * nothing acknowledged may be lost). On our node a restart stops only the
 * virtual host the test's AMQP_ADDR names (scripts/broker-rabbitmq.sh
 * restart, with WB_RABBITMQ_RESTART_VHOST): its clients see what a node
 * restart shows them, every other vhost runs on. So those tests get a vhost
 * nobody else uses, made here beside the run's own (brokers.c, run_vhost),
 * and no other exercise, of this run or of another submission in a batch,
 * has to wait while they restart.
 */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RESTART_VAR "WB_RABBITMQ_RESTART_VHOST"

/* The vhost part of env's AMQP_ADDR when it names a grading run's vhost on
 * our node ("amqp://u:p@host:port/wirebook-run-..."), *addr set to the
 * address; NULL otherwise. */
static const char *run_vhost_of(char **env, const char **addr)
{
    *addr = env_list_get(env, "AMQP_ADDR");
    const char *scheme = *addr ? strstr(*addr, "://") : NULL;
    const char *path = scheme ? strchr(scheme + 3, '/') : NULL;
    return path && strncmp(path + 1, RUN_VHOST_PREFIX, strlen(RUN_VHOST_PREFIX)) == 0 ? path + 1
                                                                                      : NULL;
}

/* A copy of env with AMQP_ADDR (addr, whose vhost starts at run_vhost) in
 * vhost instead, and RESTART_VAR naming it. */
static char **env_for(char **env, const char *addr, const char *run_vhost, const char *vhost)
{
    char *moved = str_printf("%.*s%s", (int)(run_vhost - addr), addr, vhost);
    char **with_addr = moved ? env_list_with(env, "AMQP_ADDR", moved) : NULL;
    char **out = with_addr ? env_list_with(with_addr, RESTART_VAR, vhost) : NULL;
    free(moved);
    free_argv(with_addr);
    return out;
}

static char *grader_log(const char *course_root)
{
    return str_printf("%s/build/brokers/rabbitmq/grader.log", course_root);
}

bool private_vhost_possible(char **env)
{
    const char *addr;
    return run_vhost_of(env, &addr) != NULL;
}

int private_vhost_make(const char *course_root, char **env, const char *tag,
                       struct private_vhost *pv)
{
    static unsigned made; /* the last one may still be being deleted */
    memset(pv, 0, sizeof *pv);
    const char *addr;
    const char *run_vhost = run_vhost_of(env, &addr);
    if (!run_vhost)
        return 1; /* the user's own broker: a restart there is a whole one */
    char *name = str_printf("%s-%s-%ld-%u", run_vhost, tag, (long)getpid(), made++);
    char *log = grader_log(course_root);
    int rc = name && log && brokers_script_arg(course_root, "rabbitmq", "vhost-add", name, log) == 0
                 ? 0
                 : -1;
    free(log);
    if (rc != 0) {
        /* Restart the run's own vhost then: it may disturb this run's other
         * RabbitMQ exercises, never another run's. */
        free(name);
        name = NULL;
    }
    pv->name = name;
    pv->env = env_for(env, addr, run_vhost, name ? name : run_vhost);
    pv->restart = pv->env ? env_list_get(pv->env, RESTART_VAR) : NULL;
    if (!pv->env) {
        private_vhost_drop(course_root, pv);
        return -1;
    }
    return rc;
}

void private_vhost_drop(const char *course_root, struct private_vhost *pv)
{
    if (pv->name) { /* in the background: vhost-delete does not wait */
        char *log = grader_log(course_root);
        if (!log || brokers_script_arg(course_root, "rabbitmq", "vhost-delete", pv->name, log) != 0)
            fprintf(stderr,
                    "wirebook: could not delete RabbitMQ virtual host %s; the next run will\n",
                    pv->name);
        free(log);
    }
    free(pv->name);
    free_argv(pv->env);
    memset(pv, 0, sizeof *pv);
}

/*
 * cmd_brokers.c - `wirebook brokers status|start|stop [rabbitmq|kafka|nats|redis]`, and
 * the on-demand start the student's `check` and `watch` use: a broker a
 * chapter needs is started once and left running between checks, and the
 * student is told so and how to stop it.
 */
#include "commands.h"
#include "pipeline.h"
#include "student.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    const char *env_name; /* set: the student's own broker, not ours to manage */
} brokers[] = {{"rabbitmq", "AMQP_ADDR"},
               {"kafka", "KAFKA_BROKERS"},
               {"nats", "NATS_URL"},
               {"redis", "REDIS_URL"}};

/* Prints the last lines of a log file, indented. */
static void print_tail(const char *path, int lines)
{
    char *text = file_read(path, NULL);
    if (!text)
        return;
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] == '\n')
        text[--len] = '\0';
    const char *start = text + len;
    for (int n = 0; start > text; start--)
        if (start[-1] == '\n' && ++n == lines)
            break;
    for (const char *line = start; *line;) {
        const char *eol = strchr(line, '\n');
        int n = eol ? (int)(eol - line) : (int)strlen(line);
        printf("    %.*s\n", n, line);
        line += n + (eol ? 1 : 0);
    }
    free(text);
}

/* Runs one broker script action; its output goes to build/brokers/NAME/cli.log
 * and, when show is set, to the terminal. Returns the script's exit code. */
static int run_action(const struct wb_manifest *m, const char *name, const char *action, bool show,
                      char **log_out)
{
    char *dir = str_printf("%s/build/brokers/%s", m->root, name);
    char *log = dir ? path_join(dir, "cli.log") : NULL;
    int rc = -1;
    if (!log || mkdir_p(dir) != 0)
        fprintf(stderr, "wirebook: cannot create %s\n", dir ? dir : "build/brokers");
    else
        rc = brokers_script(m->root, name, action, log);
    if (show && log)
        print_tail(log, 20);
    free(dir);
    if (log_out)
        *log_out = log;
    else
        free(log);
    return rc;
}

int brokers_ensure(const struct wb_manifest *m, const struct wb_chapter *ch)
{
    if (!ch->broker)
        return 0;
    if (strcmp(ch->broker, "kafka") == 0 && !brokers_kafka_is_real())
        return 0; /* librdkafka's mock cluster, started inside each test */
    for (size_t i = 0; i < sizeof brokers / sizeof brokers[0]; i++) {
        if (strcmp(brokers[i].name, ch->broker) != 0)
            continue;
        const char *own = getenv(brokers[i].env_name);
        if (own && *own)
            return 0;
        if (brokers_answer_quickly(m, ch->broker) ||
            run_action(m, ch->broker, "status", false, NULL) == 0) {
            printf("wirebook: %s is running for chapter %s (`wirebook brokers stop` stops it)\n",
                   ch->broker, ch->id);
            return 0;
        }
        printf("wirebook: starting %s for chapter %s (takes a few seconds) ...\n", ch->broker,
               ch->id);
        fflush(stdout);
        char *log = NULL;
        int rc = run_action(m, ch->broker, "up", false, &log);
        if (rc == 0)
            printf("wirebook: %s is up and stays up between checks; "
                   "`wirebook brokers stop` stops it\n",
                   ch->broker);
        else {
            fprintf(stderr,
                    "wirebook: %s would not start (port taken? disk full? package missing?); "
                    "the end of %s says why:\n",
                    ch->broker, log ? log : "its log");
            fflush(stderr);
            if (log)
                print_tail(log, 8);
        }
        free(log);
        return rc == 0 ? 0 : -1;
    }
    fprintf(stderr, "wirebook: chapter %s needs an unknown broker \"%s\"\n", ch->id, ch->broker);
    return -1;
}

static void brokers_usage(FILE *out)
{
    fprintf(out, "usage: wirebook brokers status|start|stop [rabbitmq|kafka|nats|redis]\n\n"
                 "The brokers chapters 03 (RabbitMQ), 04 with KAFKA=real (Apache Kafka),\n"
                 "05 (nats-server) and 06 (redis-server) need. `check` and `watch` start\n"
                 "them on demand and leave them running; `stop` stops them. State and logs:\n"
                 "build/brokers/NAME/. `status NAME` exits 3 when that broker is not running.\n");
}

int cmd_brokers(int argc, char **argv)
{
    if (argc < 2 || argc > 3 || strcmp(argv[1], "--help") == 0) {
        brokers_usage(argc < 2 ? stderr : stdout);
        return argc < 2 || argc > 3 ? 2 : 0;
    }
    const char *action = strcmp(argv[1], "start") == 0    ? "up"
                         : strcmp(argv[1], "stop") == 0   ? "down"
                         : strcmp(argv[1], "status") == 0 ? "status"
                                                          : NULL;
    const char *only = argc == 3 ? argv[2] : NULL;
    bool known = !only;
    for (size_t i = 0; only && i < sizeof brokers / sizeof brokers[0]; i++)
        known = known || strcmp(brokers[i].name, only) == 0;
    if (!action || !known) {
        fprintf(stderr, "wirebook brokers: unknown %s '%s'\n", action ? "broker" : "action",
                action ? only : argv[1]);
        brokers_usage(stderr);
        return 2;
    }
    struct wb_manifest m;
    if (load_course(NULL, &m) != 0)
        return 2;
    int failed = 0;
    bool down = false; /* `status NAME` of a broker that is not running */
    for (size_t i = 0; i < sizeof brokers / sizeof brokers[0]; i++) {
        const char *name = brokers[i].name;
        if (only && strcmp(only, name) != 0)
            continue;
        /* `start` with no name starts only RabbitMQ: Kafka is the mock by default. */
        if (!only && strcmp(action, "up") == 0 && strcmp(name, "kafka") == 0 &&
            !brokers_kafka_is_real())
            continue;
        printf("%s:\n", name);
        fflush(stdout);
        int rc = run_action(&m, name, action, true, NULL);
        if (rc != 0 && strcmp(action, "status") == 0 && only)
            down = true;
        if (rc != 0 && strcmp(action, "status") != 0) {
            fprintf(stderr, "wirebook: %s %s failed; see build/brokers/%s/\n", name, argv[1], name);
            failed++;
        }
    }
    manifest_free(&m);
    return failed ? 1 : down ? 3 : 0;
}

/*
 * brokers.c - makes the broker a chapter needs reachable for its tests.
 *
 * Order of preference: the user's own broker (AMQP_ADDR / KAFKA_BROKERS /
 * NATS_URL / REDIS_URL in the environment), then one already started by
 * scripts/broker-NAME.sh, then one this run starts itself. Kafka has a third
 * way and it is the default: with neither set nor WB_KAFKA=real, tests start
 * librdkafka's embedded mock cluster themselves and need no environment.
 *
 * Several runs may share one course tree (`make grade` beside `make
 * mistakes`, two instructors' batches). So a broker a run started is not
 * stopped when that run ends but when the last run using it does: each run
 * holds build/brokers/NAME.users.lock shared while it uses the broker, and
 * the file NAME/started-by-wirebook says that a run, not the user, started it.
 */
#include "parallel.h"
#include "pipeline.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define BROKER_TIMEOUT_MS 240000

/* Written in a broker's state folder when a run started it (see the top). */
#define STARTED_MARK "started-by-wirebook"

struct broker {
    const char *name;     /* script suffix: scripts/broker-NAME.sh */
    const char *env_name; /* the variable a user sets to use their own */
    int users_fd;         /* users.lock, held shared while this run uses it */
    char *vhost;          /* RabbitMQ: the virtual host this run made (run_vhost) */
};

static struct broker known[] = {
    {"rabbitmq", "AMQP_ADDR", -1, NULL},
    {"kafka", "KAFKA_BROKERS", -1, NULL},
    {"nats", "NATS_URL", -1, NULL},
    {"redis", "REDIS_URL", -1, NULL},
};

static struct broker *lookup(const char *name)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i].name, name) == 0)
            return &known[i];
    return NULL;
}

/* Kafka's mock cluster: no broker process at all, each test hosts its own. */
static bool is_mock(const struct broker *b)
{
    return strcmp(b->name, "kafka") == 0 && !brokers_kafka_is_real();
}

static char *our_address(const struct wb_manifest *m, const struct broker *b);

/* The address of the user's own broker (its variable is set), or NULL: the
 * grader neither starts nor stops that one. The address of the broker our
 * script started is not the user's, though batch and mistakes hand it to
 * their graders in that variable: those use it as a local broker, under its
 * lock, so that they never find it down in the middle of a restart. */
static const char *users_own(const struct wb_manifest *m, const struct broker *b)
{
    const char *own = getenv(b->env_name);
    if (!own || !*own)
        return NULL;
    char *ours = our_address(m, b);
    bool is_ours = ours && strcmp(ours, own) == 0;
    free(ours);
    return is_ours ? NULL : own;
}

bool brokers_restart_is_shared(const struct wb_exercise *e)
{
    if (!e->restarts_broker)
        return false;
    /* A run shares only the chapter's broker (its environment names it): an
     * exercise with a broker of its own (kafka_path beside chapter 07's
     * RabbitMQ) hosts a mock cluster in each test, as Kafka's mock always is. */
    const char *name = manifest_exercise_broker(e);
    if (!name || !e->chapter->broker || strcmp(name, e->chapter->broker) != 0)
        return false;
    const struct broker *b = lookup(name);
    return !(b && is_mock(b));
}

bool brokers_kafka_is_real(void)
{
    const char *mode = getenv("WB_KAFKA");
    const char *own = getenv("KAFKA_BROKERS");
    return (own && *own) || (mode && strcmp(mode, "real") == 0);
}

/* scripts/broker-NAME.sh ACTION [ARG]: its exit code, -1 when it could not run. */
static int run_script(const char *course_root, const char *name, const char *action,
                      const char *arg, const char *log_path)
{
    char *path = str_printf("%s/scripts/broker-%s.sh", course_root, name);
    char *argv[] = {"sh", path, (char *)action, (char *)arg, NULL};
    struct proc_spec spec = {.argv = argv,
                             .envp = environ,
                             .cwd = course_root,
                             .output_path = log_path,
                             .timeout_ms = BROKER_TIMEOUT_MS,
                             .keep_orphans = true};
    struct proc_outcome o;
    int rc = path && path_is_file(path) && proc_run(&spec, &o) == 0 ? o.exit_code : -1;
    free(path);
    return rc;
}

/* See pipeline.h. */
int brokers_script(const char *course_root, const char *name, const char *action,
                   const char *log_path)
{
    return run_script(course_root, name, action, NULL, log_path);
}

int brokers_script_arg(const char *course_root, const char *name, const char *action,
                       const char *arg, const char *log_path)
{
    return run_script(course_root, name, action, arg, log_path);
}

/* Reads "NAME=value" lines (an "export " prefix and # comments allowed). */
static char **read_env_file(const char *path)
{
    char *text = file_read(path, NULL);
    if (!text)
        return NULL;
    char **env = calloc(16, sizeof *env);
    size_t n = 0;
    for (char *line = strtok(text, "\n"); env && line && n < 15; line = strtok(NULL, "\n")) {
        while (*line == ' ')
            line++;
        if (strncmp(line, "export ", 7) == 0)
            line += 7;
        if (*line == '#' || !strchr(line, '='))
            continue;
        env[n++] = strdup(line);
    }
    free(text);
    return env;
}

/* The "NAME=value" line of lines for b's variable, or NULL. */
static char **var_line(char **lines, const struct broker *b)
{
    size_t n = strlen(b->env_name);
    for (char **line = lines; line && *line; line++)
        if (strncmp(*line, b->env_name, n) == 0 && (*line)[n] == '=')
            return line;
    return NULL;
}

/* The value of b's variable in build/brokers/NAME/env (where the broker our
 * script started listens), or NULL. */
static char *our_address(const struct wb_manifest *m, const struct broker *b)
{
    char *env_file = str_printf("%s/build/brokers/%s/env", m->root, b->name);
    char **lines = env_file ? read_env_file(env_file) : NULL;
    char **line = var_line(lines, b);
    char *found = line ? strdup(*line + strlen(b->env_name) + 1) : NULL;
    free_argv(lines);
    free(env_file);
    return found;
}

/* build/brokers/NAME/grader.log, where the grader's calls of b's script write. */
static char *grader_log(const struct wb_manifest *m, const struct broker *b)
{
    return str_printf("%s/build/brokers/%s/grader.log", m->root, b->name);
}

/* Connects to host:port within timeout_ms; 0, or errno of the failure. */
static int try_connect(const char *host, const char *port, int timeout_ms)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return EHOSTUNREACH;
    int result = ECONNREFUSED;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        int rc = connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            socklen_t len = sizeof rc;
            if (poll(&pfd, 1, timeout_ms) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &rc, &len) == 0)
                errno = rc;
            else
                rc = errno = ETIMEDOUT;
        }
        close(fd);
        if (rc == 0) {
            result = 0;
            break;
        }
        result = errno;
    }
    freeaddrinfo(res);
    return result;
}

/* Checks that the user's broker address answers at all, so a wrong AMQP_ADDR
 * or KAFKA_BROKERS is reported as the grader's problem, not as every
 * student's tests failing. Accepts amqp[s]://user:pass@host:port/vhost and
 * host:port[,host:port...] (the first that answers counts). */
static int check_reachable(const struct broker *b, const char *address, char *err, size_t errlen)
{
    char copy[512];
    snprintf(copy, sizeof copy, "%s", address);
    char *p = copy;
    bool amqp = strcmp(b->name, "rabbitmq") == 0;
    const char *default_port = amqp ? (strncmp(p, "amqps:", 6) == 0 ? "5671" : "5672")
                               : strcmp(b->name, "nats") == 0  ? "4222"
                               : strcmp(b->name, "redis") == 0 ? "6379"
                                                               : "9092";
    int last = 0;
    for (char *entry = strtok(p, ","); entry; entry = strtok(NULL, ",")) {
        char *host = strstr(entry, "://") ? strstr(entry, "://") + 3 : entry;
        if (strchr(host, '@'))
            host = strchr(host, '@') + 1;
        host[strcspn(host, "/?")] = '\0';
        const char *port = default_port;
        char *colon = strrchr(host, ':');
        if (colon && !strchr(colon, ']')) {
            *colon = '\0';
            port = colon + 1;
        }
        if (host[0] == '[') { /* [::1] */
            host++;
            host[strcspn(host, "]")] = '\0';
        }
        last = try_connect(host, port, 3000);
        if (last == 0)
            return 0;
    }
    snprintf(err, errlen,
             "%s=%s does not answer (%s): start that broker, or unset %s so wirebook starts "
             "its own; the chapter's tests were not run: grade it again once the broker answers",
             b->env_name, address, strerror(last ? last : EINVAL), b->env_name);
    return -1;
}

/* True when build/brokers/NAME/env names an address that accepts a TCP
 * connection: then the broker `up` started is there, and the script's
 * `status` (rabbitmqctl boots an Erlang VM: most of a second of CPU) can be
 * skipped. Anything else falls back to the script, which knows for sure. */
bool brokers_answer_quickly(const struct wb_manifest *m, const char *name)
{
    const struct broker *b = lookup(name);
    char *address = b ? our_address(m, b) : NULL;
    char err[512];
    bool up = address && check_reachable(b, address, err, sizeof err) == 0;
    free(address);
    return up;
}

bool brokers_ready_now(const struct wb_manifest *m, const char *name)
{
    const struct broker *b = lookup(name);
    if (!b)
        return false;
    return is_mock(b) || (!users_own(m, b) && brokers_answer_quickly(m, b->name));
}

/* Counts this process as a user of broker b until brokers_release. Blocks
 * while a run that ended stops it (it holds the lock exclusive), so nobody
 * starts using a broker on its way down. The descriptor is close-on-exec:
 * neither tests nor the broker itself inherit it. */
static void use_broker(const struct wb_manifest *m, struct broker *b)
{
    if (b->users_fd >= 0)
        return;
    b->users_fd = broker_lock_file(m->root, b->name, "users.lock", LOCK_SH);
    if (b->users_fd < 0) /* then this run stops nothing: a broker left up is the lesser harm */
        fprintf(stderr, "wirebook: cannot take build/brokers/%s.users.lock: %s\n", b->name,
                strerror(errno));
}

void brokers_use(const struct wb_manifest *m, const char *name)
{
    struct broker *b = lookup(name);
    if (b && !is_mock(b) && !users_own(m, b))
        use_broker(m, b);
}

/* Creates (started true) or removes the started-by-wirebook mark of b. */
static void mark_started(const struct wb_manifest *m, const struct broker *b, bool started)
{
    char *path = str_printf("%s/build/brokers/%s/" STARTED_MARK, m->root, b->name);
    if (path && started) {
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0)
            close(fd);
    } else if (path) {
        unlink(path);
    }
    free(path);
}

/* Checks that the local broker b answers, and starts it when not. When it
 * does not answer at once, holds the broker's lock shared while it looks
 * again: an exercise (of this run or another) that restarts the broker
 * holds it exclusive, and for those seconds the broker would look down. And
 * one run at a time checks and starts (start.lock), so that a second run
 * waits for the first one's `up` instead of starting the same broker again. */
static void ensure_local(const struct wb_manifest *m, const struct wb_chapter *ch, struct broker *b,
                         const char *log, char *err, size_t errlen)
{
    use_broker(m, b);
    /* Up, the usual case: no lock. Waiting for the shared lock here would
     * hold the whole run's schedule while an exercise that restarts the
     * broker runs (it holds the lock exclusive for its whole run). */
    if (brokers_answer_quickly(m, b->name))
        return;
    /* unlocked (-1), at worst two `up`s race */
    int starting = broker_lock_file(m->root, b->name, "start.lock", LOCK_EX);
    int lock = broker_lock_take(m->root, b->name, false);
    if (!brokers_answer_quickly(m, b->name) &&
        brokers_script(m->root, b->name, "status", log) != 0) {
        mark_started(m, b, false);
        fprintf(stderr, "wirebook: starting %s for chapter %s (log: %s)\n", b->name, ch->id, log);
        if (brokers_script(m->root, b->name, "up", log) != 0)
            snprintf(err, errlen,
                     "%s would not start: scripts/broker-%s.sh up failed; see %s and "
                     "build/brokers/%s/ (is the port taken, the disk full, the package "
                     "installed?)",
                     b->name, b->name, log, b->name);
        else
            mark_started(m, b, true);
    }
    broker_lock_release(lock);
    broker_lock_release(starting);
}

static char **broker_env(const struct wb_manifest *m, const struct wb_chapter *ch, char *err,
                         size_t errlen)
{
    char **env = calloc(4, sizeof *env);
    err[0] = '\0';
    if (!env || !ch->broker)
        return env;
    struct broker *b = lookup(ch->broker);
    if (!b)
        goto fail_unknown;
    if (is_mock(b))
        return env; /* embedded mock cluster, started by each test */
    const char *own = users_own(m, b);
    char upper[32]; /* rabbitmq -> WB_BROKER_SCRIPT_RABBITMQ */
    snprintf(upper, sizeof upper, "%s", b->name);
    for (char *c = upper; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    env[0] = str_printf("WB_BROKER_SCRIPT_%s=%s/scripts/broker-%s.sh", upper, m->root, b->name);
    if (own) {
        env[1] = str_printf("%s=%s", b->env_name, own);
        if (check_reachable(b, own, err, errlen) != 0) {
            free_argv(env);
            return NULL;
        }
        return env;
    }

    char *state_dir = str_printf("%s/build/brokers/%s", m->root, b->name);
    char *log = str_printf("%s/grader.log", state_dir ? state_dir : ".");
    char *env_file = str_printf("%s/env", state_dir ? state_dir : ".");
    if (!state_dir || !log || !env_file || mkdir_p(state_dir) != 0)
        snprintf(err, errlen, "cannot create build/brokers/%s", b->name);
    else
        ensure_local(m, ch, b, log, err, errlen);
    char **file_env = err[0] ? NULL : read_env_file(env_file);
    if (!err[0] && (!file_env || !file_env[0]))
        snprintf(err, errlen, "%s is up but %s holds no %s line", b->name, env_file, b->env_name);
    for (size_t i = 0; file_env && file_env[i] && i < 2; i++)
        env[1 + i] = file_env[i];
    free(file_env);
    free(state_dir);
    free(log);
    free(env_file);
    if (err[0]) {
        free_argv(env);
        return NULL;
    }
    return env;

fail_unknown:
    snprintf(err, errlen, "chapter %s needs an unknown broker \"%s\"", ch->id, ch->broker);
    free(env);
    return NULL;
}

/* Durable queues and exchanges outlive the tests that declare them, and each
 * broker restart recovers them all, so a node that had graded a few dozen
 * submissions restarted seconds slower. So on our node (not a user's own
 * broker, which we may not administer) each grading run gets a virtual host
 * of its own: made here once, deleted by brokers_release, and swept by the
 * next run's vhost-add when this one is killed (the name holds our pid).
 * Rewrites the AMQP_ADDR line of env to it; -1 with err set on failure. */
static int run_vhost(const struct wb_manifest *m, struct broker *b, char **env, char *err,
                     size_t errlen)
{
    char **line = var_line(env, b);
    char *ours = line ? our_address(m, b) : NULL;
    bool on_our_node = ours && strcmp(*line + strlen(b->env_name) + 1, ours) == 0;
    /* amqp://user:pass@host:port/vhost: the path starts after the authority */
    char *authority = ours ? strstr(ours, "://") : NULL;
    char *path = authority ? strchr(authority + 3, '/') : NULL;
    if (!on_our_node || !path) {
        free(ours);
        return 0;
    }
    if (!b->vhost) {
        int lock = broker_lock_take(m->root, b->name, false); /* not during a restart */
        char *name =
            str_printf(RUN_VHOST_PREFIX "%ld-%lx", (long)getpid(), (unsigned long)time(NULL));
        char *log = grader_log(m, b);
        if (name && log && run_script(m->root, b->name, "vhost-add", name, log) == 0) {
            b->vhost = name;
            name = NULL;
        } else {
            snprintf(err, errlen,
                     "cannot create this run's virtual host on RabbitMQ: scripts/broker-%s.sh "
                     "vhost-add failed; see %s",
                     b->name, log ? log : "build/brokers/");
        }
        free(name);
        free(log);
        broker_lock_release(lock);
    }
    *path = '\0';
    char *rewritten = b->vhost ? str_printf("%s=%s/%s", b->env_name, ours, b->vhost) : NULL;
    free(ours);
    if (!rewritten) {
        if (!err[0])
            snprintf(err, errlen, "out of memory");
        return -1;
    }
    free(*line);
    *line = rewritten;
    return 0;
}

char **brokers_run_env(const struct wb_manifest *m, const struct wb_chapter *ch, char *err,
                       size_t errlen)
{
    char **env = brokers_env_for(m, ch, err, errlen);
    struct broker *b = env && ch->broker ? lookup(ch->broker) : NULL;
    if (b && strcmp(b->name, "rabbitmq") == 0 && run_vhost(m, b, env, err, errlen) != 0) {
        free_argv(env);
        return NULL;
    }
    return env;
}

/* A chapter that can run on two brokers (chapter 07: RabbitMQ, or Kafka with
 * BROKER=kafka) also tells its tests which one this run uses. */
char **brokers_env_for(const struct wb_manifest *m, const struct wb_chapter *ch, char *err,
                       size_t errlen)
{
    char **env = broker_env(m, ch, err, errlen);
    if (!env || !ch->broker_choice)
        return env;
    size_t n = 0;
    while (env[n])
        n++;
    char **grown = realloc(env, (n + 2) * sizeof *grown);
    if (!grown || !(grown[n] = str_printf("BROKER=%s", ch->broker))) {
        free_argv(grown ? grown : env);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    grown[n + 1] = NULL;
    return grown;
}

void brokers_release(const struct wb_manifest *m)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        struct broker *b = &known[i];
        if (b->vhost) { /* in the background, while this run reports */
            char *log = grader_log(m, b);
            if (!log || run_script(m->root, b->name, "vhost-delete", b->vhost, log) != 0)
                fprintf(stderr,
                        "wirebook: could not delete RabbitMQ virtual host %s; the next "
                        "run will\n",
                        b->vhost);
            free(log);
            free(b->vhost);
            b->vhost = NULL;
        }
        if (b->users_fd < 0)
            continue;
        /* The last user gets the lock exclusive; any other run still holds it
         * shared and will stop the broker itself when it ends. */
        char *mark = str_printf("%s/build/brokers/%s/" STARTED_MARK, m->root, b->name);
        if (mark && flock(b->users_fd, LOCK_EX | LOCK_NB) == 0 && path_is_file(mark)) {
            char *log = grader_log(m, b);
            if (log && brokers_script(m->root, b->name, "down", log) == 0)
                mark_started(m, b, false);
            else
                fprintf(stderr, "wirebook: stopping %s failed; see %s\n", b->name,
                        log ? log : "build/brokers/");
            free(log);
        }
        free(mark);
        close(b->users_fd);
        b->users_fd = -1;
    }
}

/*
 * grade.c - runs the pipeline over the chapters of a submission:
 * stage -> build -> run -> score for each exercise, then the quizzes.
 */
#include "layout.h"
#include "parallel.h"
#include "pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Per-exercise wall limit: enough for every test to use its own limit (the
 * manifest's "timeout", else the suite's 10 s), so that one test hanging
 * until its limit does not cost the tests that passed. */
static int exercise_timeout_ms(const struct wb_exercise *e, const struct grade_options *o)
{
    double sum = 0;
    for (size_t i = 0; i < e->ntests; i++) {
        double limit = e->tests[i].timeout > 0 ? e->tests[i].timeout : WB_DEFAULT_TEST_TIMEOUT;
        /* --test-timeout caps every test, so the whole run can be capped too */
        sum += o->test_timeout > 0 && o->test_timeout < limit ? o->test_timeout : limit;
    }
    int seconds = 30 + (int)sum;
    return (o->sanitize || o->valgrind ? 3 : 1) * seconds * 1000;
}

bool grade_selects_chapter(const struct grade_options *o, const struct wb_chapter *ch)
{
    if (!o->only || strcmp(o->only, "quiz") == 0)
        return !o->only;
    size_t n = strlen(ch->id);
    return strncmp(o->only, ch->id, n) == 0 && (o->only[n] == '\0' || o->only[n] == '/');
}

static bool selected_exercise(const struct grade_options *o, const struct wb_exercise *e)
{
    const char *slash = o->only ? strchr(o->only, '/') : NULL;
    return !slash || strcmp(slash + 1, e->id) == 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One chapter of the run: its staged tree, compiler settings and broker. */
struct chapter_run {
    const struct wb_chapter *ch;
    char *dir, *work, *gen, *prep_log;
    struct build_ctx b;
    char **broker_env;
    char err[4096]; /* set when the chapter could not be prepared */
    enum exercise_state failed_state;
    bool prepared;
    /* ch->broker when its tests share one broker process in this run (the
     * mock Kafka cluster is private to each test: then NULL) */
    const char *shared_broker;
    /* a restart of the shared broker stops a RabbitMQ virtual host of its
     * own, not the broker (private_vhost.c): no one else need wait */
    bool restarts_scoped;
};

/* The shared broker e's tests use in this run, or NULL: the chapter's, unless
 * e has a broker of its own (kafka_path hosts a mock Kafka cluster in each
 * test beside chapter 07's RabbitMQ) or the chapter's is not shared. */
static const char *exercise_shared_broker(const struct chapter_run *c, const struct wb_exercise *e)
{
    const char *name = manifest_exercise_broker(e);
    return c->shared_broker && name && strcmp(name, c->shared_broker) == 0 ? c->shared_broker
                                                                           : NULL;
}

/* True when the exercise restarts the broker its tests use, that broker is
 * shared in this run, and the restart stops it for everyone (not only a
 * virtual host of the exercise's own): it must then run with no other user
 * of it. */
static bool restarts_shared_broker(const struct chapter_run *c, const struct wb_exercise *e)
{
    return exercise_shared_broker(c, e) && brokers_restart_is_shared(e) && !c->restarts_scoped;
}

/* After an exercise that restarts the shared broker, and before anyone else
 * may use it: a test killed half-way through its restart (its time ran
 * out) must not leave the broker stopped for every exercise after it. */
static void heal_broker(const struct chapter_run *c, const char *broker, const char *ex_dir)
{
    char *log = path_join(ex_dir, "broker-heal.log");
    if (log)
        (void)brokers_script(c->b.course_root, broker, "heal", log);
    free(log);
}

/* The broker lock an exercise's runs hold: shared with the other users of
 * the broker, exclusive for one that restarts it (it runs with no other
 * user). -1 when it uses no shared broker. */
static int exercise_lock_take(const struct chapter_run *c, const struct wb_exercise *e)
{
    const char *shared = exercise_shared_broker(c, e);
    return shared ? broker_lock_take(c->b.course_root, shared, restarts_shared_broker(c, e)) : -1;
}

/* Heals the broker after an exercise that restarts it, then releases lock. */
static void exercise_lock_release(const struct chapter_run *c, const struct wb_exercise *e,
                                  const char *ex_dir, int lock)
{
    if (restarts_shared_broker(c, e))
        heal_broker(c, exercise_shared_broker(c, e), ex_dir);
    broker_lock_release(lock);
}

/* memory_safety_first under the exercise's broker lock. True when its
 * sanitized run scored r. */
static bool grade_sanitized_first(const struct chapter_run *c, const char *ex_dir, char **env,
                                  const struct grade_options *o, struct exercise_result *r)
{
    const struct wb_exercise *e = r->ex;
    if (!memory_safety_first_applies(e, o))
        return false;
    int lock = exercise_lock_take(c, e);
    /* The plain run's limit, not the 3x of a sanitized run after it: it is
     * the sum of every test's own limit, far above what the sanitized tests
     * take, and a run that is stopped (a runner frozen by the student's
     * code) then costs the limit once here before the plain run. */
    bool scored = memory_safety_first(&c->b, e, ex_dir, env, o, exercise_timeout_ms(e, o), r);
    exercise_lock_release(c, e, ex_dir, lock);
    return scored;
}

/* Builds and runs one exercise whose chapter is staged and ready. */
static void grade_exercise(const struct chapter_run *c, const char *ex_dir, char **env,
                           const struct grade_options *o, struct exercise_result *r)
{
    const struct build_ctx *b = &c->b;
    const struct wb_exercise *e = r->ex;
    bool kafka_real = brokers_kafka_is_real();
    char *missing = stage_missing_files(e, b->work_dir);
    if (missing) {
        char *why = str_printf("missing file(s) in the submission: %s", missing);
        score_not_run(r, EX_MISSING_FILES, why ? why : missing, kafka_real);
        r->message = why;
        free(missing);
        return;
    }
    if (grade_sanitized_first(c, ex_dir, env, o, r))
        return;
    char *bin = path_join(ex_dir, "tests.bin");
    char *compile_log = path_join(ex_dir, "compile.log");
    char *run_log = path_join(ex_dir, "run.log");
    char *report = path_join(ex_dir, "report.json");
    char *screen_dir = path_join(ex_dir, "screen");
    char *message = NULL;
    char *refused = screen_dir && compile_log ? screen_exercise(b, e, screen_dir, compile_log)
                                              : strdup("out of memory");

    if (refused) {
        score_not_run(r, EX_REFUSED, refused, kafka_real);
        r->message = refused;
    } else if (build_exercise(b, e, bin, compile_log, &message) != 0) {
        score_not_run(r, EX_BUILD_FAILED, message, kafka_real);
        r->message = message;
    } else {
        int timeout = exercise_timeout_ms(e, o);
        /* Held over both runs (plain and memory_safety's sanitized one).
         * Taken first: the background sanitized child inherits it. */
        int lock = exercise_lock_take(c, e);
        struct memory_safety_child child = {.pid = -1, .run_ms = 3 * timeout, .ex_dir = ex_dir};
        /* After a sanitized-first run that failed, no background build: the
         * sanitized run comes only if every plain test passes, which is rare
         * then, and memory_safety_run builds it when it does. */
        if (memory_safety_wanted(e, o) && !memory_safety_first_applies(e, o))
            child.pid = memory_safety_prebuild(b, e, ex_dir, env, o, 3 * timeout);
        struct proc_outcome outcome;
        struct grade_options selected = *o; /* --tests: only those run */
        char *filter = o->tests ? test_list_filter(e, o->tests) : NULL;
        selected.test_filter = filter;
        if (child.pid > 0 && memory_safety_splits(e, o)) { /* its alone tests wait for the child */
            selected.between_passes = memory_safety_wait_side_by_side;
            selected.between_arg = &child;
        }
        /* --sanitize: this run is the sanitizer run, its reports go to files */
        char *san_prefix = o->sanitize ? path_join(ex_dir, SANITIZER_LOGS "/sanitizer") : NULL;
        char **san_env = san_prefix ? memory_safety_env(env, san_prefix, b->course_root) : NULL;
        if (run_tests(e, bin, report, run_log, san_env ? san_env : env, timeout, &selected,
                      b->course_root, &outcome) != 0) {
            score_not_run(r, EX_NO_REPORT, "could not start the test runner (fork failed)",
                          kafka_real);
        } else {
            score_exercise(r, report, run_log, &outcome, timeout, o->test_timeout, kafka_real);
            if (o->tests)
                test_list_exclude_others(r, o->tests);
            r->seconds = outcome.seconds;
            r->isolation = outcome.layers;
        }
        if (san_prefix)
            memory_safety_from_run(r, san_prefix);
        else if (o->valgrind) /* valgrind judges each test instead */
            memory_safety_not_counted(r, "not counted in a valgrind run");
        else
            memory_safety_run(b, e, ex_dir, env, o, 3 * timeout, &child, r);
        exercise_lock_release(c, e, ex_dir, lock);
        free(filter);
        free(san_prefix);
        free_argv(san_env);
    }
    free(bin);
    free(compile_log);
    free(run_log);
    free(report);
    free(screen_dir);
}

/* Stages the chapter, prepares its build and makes its broker reachable. */
static void prepare_chapter(const struct wb_manifest *m, struct chapter_run *c,
                            const char *submission_dir, const struct grade_options *o)
{
    const struct wb_chapter *ch = c->ch;
    c->prepared = true;
    c->failed_state = EX_BUILD_FAILED;
    c->dir = str_printf("%s/%s", o->out_dir, ch->id);
    c->work = str_printf("%s/%s/src", o->out_dir, ch->id);
    c->gen = str_printf("%s/%s/gen", o->out_dir, ch->id);
    c->prep_log = str_printf("%s/%s/prepare.log", o->out_dir, ch->id);
    if (ch->broker_refused[0])
        snprintf(c->err, sizeof c->err, "%s", ch->broker_refused);
    else if (!c->dir || !c->work || !c->gen || !c->prep_log || mkdir_p(c->dir) != 0 ||
             screen_forget_kept(c->dir) != 0)
        snprintf(c->err, sizeof c->err, "cannot create %s/%s: %s", o->out_dir, ch->id,
                 strerror(errno));
    else if (stage_chapter(m, ch, submission_dir, c->work, c->err, sizeof c->err) != 0)
        ;
    else if (build_ctx_init(&c->b, m, ch, c->work, c->gen, o->sanitize, o->werror, c->prep_log,
                            c->err, sizeof c->err) != 0)
        ;
    else {
        c->broker_env = brokers_run_env(m, ch, c->err, sizeof c->err);
        if (!c->broker_env)
            c->failed_state = EX_BROKER_DOWN;
    }
    /* A broker process shared by the run (not the mock cluster each Kafka
     * test hosts itself, whose env holds at most BROKER=kafka). */
    if (c->broker_env && c->broker_env[0] && strncmp(c->broker_env[0], "BROKER=", 7) != 0)
        c->shared_broker = ch->broker;
    c->restarts_scoped = c->shared_broker && private_vhost_possible(c->broker_env);
}

static void chapter_run_free(struct chapter_run *c)
{
    build_ctx_free(&c->b);
    free_argv(c->broker_env);
    free(c->dir);
    free(c->work);
    free(c->gen);
    free(c->prep_log);
}

/* Grades one exercise of a prepared chapter into r. */
static void grade_one(const struct chapter_run *c, const struct grade_options *o,
                      struct exercise_result *r)
{
    bool kafka_real = brokers_kafka_is_real();
    double start = now_seconds();
    if (c->err[0]) {
        score_not_run(r, c->failed_state, c->err, kafka_real);
        r->message = strdup(c->err);
        return;
    }
    char *ex_dir = str_printf("%s/%s", c->dir, r->ex->id);
    char *scratch = ex_dir ? path_join(ex_dir, "scratch") : NULL;
    char **env = NULL;
    if (scratch && remove_tree(ex_dir) == 0 && mkdir_p(scratch) == 0)
        env = run_environment(scratch, c->work, NULL, c->broker_env, o->sanitize);
    if (!env)
        score_not_run(r, EX_NO_REPORT, "cannot prepare the exercise's folder", kafka_real);
    else {
        struct grade_options scoped = *o;
        scoped.restarts_scoped = c->restarts_scoped;
        grade_exercise(c, ex_dir, env, &scoped, r);
    }
    if (r->seconds == 0)
        r->seconds = now_seconds() - start;
    free_argv(env);
    free(scratch);
    free(ex_dir);
}

/* The exercises of a parallel run using one shared broker right now. */
struct broker_users {
    const char *name;
    int running;            /* exercises using it now */
    bool exclusive_busy;    /* one of them restarts it (it runs alone) */
    bool exclusive_waiting; /* one that restarts it waits for the others to end */
};

/* More than the brokers manifest.c knows (rabbitmq, kafka, nats, redis). */
#define MAX_SHARED_BROKERS 8

/* The exercises of one run and the chapters they belong to. */
struct schedule {
    const struct wb_manifest *m;
    const struct grade_options *o;
    const char *submission_dir;
    struct chapter_run *chapters; /* one per chapter of the manifest, same order */
    struct exercise_result *results;
    size_t n;
    double began; /* now_seconds() when the run began */
    struct broker_users users[MAX_SHARED_BROKERS];
    size_t nusers;
};

static struct chapter_run *chapter_of(const struct schedule *s, const struct exercise_result *r)
{
    return &s->chapters[r->ex->chapter - s->m->chapters];
}

/* Who uses shared broker name now (added on first use); NULL for no name. */
static struct broker_users *users_of(struct schedule *s, const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < s->nusers; i++)
        if (strcmp(s->users[i].name, name) == 0)
            return &s->users[i];
    if (s->nusers == MAX_SHARED_BROKERS)
        return NULL;
    s->users[s->nusers] = (struct broker_users){.name = name};
    return &s->users[s->nusers++];
}

static void say_grading(const struct schedule *s, const struct exercise_result *r)
{
    if (s->o->quiet_progress)
        return;
    fflush(stdout); /* what stdout holds belongs before this line */
    fprintf(stderr, "  grading %s/%s ...\n", r->ex->chapter->id, r->ex->id);
}

/* One exercise after the other, in course order, in this process. */
static void grade_in_order(struct schedule *s)
{
    for (size_t i = 0; i < s->n; i++) {
        struct chapter_run *c = chapter_of(s, &s->results[i]);
        if (!c->prepared)
            prepare_chapter(s->m, c, s->submission_dir, s->o);
        say_grading(s, &s->results[i]);
        s->results[i].started_at = now_seconds() - s->began;
        grade_one(c, s->o, &s->results[i]);
        s->results[i].ended_at = now_seconds() - s->began;
    }
}

/* ---- several exercises at once (-j N): see parallel.h ---------------------- */

enum { PENDING, RUNNING, DONE };

/* What a worker process does: grade one exercise and leave its result in a
 * file for the parent. */
struct exercise_job {
    const struct chapter_run *c;
    const struct grade_options *o;
    struct exercise_result *r;
    char *outcome_path;
};

static int exercise_job_run(void *arg)
{
    struct exercise_job *job = arg;
    grade_one(job->c, job->o, job->r);
    return outcome_save(job->r, job->outcome_path) == 0 ? 0 : 1;
}

/* A worker that makes a chapter's broker reachable while exercises of
 * earlier chapters run (RabbitMQ takes seconds to boot). Whether it started
 * the broker is on disk (brokers.c), so the run that ends last stops it. */
struct broker_job {
    const struct wb_manifest *m;
    const struct wb_chapter *ch;
};

static int broker_job_run(void *arg)
{
    struct broker_job *job = arg;
    char err[4096];
    char **env = brokers_env_for(job->m, job->ch, err, sizeof err);
    free_argv(env);
    return !env ? 1 : 0;
}

/* True while another exercise using the broker runs alone, or (when
 * exclusive) while any other exercise uses it, or while an exclusive one
 * waits for it (so that a stream of users cannot starve it). */
static bool broker_busy(const struct broker_users *u, bool exclusive)
{
    return u && (u->exclusive_busy || (exclusive && u->running > 0) ||
                 (!exclusive && u->exclusive_waiting));
}

/* True while a starter for the broker of ch runs. */
static bool broker_starting(const struct schedule *s, const bool *pending,
                            const struct wb_chapter *ch)
{
    for (size_t k = 0; ch->broker && k < s->m->nchapters; k++)
        if (pending[k] && strcmp(s->m->chapters[k].broker, ch->broker) == 0)
            return true;
    return false;
}

/* Starts exercise i in a worker, or grades it here when there is nothing to
 * run (its chapter could not be prepared). Returns true when a worker runs it. */
static bool start_exercise(struct schedule *s, struct jobs *pool, struct exercise_job *jobs,
                           int *state, size_t i)
{
    struct exercise_result *r = &s->results[i];
    struct chapter_run *c = chapter_of(s, r);
    say_grading(s, r);
    r->started_at = now_seconds() - s->began;
    if (!c->err[0]) {
        jobs[i] = (struct exercise_job){.c = c,
                                        .o = s->o,
                                        .r = r,
                                        .outcome_path =
                                            str_printf("%s/%s.outcome.json", c->dir, r->ex->id)};
        if (jobs[i].outcome_path && jobs_start(pool, i, exercise_job_run, &jobs[i]) == 0) {
            state[i] = RUNNING;
            struct broker_users *u = users_of(s, exercise_shared_broker(c, r->ex));
            if (u) {
                u->running++;
                u->exclusive_busy = restarts_shared_broker(c, r->ex);
            }
            return true;
        }
    }
    grade_one(c, s->o, r); /* err set: scores "not run" at once; or fork failed: run it here */
    r->ended_at = now_seconds() - s->began;
    state[i] = DONE;
    return false;
}

/* A worker ended: take its result (or say it has none). */
static void finish_exercise(struct schedule *s, struct exercise_job *job, int exit_code)
{
    struct exercise_result *r = job->r;
    struct chapter_run *c = chapter_of(s, r);
    struct broker_users *u = users_of(s, exercise_shared_broker(c, r->ex));
    if (u) {
        u->running--;
        u->exclusive_busy = false; /* an exclusive exercise ran alone */
    }
    if (exit_code != 0 || outcome_load(r, job->outcome_path) != 0) {
        char *why = str_printf("the grader's worker for this exercise ended without a result "
                               "(%s); see %s/%s",
                               exit_code < 0 ? "killed by a signal" : "it failed to save it",
                               c->dir, r->ex->id);
        score_not_run(r, EX_NO_REPORT, why ? why : "the grader's worker ended without a result",
                      brokers_kafka_is_real());
        r->message = why;
    }
    r->ended_at = now_seconds() - s->began;
    remove(job->outcome_path);
    free(job->outcome_path);
    job->outcome_path = NULL;
}

/* The order to start exercises in. First those that restart a shared
 * broker: each runs alone among that broker's users, so started first they
 * hold it while other brokers' exercises fill the other slots, where started
 * late the run ends waiting on them. Then longest first, by how long each
 * took the last time this output folder was graded, so that a slow exercise
 * does not start last and run alone at the end; course order when nothing is
 * known (and among equals). Malloc'd; NULL when out of memory. */
static size_t *longest_first(const struct schedule *s)
{
    size_t *order = calloc(s->n + 1, sizeof *order);
    double *seconds = calloc(s->n + 1, sizeof *seconds);
    char *previous = path_join(s->o->out_dir, "results.json");
    if (!order || !seconds || !previous) {
        free(order);
        free(seconds);
        free(previous);
        return NULL;
    }
    outcome_previous_seconds(previous, s->results, s->n, seconds);
    for (size_t i = 0; i < s->n; i++) /* the restarting ones: ahead of everything */
        if (brokers_restart_is_shared(s->results[i].ex))
            seconds[i] += 1e9;
    for (size_t i = 0; i < s->n; i++) { /* insertion sort: stable, n is small */
        size_t k = i;
        for (; k > 0 && seconds[order[k - 1]] < seconds[i]; k--)
            order[k] = order[k - 1];
        order[k] = i;
    }
    free(seconds);
    free(previous);
    return order;
}

/* Runs up to `jobs` exercises at once in worker processes. Chapters are
 * prepared (staged, broker up) in the parent, in the order their exercises start, while the
 * workers of earlier chapters run; results land in s->results, which keeps
 * course order, so the table and results.json do not depend on timing.
 * Returns -1 (nothing done) when workers cannot be set up. */
static int grade_in_parallel(struct schedule *s, size_t jobs)
{
    size_t nch = s->m->nchapters;
    struct jobs *pool = jobs_new(jobs + nch);
    int *state = calloc(s->n, sizeof *state);
    struct exercise_job *ex_jobs = calloc(s->n, sizeof *ex_jobs);
    struct broker_job *broker_jobs = calloc(nch, sizeof *broker_jobs);
    bool *broker_pending = calloc(nch, sizeof *broker_pending);
    size_t *order = longest_first(s);
    if (!pool || !state || !ex_jobs || !broker_jobs || !broker_pending || !order) {
        jobs_free(pool);
        free(order);
        free(state);
        free(ex_jobs);
        free(broker_jobs);
        free(broker_pending);
        return -1;
    }
    /* brokers first: one starter per broker, for the first chapter needing it */
    for (size_t i = 0; i < s->n; i++) {
        const struct wb_chapter *ch = s->results[i].ex->chapter;
        size_t ci = (size_t)(ch - s->m->chapters);
        if (!ch->broker || broker_starting(s, broker_pending, ch))
            continue;
        brokers_use(s->m, ch->broker); /* this process, the worker's user for good */
        /* Up already (the usual case): its chapters are prepared at once, so
         * that their exercises take the first slots when longest_first says
         * so, instead of those going to chapters without a broker. */
        if (brokers_ready_now(s->m, ch->broker))
            continue;
        broker_jobs[ci] = (struct broker_job){.m = s->m, .ch = ch};
        broker_pending[ci] = jobs_start(pool, s->n + ci, broker_job_run, &broker_jobs[ci]) == 0;
    }

    size_t done = 0, running = 0;
    while (done < s->n) {
        /* start what may start now, in the order chosen by longest_first */
        for (size_t k = 0; k < s->nusers; k++)
            s->users[k].exclusive_waiting = false;
        for (size_t k = 0; k < s->n && running < jobs; k++) {
            size_t i = order[k];
            struct chapter_run *c = chapter_of(s, &s->results[i]);
            if (state[i] != PENDING || !c->prepared)
                continue;
            bool exclusive = restarts_shared_broker(c, s->results[i].ex);
            struct broker_users *u = users_of(s, exercise_shared_broker(c, s->results[i].ex));
            if (broker_busy(u, exclusive)) {
                u->exclusive_waiting |= exclusive;
                continue;
            }
            if (start_exercise(s, pool, ex_jobs, state, i))
                running++;
            else
                done++;
        }
        /* prepare the next chapter whose broker is ready, in the order the
         * exercises start (the chapter of a broker-restarting one first) */
        struct chapter_run *next = NULL;
        for (size_t k = 0; k < s->n && !next; k++) {
            size_t i = order[k];
            struct chapter_run *c = chapter_of(s, &s->results[i]);
            if (state[i] == PENDING && !c->prepared && !broker_starting(s, broker_pending, c->ch))
                next = c;
        }
        if (next) {
            prepare_chapter(s->m, next, s->submission_dir, s->o);
            continue;
        }
        size_t id;
        int exit_code;
        if (jobs_wait(pool, &id, &exit_code) != 0)
            break; /* nothing runs and nothing may start: cannot happen */
        if (id >= s->n) {
            size_t ci = id - s->n;
            broker_pending[ci] = false;
            continue;
        }
        finish_exercise(s, &ex_jobs[id], exit_code);
        state[id] = DONE;
        running--;
        done++;
    }
    jobs_free(pool);
    free(order);
    free(state);
    free(ex_jobs);
    free(broker_jobs);
    free(broker_pending);
    return 0;
}

/* Exercises graded at once per CPU by default. An exercise's time is
 * mostly its tests waiting on brokers, peers and deadlines, which overlap
 * other exercises' compiles: on 2 cores the whole course graded in 90 s
 * with -j 2, 84-94 s with -j 4 and 75-80 s with -j 6 (two rounds each, a
 * shared machine). Exercises that restart a shared broker still run alone
 * among its users (broker_lock.c, broker_busy). */
#define GRADE_JOBS_PER_CPU 3

/* How many exercises run at once: -j N, else GRADE_JOBS_PER_CPU per CPU. */
static size_t grade_jobs(const struct grade_options *o)
{
    if (o->jobs > 0)
        return (size_t)o->jobs;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 0 ? (size_t)cpus * GRADE_JOBS_PER_CPU : 1;
}

int grade_run(const struct wb_manifest *m, const struct grade_options *o, struct grade_run *run,
              char *err, size_t errlen)
{
    memset(run, 0, sizeof *run);
    run->manifest = m;
    run->opts = o;
    double start = now_seconds();
    if (errlen > 0)
        err[0] = '\0';

    if (mkdir_p(o->out_dir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", o->out_dir, strerror(errno));
        return -1;
    }
    char *unpack_dir = path_join(o->out_dir, "unpacked");
    char *opened = unpack_dir ? submission_open(o->submission, unpack_dir, err, errlen) : NULL;
    char *submission_dir =
        opened ? layout_resolve(m, opened, o->out_dir, &run->layout_note, err, errlen) : NULL;
    free(unpack_dir);
    free(opened);
    if (!submission_dir) {
        if (errlen > 0 && !err[0])
            snprintf(err, errlen, "submission %s: no such folder", o->submission);
        return -1;
    }

    size_t total = 0;
    for (size_t i = 0; i < m->nchapters; i++)
        total += m->chapters[i].nexercises;
    run->exercises = calloc(total + 1, sizeof *run->exercises);
    if (!run->exercises) {
        snprintf(err, errlen, "out of memory");
        free(submission_dir);
        return -1;
    }
    for (size_t i = 0; i < m->nchapters; i++) {
        const struct wb_chapter *ch = &m->chapters[i];
        if (!grade_selects_chapter(o, ch))
            continue;
        for (size_t k = 0; k < ch->nexercises; k++)
            if (selected_exercise(o, &ch->exercises[k]))
                run->exercises[run->nexercises++].ex = &ch->exercises[k];
    }
    struct chapter_run *chapters = calloc(m->nchapters + 1, sizeof *chapters);
    if (!chapters) {
        snprintf(err, errlen, "out of memory");
        free(submission_dir);
        return -1;
    }
    for (size_t i = 0; i < m->nchapters; i++)
        chapters[i].ch = &m->chapters[i];
    struct schedule s = {.m = m,
                         .o = o,
                         .submission_dir = submission_dir,
                         .chapters = chapters,
                         .results = run->exercises,
                         .n = run->nexercises,
                         .began = start};
    size_t jobs = grade_jobs(o);
    if (jobs <= 1 || run->nexercises <= 1 || grade_in_parallel(&s, jobs) != 0)
        grade_in_order(&s);
    for (size_t i = 0; i < m->nchapters; i++)
        chapter_run_free(&chapters[i]);
    free(chapters);
    brokers_release(m);

    if (o->quizzes && (!o->only || strcmp(o->only, "quiz") == 0))
        grade_quizzes(m, submission_dir, run);

    for (size_t i = 0; i < run->nexercises; i++) {
        run->score += run->exercises[i].score;
        run->max += run->exercises[i].max;
    }
    for (size_t i = 0; i < run->nquizzes; i++) {
        run->score += run->quizzes[i].score;
        run->max += run->quizzes[i].max;
    }
    run->seconds = now_seconds() - start;
    free(submission_dir);
    return 0;
}

void grade_run_free(struct grade_run *run)
{
    for (size_t i = 0; i < run->nexercises; i++) {
        exercise_result_free(&run->exercises[i]);
    }
    free(run->exercises);
    for (size_t i = 0; i < run->nquizzes; i++) {
        struct quiz_result *q = &run->quizzes[i];
        for (size_t k = 0; k < q->nquestions; k++) {
            free(q->questions[k].id);
            free(q->questions[k].output);
        }
        free(q->questions);
        free(q->message);
    }
    free(run->quizzes);
    free(run->layout_note);
    memset(run, 0, sizeof *run);
}

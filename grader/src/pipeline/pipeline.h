/*
 * pipeline.h - the stages of grading, one file each (stage.c, build.c,
 * run.c, score.c, brokers.c), glued together by grade.c.
 */
#ifndef WB_PIPELINE_H
#define WB_PIPELINE_H

#include "grade.h"
#include "proc.h"
#include "util.h"

#include <sys/types.h>

/* ---- stage.c: a fresh work tree from the instructor's copy ------------- */

/* Resolves where the student files of chapters live in a submission: the
 * folder itself, or its chapters/ subfolder when it is a whole checkout.
 * Returns a malloc'd path or NULL when it is not a folder. */
char *stage_submission_dir(const char *submission);

/* Copies chapters/CH from the course into work_dir, without the skeleton
 * files, then each student file that the submission has. */
int stage_chapter(const struct wb_manifest *m, const struct wb_chapter *ch,
                  const char *submission_dir, const char *work_dir, char *err, size_t errlen);

/* The exercise's student files missing from the work tree, as "a.c, b.c",
 * or NULL when all are there (malloc'd). */
char *stage_missing_files(const struct wb_exercise *e, const char *work_dir);

/* ---- build.c: one compile per exercise ---------------------------------- */

struct build_ctx {
    const char *course_root;
    const char *work_dir; /* the staged chapter */
    const char *gen_dir;  /* protoc-c output (cached_gen when the cache made it) */
    char **pkg_flags;     /* pkg-config --cflags --libs of the chapter, split */
    char **test_link;     /* pkg_flags for linking tests (test_link.c); NULL: pkg_flags */
    bool sanitize, werror;
    /* object_cache.c: NULL when the cache is off */
    char *cache_dir;      /* COURSE/build/cache/objects */
    char *course_chapter; /* COURSE/chapters/CH: where instructor objects are compiled */
    char *compiler_id;    /* `cc -v`, part of every key */
    char *cached_gen;     /* COURSE/build/cache/gen/CH-KEY, the generated code */
};

int build_ctx_init(struct build_ctx *b, const struct wb_manifest *m, const struct wb_chapter *ch,
                   const char *work_dir, const char *gen_dir, bool sanitize, bool werror,
                   const char *log_path, char *err, size_t errlen);
void build_ctx_free(struct build_ctx *b);

/* test_link.c: the chapter's pkg_flags for linking its test binaries, with
 * the modules of its "static_in_tests" from their archives (malloc'd,
 * NULL-terminated); NULL when it lists none or an archive is missing here. */
char **test_link_flags(const char *course_root, const struct wb_chapter *ch, char **pkg_flags);

/* Links the exercise's test binary from its tests and the student objects
 * screen_exercise left in screen/ beside bin; on failure returns -1 and
 * *message holds the compiler's first lines (malloc'd). */
int build_exercise(const struct build_ctx *b, const struct wb_exercise *e, const char *bin,
                   const char *log_path, char **message);

/* The compile-only command of src: the build's flags, chapter_dir first on
 * the include path, the chapter's cflags, "-c src", then tail (may be NULL). */
char **build_object_command(const struct build_ctx *b, const char *chapter_dir, const char *src,
                            const char *const *tail);
/* What a shell command prints (stdout; add 2>&1 for stderr), malloc'd ("" when
 * nothing); *status gets pclose's status (-1 when it could not run). */
char *build_shell_output(const char *command, int *status);
/* Runs protoc-c on the chapter's .proto files (in work_dir) into gen_dir. */
int build_protos(const struct wb_chapter *ch, const char *work_dir, const char *gen_dir,
                 const char *log_path, char *err, size_t errlen);

/* Fills the object cache with e's instructor objects in b's mode; returns
 * how many of them could not be cached (they are compiled with each link). */
int build_cache_exercise(const struct build_ctx *b, const struct wb_exercise *e);

/* Compiles one student file to obj (the build's flags, no linking) in the
 * sandbox, rw_dir writable; 0 when the object is there. */
int build_student_object(const struct build_ctx *b, const char *file, const char *obj,
                         const char *rw_dir, const char *log_path);
/* Runs a tool (compiler, objcopy, objdump) on student code in the sandbox:
 * it sees the staged chapter, generated sources and the test kit; only
 * rw_dir is writable. Returns proc_run's result. */
int build_run_tool(const struct build_ctx *b, char **argv, const char *rw_dir, const char *log_path,
                   struct proc_outcome *o);

/* Compiles one runnable example program of the chapter. */
int build_program(const struct build_ctx *b, const struct wb_chapter *ch,
                  const struct wb_program *p, const char *bin, const char *log_path,
                  char **message);

/* The compiler command (argv, NULL-terminated, malloc'd strings) for sources
 * -> out; used by the builds above and by compile_commands.json. */
char **build_command(const struct build_ctx *b, const struct wb_chapter *ch, const char **sources,
                     size_t nsources, const char *out, bool link_tests);
void free_argv(char **argv);

/* ---- argv_builder.c: NULL-terminated string lists, built one at a time ---- */

struct argv_builder {
    char **items;
    size_t n, cap;
    bool failed; /* an allocation failed: argv_finish returns NULL */
};
void argv_add(struct argv_builder *a, const char *s);
/* argv_add, then free(s); a NULL s (a failed str_printf) fails the list. */
void argv_add_owned(struct argv_builder *a, char *s);
/* argv_add of each blank-separated word of words. */
void argv_add_words(struct argv_builder *a, const char *words);
/* The list (NULL-terminated; NULL when empty), or NULL and nothing left
 * allocated when an addition failed. */
char **argv_finish(struct argv_builder *a);

/* ---- object_cache.c: instructor objects compiled once per course ---------- */

/* False when WIREBOOK_OBJECT_CACHE=off (every build then compiles all). */
bool object_cache_wanted(void);
/* Sets b's cache fields; -1 (cache off for b) when it cannot be used. */
int object_cache_init(struct build_ctx *b, const struct wb_chapter *ch);
/* The chapter's generated protobuf-c code, made once in the cache: its
 * folder (malloc'd), or NULL (then the build makes its own). */
char *object_cache_generated(const struct build_ctx *b, const struct wb_chapter *ch,
                             const char *log_path);
/* What the shell command `pkg-config ...` prints, from the cache when no
 * .pc file on pkg-config's path changed since (malloc'd; *status as for
 * build_shell_output). */
char *object_cache_pkg_config(const char *course_root, const char *command, int *status);
/* The cached object of instructor source src (an absolute path in the
 * course's chapter or generated folder), compiled now when missing or
 * stale; malloc'd path, or NULL when the exercise must compile src itself
 * (no cache, src does not compile, or it reads a student file). */
char *object_cache_get(const struct build_ctx *b, const struct wb_chapter *ch, const char *src);

/* ---- screen.c: what student objects may not contain ---------------------- */

/* Compiles each student file of e into dir (in the staged chapter, in the
 * sandbox), localizes the symbols its headers do not declare and screens
 * the objects, which build_exercise then links. NULL when clean, else a
 * message naming the files and what was found (refused objects are removed). */
char *screen_exercise(const struct build_ctx *b, const struct wb_exercise *e, const char *dir,
                      const char *log_path);
/* A student file screened clean is kept in OUT/CH/screened-MODE/ for the
 * chapter's other exercises that have it; a run starts by forgetting the
 * last run's (chapter_out is OUT/CH). */
int screen_forget_kept(const char *chapter_out);
/* dir/NAME.o for source NAME.c (malloc'd). */
char *screen_object_path(const char *dir, const char *source);
/* Screens one ELF object: NULL when clean, else "\n  - ..." lines. */
char *screen_object(const char *path);

/* ---- submission.c: folders, checkouts and archives ----------------------- */

/* Makes a submission gradable: a folder (or git checkout) is used in place;
 * a .zip, .tar.gz or .tgz is unpacked safely into unpack_dir. Returns the
 * folder to grade (malloc'd) or NULL with a message in err. */
char *submission_open(const char *submission, const char *unpack_dir, char *err, size_t errlen);
/* True when path names an archive submission_open unpacks. */
bool submission_is_archive(const char *path);

/* ---- broker_control.c: a sandboxed test restarts the shared broker ------- */

/* A server (a child of the grader) that runs scripts/broker-NAME.sh restart
 * for a run that asks through FIFOs in dir; script is the stand-in the run
 * calls instead of the real script. With vhost (RabbitMQ), the restart is
 * that virtual host's only (private_vhost.c). */
struct broker_control {
    pid_t server;
    char *dir, *script;
};
int broker_control_start(struct broker_control *bc, const char *course_root, const char *broker,
                         const char *vhost, const char *dir);
void broker_control_stop(struct broker_control *bc);

/* ---- env_list.c: a run's environment, "NAME=value" lines ------------------ */

/* The value of name in env, or NULL. */
const char *env_list_get(char **env, const char *name);
/* A copy of env (NULL: empty) with name set to value, replacing its line if
 * any; free with free_argv. NULL when out of memory. */
char **env_list_with(char **env, const char *name, const char *value);

/* ---- private_vhost.c: RabbitMQ restarts that disturb no one else --------- */

/* How the vhost of a grading run on our node is named: RUN_VHOST_PREFIX,
 * the grader's pid, "-", ... (brokers.c; the script's sweep knows it too). */
#define RUN_VHOST_PREFIX "wirebook-run-"

struct private_vhost {
    char *name;          /* the vhost made, deleted by private_vhost_drop; NULL: none */
    char **env;          /* env with AMQP_ADDR in it and WB_RABBITMQ_RESTART_VHOST */
    const char *restart; /* the vhost a restart stops (in env): name, or the run's own */
};
/* When env's AMQP_ADDR names a grading run's vhost on our node, makes a
 * vhost of its own for the tests that restart the broker (its name holds
 * tag) and returns 0. 1: env names no such vhost (the user's own broker,
 * restarted whole); pv is empty. -1: it could not be made; pv->env then
 * restarts the run's own vhost. */
int private_vhost_make(const char *course_root, char **env, const char *tag,
                       struct private_vhost *pv);
/* True when env's AMQP_ADDR names a grading run's vhost on our node: a
 * restart there stops a private vhost only (private_vhost_make). */
bool private_vhost_possible(char **env);
void private_vhost_drop(const char *course_root, struct private_vhost *pv);

/* ---- run.c: the test binary under limits --------------------------------- */

/* Runs bin, the test binary of e (plain or sanitized), which writes its
 * report to report_path; with o->valgrind under valgrind, whose logs go next
 * to log_path. */
int run_tests(const struct wb_exercise *e, const char *bin, const char *report_path,
              const char *log_path, char **env, int timeout_ms, const struct grade_options *o,
              const char *course_root, struct proc_outcome *outcome);
/* The environment tests get: a clean base plus chapter and broker settings. */
char **run_environment(const char *scratch_dir, const char *chapter_dir, const char *bin_dir,
                       char **broker_env, bool sanitize);

/* ---- score.c: the runner's report -> points ------------------------------ */

/* Frees what r holds (its tests' outputs, the tests, its message), not r. */
void exercise_result_free(struct exercise_result *r);
/* Reads the report the test binary wrote and scores each manifest test.
 * kafka_real tells which "needs" tests count in this run. */
void score_exercise(struct exercise_result *r, const char *report_path, const char *log_path,
                    const struct proc_outcome *run, int timeout_ms, double test_timeout,
                    bool kafka_real);
/* Marks every test of r as not run, with one reason. */
void score_not_run(struct exercise_result *r, enum exercise_state state, const char *why,
                   bool kafka_real);

/* ---- test_select.c: only some tests of an exercise ------------------------ */

/* True when the comma-separated list names the test. */
bool test_list_has(const char *list, const char *name);
/* NULL when every name in list is a test of e, else a message naming the
 * unknown ones and listing e's tests (malloc'd). */
char *test_list_check(const struct wb_exercise *e, const char *list);
/* Criterion's --filter pattern for those tests: "EX/@(a|b)" (malloc'd). */
char *test_list_filter(const struct wb_exercise *e, const char *list);
/* Marks the tests list does not name as excluded and recounts the score. */
void test_list_exclude_others(struct exercise_result *r, const char *list);

/* ---- test_passes.c: tests side by side, and the ones that run alone -------- */

/* One run of an exercise's test binary: Criterion's --filter (NULL: every
 * test) and how many tests run at once (-j). */
struct test_pass {
    char *filter;
    int jobs;
};
/* Plans the runs of e's tests (1 or 2, -1 when out of memory): the tests
 * that may run side by side, then those marked "alone", one at a time.
 * restarts_shared_broker: a test restarts the broker other tests use. */
int test_passes_plan(const struct wb_exercise *e, const struct grade_options *o,
                     bool restarts_shared_broker, struct test_pass passes[2]);
void test_passes_free(struct test_pass passes[2]);
/* True when o's run of e's tests has two passes (side by side, then alone),
 * which o->passes_part may then run one at a time. */
bool test_passes_split(const struct wb_exercise *e, const struct grade_options *o);
/* Writes to out the report of the two runs: the alone tests' entries from
 * second, the others from first. -1 (and no out) unless both are usable. */
int test_reports_merge(const struct wb_exercise *e, const char *first, const char *second,
                       const char *out);
/* Adds the outcome of a second run to into (times add up, failures stay). */
void test_outcomes_merge(struct proc_outcome *into, const struct proc_outcome *more);

/* ---- memory_safety.c: the sanitizer-scored "memory_safety" test -------------- */

/* True when the manifest gives e a memory_safety test. */
bool memory_safety_listed(const struct wb_exercise *e);
/* True for tests the grader scores itself (not found in the test binary). */
bool memory_safety_is_grader_test(const char *name);
/* A copy of env whose sanitizer options write reports to LOG_PREFIX.PID
 * files and suppress the libraries' own leaks. */
char **memory_safety_env(char **env, const char *log_prefix, const char *course_root);
/* Where a sanitized run writes its reports, beside its report.json: the one
 * folder of the exercise the sandbox lets that run write (run.c). */
#define SANITIZER_LOGS "sanitizer-logs"
/* The first report in LOG_PREFIX.* (malloc'd), NULL when there is none. */
char *memory_safety_first_finding(const char *log_prefix);
/* finding (taken over), with the tests that failed in the sanitized run
 * (its report) named first when it is a leak: a test stopped by a failed
 * check leaves its own memory behind. */
char *memory_safety_blame(char *finding, const char *report_path);
/* A sentence when RUN_LOG shows the sanitizers could not check the run
 * (could not write a report, could not stop the world), else NULL. */
char *memory_safety_runtime_failure(const char *run_log);
/* Scores r's memory_safety test: passed without a finding, failed with it,
 * or failed with not_run as the reason. */
void memory_safety_judge(struct exercise_result *r, const char *finding, const char *not_run);
/* Leaves memory_safety out of this run's score, saying why (--valgrind). */
void memory_safety_not_counted(struct exercise_result *r, const char *why);
/* Scores memory_safety from a run that was itself sanitized (--sanitize). */
void memory_safety_from_run(struct exercise_result *r, const char *log_prefix);
/* True when this run scores memory_safety with a second, sanitized run. */
bool memory_safety_wanted(const struct wb_exercise *e, const struct grade_options *o);
/* Starts the sanitized build of e in the background (a child process), so
 * it overlaps the plain run; when e's tests may run beside each other, the
 * child then runs the sanitized tests too, and when the run splits
 * (memory_safety_splits) their side-by-side part (env, o, timeout_ms as for
 * memory_safety_run). Call it holding the broker lock the child runs under.
 * Returns its pid, -1 when it could not start. */
pid_t memory_safety_prebuild(const struct build_ctx *plain, const struct wb_exercise *e,
                             const char *ex_dir, char **env, const struct grade_options *o,
                             int timeout_ms);
/* True when the sanitized run of e goes in two parts around the plain run's
 * alone tests (see memory_safety.c's top). */
bool memory_safety_splits(const struct wb_exercise *e, const struct grade_options *o);
/* The background child of memory_safety_prebuild. */
struct memory_safety_child {
    pid_t pid;          /* -1: none */
    int run_ms;         /* the limit of its run */
    const char *ex_dir; /* the exercise's folder, as given to memory_safety_prebuild */
    bool reaped;        /* memory_safety_wait_side_by_side waited for it */
};
/* grade_options.between_passes of the plain run when the sanitized one
 * splits (arg: its struct memory_safety_child): waits for the child if it
 * runs the sanitized side-by-side tests; if it has not started them yet, it
 * never will, and the whole sanitized run comes after the plain one. */
void memory_safety_wait_side_by_side(void *arg);
/* Sanitized first (grade_options.sanitized_first, whole-submission grading):
 * builds e with the sanitizers and runs every test of it, ending at the
 * first failure. When every test but memory_safety passes, that one run
 * scores r, memory_safety from its reports, and returns true: the plain
 * build and run never happen, about 40% of a grading's CPU. Otherwise
 * returns false and leaves r alone: the plain run then grades as usual, so
 * a test that fails under the sanitizers (slower, other fill patterns)
 * is judged plain. A test that passes under them counts as passed. */
bool memory_safety_first(const struct build_ctx *plain, const struct wb_exercise *e,
                         const char *ex_dir, char **env, const struct grade_options *o,
                         int timeout_ms, struct exercise_result *r);
/* Whether memory_safety_first runs e at all (not with --tests, --sanitize,
 * --valgrind, --plain-first, or without a memory_safety test; in a check,
 * only when e passed its last one: grade_options.sanitized_first_for). */
bool memory_safety_first_applies(const struct wb_exercise *e, const struct grade_options *o);
/* The second, sanitized run of e that scores memory_safety, once every other
 * test of r passes; waits for the child first (or builds now when there is
 * none: child NULL or its pid -1). */
void memory_safety_run(const struct build_ctx *plain, const struct wb_exercise *e,
                       const char *ex_dir, char **env, const struct grade_options *o,
                       int timeout_ms, const struct memory_safety_child *child,
                       struct exercise_result *r);

/* ---- brokers.c ------------------------------------------------------------ */

/* Makes sure the broker the chapter needs is reachable and returns the
 * environment lines for its tests ("AMQP_ADDR=..."), NULL-terminated. On
 * failure returns NULL and says why in err. */
char **brokers_env_for(const struct wb_manifest *m, const struct wb_chapter *ch, char *err,
                       size_t errlen);
/* brokers_env_for for the run that grades: on RabbitMQ that we run, its
 * AMQP_ADDR names a virtual host of the run's own (brokers_release deletes
 * it). Batch and mistakes pass brokers_env_for's on to their graders. */
char **brokers_run_env(const struct wb_manifest *m, const struct wb_chapter *ch, char *err,
                       size_t errlen);
/* Runs scripts/broker-NAME.sh ACTION (up, down, status, heal) with its output in
 * log_path; returns its exit code, -1 when it could not run. */
int brokers_script(const char *course_root, const char *name, const char *action,
                   const char *log_path);
/* scripts/broker-NAME.sh ACTION ARG, as brokers_script. */
int brokers_script_arg(const char *course_root, const char *name, const char *action,
                       const char *arg, const char *log_path);
/* True when the broker NAME started by its script answers on the address in
 * build/brokers/NAME/env (a quick check; false means "ask the script"). */
bool brokers_answer_quickly(const struct wb_manifest *m, const char *name);
/* True when broker name needs nothing started or checked at length: Kafka's
 * mock, or a broker a run started that answers a TCP connection (not the
 * user's own, whose address is checked more carefully). */
bool brokers_ready_now(const struct wb_manifest *m, const char *name);
/* Counts this process as a user of the local broker NAME (brokers_env_for
 * does too), so that no other run stops it meanwhile. For a process whose
 * forked worker starts the broker. */
void brokers_use(const struct wb_manifest *m, const char *name);
/* Ends this process's use of the brokers. One that a run started (not the
 * user) is stopped when no other run uses it any more. */
void brokers_release(const struct wb_manifest *m);
bool brokers_kafka_is_real(void);
/* Whether a test of e restarts a broker that other exercises share: the
 * chapter's, when e uses it (manifest_exercise_broker) and it is not Kafka's
 * mock cluster, which each test hosts for itself. */
bool brokers_restart_is_shared(const struct wb_exercise *e);

#endif

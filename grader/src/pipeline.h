/*
 * pipeline.h - the stages of grading, one file each (stage.c, build.c,
 * run.c, score.c, brokers.c), glued together by grade.c.
 */
#ifndef WB_PIPELINE_H
#define WB_PIPELINE_H

#include "grade.h"
#include "proc.h"
#include "util.h"

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
    const char *gen_dir;  /* protoc-c output */
    char **pkg_flags;     /* pkg-config --cflags --libs of the chapter, split */
    bool sanitize, werror;
};

int build_ctx_init(struct build_ctx *b, const struct wb_manifest *m, const struct wb_chapter *ch,
                   const char *work_dir, const char *gen_dir, bool sanitize, bool werror,
                   const char *log_path, char *err, size_t errlen);
void build_ctx_free(struct build_ctx *b);

/* Compiles the exercise's test binary; on failure returns -1 and *message
 * holds the compiler's first lines (malloc'd). */
int build_exercise(const struct build_ctx *b, const struct wb_exercise *e, const char *bin,
                   const char *log_path, char **message);

/* Compiles one runnable example program of the chapter. */
int build_program(const struct build_ctx *b, const struct wb_chapter *ch,
                  const struct wb_program *p, const char *bin, const char *log_path,
                  char **message);

/* The compiler command (argv, NULL-terminated, malloc'd strings) for sources
 * -> out; used by the builds above and by compile_commands.json. */
char **build_command(const struct build_ctx *b, const struct wb_chapter *ch, const char **sources,
                     size_t nsources, const char *out, bool link_tests);
void free_argv(char **argv);

/* ---- screen.c: what student objects may not contain ---------------------- */

/* Compiles each student file of e alone into dir and screens the objects.
 * NULL when clean, else a message naming the files and what was found. */
char *screen_exercise(const struct build_ctx *b, const struct wb_exercise *e, const char *dir,
                      const char *log_path);
/* Screens one ELF object: NULL when clean, else "\n  - ..." lines. */
char *screen_object(const char *path);

/* ---- submission.c: folders, checkouts and archives ----------------------- */

/* Makes a submission gradable: a folder (or git checkout) is used in place;
 * a .zip, .tar.gz or .tgz is unpacked safely into unpack_dir. Returns the
 * folder to grade (malloc'd) or NULL with a message in err. */
char *submission_open(const char *submission, const char *unpack_dir, char *err, size_t errlen);
/* True when path names an archive submission_open unpacks. */
bool submission_is_archive(const char *path);

/* ---- run.c: the test binary under limits --------------------------------- */

/* Runs bin, which writes its report to report_path; with o->valgrind under
 * valgrind, whose logs go next to log_path. */
int run_tests(const char *bin, const char *report_path, const char *log_path, char **env,
              int timeout_ms, const struct grade_options *o, const char *course_root,
              struct proc_outcome *outcome);
/* The environment tests get: a clean base plus chapter and broker settings. */
char **run_environment(const char *scratch_dir, const char *chapter_dir, const char *bin_dir,
                       char **broker_env, bool sanitize);

/* ---- score.c: the runner's report -> points ------------------------------ */

/* Reads the report the test binary wrote and scores each manifest test.
 * kafka_real tells which "needs" tests count in this run. */
void score_exercise(struct exercise_result *r, const char *report_path, const char *log_path,
                    const struct proc_outcome *run, int timeout_ms, double test_timeout,
                    bool kafka_real);
/* Marks every test of r as not run, with one reason. */
void score_not_run(struct exercise_result *r, enum exercise_state state, const char *why,
                   bool kafka_real);

/* ---- brokers.c ------------------------------------------------------------ */

/* Makes sure the broker the chapter needs is reachable and returns the
 * environment lines for its tests ("AMQP_ADDR=..."), NULL-terminated. On
 * failure returns NULL and says why in err. */
char **brokers_env_for(const struct wb_manifest *m, const struct wb_chapter *ch, char *err,
                       size_t errlen);
/* Runs scripts/broker-NAME.sh ACTION (up, down, status) with its output in
 * log_path; returns its exit code, -1 when it could not run. */
int brokers_script(const struct wb_manifest *m, const char *name, const char *action,
                   const char *log_path);
/* True when the broker NAME started by its script answers on the address in
 * build/brokers/NAME/env (a quick check; false means "ask the script"). */
bool brokers_answer_quickly(const struct wb_manifest *m, const char *name);
/* Stops brokers this process started. */
void brokers_stop_started(const struct wb_manifest *m);
/* Whether this process started broker NAME; brokers_adopt records that a
 * worker it forked did, so that brokers_stop_started stops it too. */
bool brokers_started_here(const char *name);
void brokers_adopt(const char *name);
bool brokers_kafka_is_real(void);

#endif

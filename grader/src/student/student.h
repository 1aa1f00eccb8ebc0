/*
 * student.h - the student's loop (`wirebook list|progress|check|watch|hint|
 * reset|solution`): the progress file, exercise names with suggestions,
 * hints, backups, and the watch loop. One file per job:
 *
 *   progress.c      build/student/state.json: state, score and hints per exercise
 *   suggest.c       exercise names: resolve, or suggest the closest ones
 *   student_work.c  hints (sections, showing one), backups, skeleton restore, one
 *                   recorded check
 *   watch.c         re-check on save (inotify or polling), Enter, q
 *   cmd_student.c   the subcommands themselves (cli/; it calls down into these)
 */
#ifndef WB_STUDENT_H
#define WB_STUDENT_H

#include "grade.h"
#include "manifest.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

/* ---- progress.c ----------------------------------------------------------- */

enum ex_status { EXS_NOT_STARTED, EXS_FAILING, EXS_PASSING };

struct progress {
    char *path;   /* the state file */
    json_t *json; /* {"version":1, "exercises": {"CH/EX": {...}}} */
};

/* ROOT/build/student/state.json (malloc'd). */
char *progress_default_path(const char *root);
/* Loads the state file; a missing file is an empty state. -1 and a message in
 * err when the file exists but cannot be read or parsed. */
int progress_load(struct progress *p, const char *path, char *err, size_t errlen);
/* Writes the state file atomically (creating its folder). */
int progress_save(const struct progress *p, char *err, size_t errlen);
void progress_free(struct progress *p);

enum ex_status progress_status(const struct progress *p, const struct wb_exercise *e);
const char *progress_status_name(enum ex_status s);
/* Score of the last check (0 when never checked). */
double progress_score(const struct progress *p, const struct wb_exercise *e);
/* Points of the last check, or the manifest's when never checked. */
double progress_max(const struct progress *p, const struct wb_exercise *e);
/* When e was last checked (0 = never). */
time_t progress_checked(const struct progress *p, const struct wb_exercise *e);
/* True when one of e's files in ROOT/chapters/ was saved after its last check:
 * the recorded result may no longer hold. */
bool progress_changed_since_check(const struct progress *p, const struct wb_exercise *e,
                                  const char *root);
/* Forgets the check results of e (after a reset); hints used are kept. */
void progress_forget(struct progress *p, const struct wb_exercise *e);
int progress_hints_used(const struct progress *p, const struct wb_exercise *e);
int progress_set_hints_used(struct progress *p, const struct wb_exercise *e, int n);
/* Records the outcome of one check of e. */
int progress_record(struct progress *p, const struct wb_exercise *e, double score, double max,
                    time_t when);

/* The first exercise in manifest order that does not pass, or NULL when all do. */
const struct wb_exercise *progress_current(const struct wb_manifest *m, const struct progress *p);
/* The first exercise after e (wrapping around) that does not pass, or NULL. */
const struct wb_exercise *progress_next(const struct wb_manifest *m, const struct progress *p,
                                        const struct wb_exercise *e);

/* ---- suggest.c -------------------------------------------------------------- */

/* Levenshtein distance (insert, delete, substitute: 1 each). */
size_t edit_distance(const char *a, const char *b);
/* Fills out with up to max exercises whose "CH/EX" or "EX" is closest to name
 * (best first, only plausible ones). Returns how many. */
size_t suggest_exercises(const struct wb_manifest *m, const char *name,
                         const struct wb_exercise **out, size_t max);
/* "CH/EX" or a unique "EX"; otherwise NULL after telling `out` what was meant
 * ("did you mean ..."). */
const struct wb_exercise *resolve_exercise(const struct wb_manifest *m, const char *name,
                                           FILE *out);

/* ---- student_work.c --------------------------------------------------------- */

/* Splits hint text into sections separated by a line "---". Returns the
 * number of sections (malloc'd strings in *sections, trimmed of blank lines
 * at both ends, empty ones dropped), or -1 when out of memory. */
int hint_sections(const char *text, char ***sections);
void free_strings(char **strings, int n);

/* BACKUP_ROOT/CH/FILE.YYYYMMDD-HHMMSS, with -2, -3 ... appended when that
 * name is taken (malloc'd). */
char *backup_path(const char *backup_root, const char *chapter, const char *file, time_t when);

/* Restores the skeleton of chapters/CH/FILE from solutions/CH/FILE, after
 * copying the student's file to a backup. *backup (malloc'd) gets the backup's
 * path, or NULL when there was no file or it already was the skeleton. */
int reset_file(const struct wb_manifest *m, const struct wb_chapter *ch, const char *file,
               char **backup, char *err, size_t errlen);

/* Checks one exercise (or a chapter's, or all when ex and ch are NULL),
 * prints the report and records the results. Returns 1 when all that ran
 * passed, 0 when not, -1 when grading could not run. */
struct check_request {
    const struct wb_exercise *ex;
    const struct wb_chapter *ch;
    bool sanitize, color, quiet;
};
int check_and_record(const struct wb_manifest *m, struct progress *p,
                     const struct check_request *req);
/* Whether a check runs e sanitized first (arg: the struct progress): when e
 * passed its last check. See grade_options.sanitized_first_for. */
bool check_sanitized_first(const struct wb_exercise *e, void *arg);

/* Starts the chapter's broker through its script when the chapter needs one
 * (not for Kafka's embedded mock) and says how to stop it. 0 when there is
 * nothing to do or it runs. */
int brokers_ensure(const struct wb_manifest *m, const struct wb_chapter *ch);

/* ---- cmd_student.c: pieces the watch loop shares ------------------------------ */

/* Shows the next hint of e (all used so far when all is set) and counts it. */
int show_hint(const struct wb_manifest *m, struct progress *p, const struct wb_exercise *e,
              bool all);
/* After a check of e: what passed means (the next exercise) or where help is. */
void say_after_check(const struct wb_manifest *m, const struct progress *p,
                     const struct wb_exercise *e, bool passed);

/* ---- watch.c ------------------------------------------------------------------ */

struct watch_options {
    bool poll; /* mtime+size polling instead of inotify */
    bool sanitize;
    bool color;
};
/* Watches from exercise e (or the current one) until q, end of input, SIGINT
 * or every exercise passing. Returns the process exit code. */
int watch_loop(const struct wb_manifest *m, struct progress *p, const struct wb_exercise *e,
               const struct watch_options *o);

#endif

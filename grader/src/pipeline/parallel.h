/*
 * parallel.h - grading several exercises of one submission at once
 * (`wirebook grade -j N`): forked worker processes (jobs.c), the file a
 * worker hands its result back in (outcome.c), and the lock that keeps an
 * exercise which restarts a shared broker away from the others that use it
 * (broker_lock.c).
 */
#ifndef WB_PARALLEL_H
#define WB_PARALLEL_H

#include "grade.h"

#include <stddef.h>

/* ---- jobs.c: functions run in forked workers ------------------------------- */

struct jobs;

/* A pool for at most capacity workers at once; NULL when out of memory. */
struct jobs *jobs_new(size_t capacity);
void jobs_free(struct jobs *j);
/* Forks a worker that runs fn(arg) and exits with its return value (0-255).
 * id is the caller's name for it, handed back by jobs_wait. 0, or -1 when
 * the pool is full or fork failed. */
int jobs_start(struct jobs *j, size_t id, int (*fn)(void *arg), void *arg);
/* Waits until one worker has ended; sets its id and exit code (-1 when it
 * was killed by a signal). Returns -1 when no worker is running. */
int jobs_wait(struct jobs *j, size_t *id, int *exit_code);
size_t jobs_running(const struct jobs *j);

/* ---- outcome.c: an exercise's result, across a process boundary ------------ */

/* Writes r (state, message, every test's state, score and output) to path. */
int outcome_save(const struct exercise_result *r, const char *path);
/* Reads what outcome_save wrote into r, whose ex is already set. */
int outcome_load(struct exercise_result *r, const char *path);
/* How long each of results[0..n) took in the run that wrote results_json
 * (report.c's results.json), into seconds[]; 0 where it is not known. */
void outcome_previous_seconds(const char *results_json, const struct exercise_result *results,
                              size_t n, double *seconds);

/* ---- broker_lock.c: one restarting exercise, or many users, per broker ----- */

/* Blocks until this process may run tests against the shared broker NAME:
 * alongside other users (exclusive false) or alone (true, for an exercise
 * that restarts it). Works across processes, so parallel `wirebook batch`
 * workers respect it too. Returns a handle for broker_lock_release, or -1
 * when the lock files cannot be opened (the caller then runs unlocked). */
int broker_lock_take(const char *course_root, const char *name, bool exclusive);
/* Takes flock `how` (LOCK_SH, LOCK_EX) on build/brokers/NAME.SUFFIX, with
 * no gate: brokers.c's users.lock and start.lock. A handle for
 * broker_lock_release, or -1 (and errno) when it cannot. */
int broker_lock_file(const char *course_root, const char *name, const char *suffix, int how);
void broker_lock_release(int handle);

#endif

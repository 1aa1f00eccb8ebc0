/*
 * test_passes.c - which tests of an exercise run side by side, and in how
 * many runs of its test binary.
 *
 * Tests run in Criterion workers, several at once (-jN): most of them wait
 * on a broker, a peer or a deadline, not on the CPU. A test marked
 * "alone": true in the manifest (it restarts the broker the others use)
 * runs after the others, one at a time, in a second run of the binary; the
 * two reports are merged into the one score.c reads. Where its restart stops
 * only a RabbitMQ virtual host made for that run, the second run starts
 * beside the first (run.c). Where each test hosts
 * its own broker (Kafka's mock cluster), it runs beside the others.
 * "parallel_tests": false on an exercise runs all its tests one at a time
 * in one run.
 */
#include "pipeline.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tests of one exercise that run at once, each in its own Criterion worker
 * process with its own time limit. Chapter 04's consumer groups wait 3 s
 * to form; eight such waits overlap on any machine. Under valgrind one at
 * a time: each test keeps a core busy, and Criterion 2.4.1 itself fails the
 * whole run ("The test has already ended, invalid state 'timeout'") when a
 * slowed worker ends as its time limit strikes, which -j2 made common. */
#define TEST_JOBS 8
#define VALGRIND_TEST_JOBS 1

static size_t tests_in_binary(const struct wb_exercise *e)
{
    size_t n = 0; /* memory_safety is the grader's, not the binary's */
    for (size_t i = 0; i < e->ntests; i++)
        n += !memory_safety_is_grader_test(e->tests[i].name);
    return n;
}

static bool has_alone_test(const struct wb_exercise *e, const char *selected)
{
    for (size_t i = 0; i < e->ntests; i++)
        if (e->tests[i].alone && (!selected || test_list_has(selected, e->tests[i].name)))
            return true;
    return false;
}

/* "EX/@(a|b)" for the alone tests, or "EX/!(a|b)" for the others. */
static char *alone_filter(const struct wb_exercise *e, bool alone)
{
    struct strbuf f = {0};
    sb_printf(&f, "%s/%s(", e->id, alone ? "@" : "!");
    const char *sep = "";
    for (size_t i = 0; i < e->ntests; i++)
        if (e->tests[i].alone) {
            sb_printf(&f, "%s%s", sep, e->tests[i].name);
            sep = "|";
        }
    sb_puts(&f, ")");
    return sb_take(&f);
}

int test_passes_plan(const struct wb_exercise *e, const struct grade_options *o,
                     bool restarts_shared_broker, struct test_pass passes[2])
{
    memset(passes, 0, 2 * sizeof *passes);
    int jobs = o->test_jobs > 0 ? o->test_jobs : o->valgrind ? VALGRIND_TEST_JOBS : TEST_JOBS;
    size_t n = tests_in_binary(e);
    if (n < (size_t)jobs)
        jobs = n > 0 ? (int)n : 1;
    /* A test that restarts the shared broker, not marked alone: all alone. */
    if (!e->parallel_tests || (restarts_shared_broker && !has_alone_test(e, NULL)))
        jobs = 1;
    if (o->test_filter) { /* --tests: one run; one at a time if one of them must be */
        passes[0].filter = strdup(o->test_filter);
        passes[0].jobs = has_alone_test(e, o->tests) ? 1 : jobs;
        return passes[0].filter ? 1 : -1;
    }
    /* Alone only when the broker it restarts is the others' too: on Kafka's
     * mock cluster each test restarts its own (kafka_path, reliability). */
    if (jobs == 1 || !has_alone_test(e, NULL) || !restarts_shared_broker) {
        passes[0].jobs = jobs;
        return 1;
    }
    passes[0] = (struct test_pass){.filter = alone_filter(e, false), .jobs = jobs};
    passes[1] = (struct test_pass){.filter = alone_filter(e, true), .jobs = 1};
    if (!passes[0].filter || !passes[1].filter) {
        test_passes_free(passes);
        return -1;
    }
    if (o->passes_part == PASSES_SIDE_BY_SIDE) {
        free(passes[1].filter);
        passes[1].filter = NULL;
        return 1;
    }
    if (o->passes_part == PASSES_ALONE) {
        free(passes[0].filter);
        passes[0] = passes[1];
        passes[1].filter = NULL;
        return 1;
    }
    return 2;
}

bool test_passes_split(const struct wb_exercise *e, const struct grade_options *o)
{
    struct grade_options all = *o;
    all.passes_part = PASSES_ALL;
    struct test_pass passes[2];
    int n = test_passes_plan(e, &all, true, passes);
    test_passes_free(passes);
    return n == 2;
}

void test_passes_free(struct test_pass passes[2])
{
    for (int i = 0; i < 2; i++) {
        free(passes[i].filter);
        passes[i].filter = NULL;
    }
}

static bool is_alone(const struct wb_exercise *e, const char *name)
{
    for (size_t i = 0; name && i < e->ntests; i++)
        if (e->tests[i].alone && strcmp(e->tests[i].name, name) == 0)
            return true;
    return false;
}

int test_reports_merge(const struct wb_exercise *e, const char *first, const char *second,
                       const char *out)
{
    json_error_t jerr;
    json_t *a = json_load_file(first, 0, &jerr);
    json_t *b = json_load_file(second, 0, &jerr);
    json_t *ta = a ? json_object_get(a, "tests") : NULL;
    json_t *tb = b ? json_object_get(b, "tests") : NULL;
    int rc = -1;
    /* A pass without a usable report leaves none: score.c then counts no
     * test of the exercise, as when a single run's runner dies. */
    if (json_is_array(ta) && json_is_array(tb)) {
        json_t *merged = json_array();
        size_t i;
        json_t *t;
        json_array_foreach(ta, i, t)
        {
            if (!is_alone(e, json_string_value(json_object_get(t, "name"))))
                json_array_append(merged, t);
        }
        json_array_foreach(tb, i, t)
        {
            if (is_alone(e, json_string_value(json_object_get(t, "name"))))
                json_array_append(merged, t);
        }
        json_object_set_new(a, "tests", merged);
        rc = json_dump_file(a, out, JSON_INDENT(1));
    }
    if (rc != 0)
        remove(out);
    json_decref(a);
    json_decref(b);
    return rc;
}

void test_outcomes_merge(struct proc_outcome *into, const struct proc_outcome *more)
{
    into->started = into->started && more->started;
    if (into->exit_code == 0)
        into->exit_code = more->exit_code;
    if (!into->signal)
        into->signal = more->signal;
    into->timed_out |= more->timed_out;
    into->process_limit |= more->process_limit;
    into->seconds += more->seconds;
    into->keeper_lost |= more->keeper_lost;
    into->layers &= more->layers; /* what held in both */
}

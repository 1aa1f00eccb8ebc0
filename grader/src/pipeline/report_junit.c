/*
 * report_junit.c - the grade as JUnit XML (results.xml beside results.json),
 * the format CI systems show as test results.
 *
 * One <testsuite> per exercise (and per quiz), one <testcase> per scored
 * test; a test that did not pass has a <failure> with the same explanation
 * the table shows; a test not counted in this run is <skipped>. Points go in
 * each suite's <properties>. Everything from a test's output is escaped, and
 * what XML 1.0 cannot hold (control characters, invalid UTF-8) becomes
 * U+FFFD, so nothing a student's code prints can break or forge the file.
 */
#include "grade.h"
#include "util.h"
#include "wb_utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends text with XML's five specials escaped; a byte that starts no
 * well-formed UTF-8 sequence, and a character XML 1.0 cannot hold (most
 * control characters, U+FFFE, U+FFFF), become U+FFFD. */
static void put_escaped(struct strbuf *sb, const char *text)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    size_t n = strlen((const char *)s);
    while (n > 0) {
        unsigned cp = 0;
        size_t len = wb_utf8_decode(s, n, &cp);
        switch (len == 0 ? 0xfffe : cp) {
        case '&': sb_puts(sb, "&amp;"); break;
        case '<': sb_puts(sb, "&lt;"); break;
        case '>': sb_puts(sb, "&gt;"); break;
        case '"': sb_puts(sb, "&quot;"); break;
        case '\'': sb_puts(sb, "&apos;"); break;
        default:
            if (len == 0 || !wb_xml_char_ok(cp) || cp == '\r')
                sb_puts(sb, "\xef\xbf\xbd"); /* U+FFFD */
            else
                sb_append(sb, (const char *)s, len);
        }
        len = len ? len : 1;
        s += len;
        n -= len;
    }
}

/* The first line of text, escaped, for a failure's message attribute. */
static void put_first_line(struct strbuf *sb, const char *text)
{
    const char *eol = text ? strchr(text, '\n') : NULL;
    char *line = eol ? strndup(text, (size_t)(eol - text)) : NULL;
    put_escaped(sb, line ? line : text);
    free(line);
}

/* seconds: how long the test ran; none (no time attribute) when 0, as for
 * a quiz question or a test that did not run. */
static void put_testcase(struct strbuf *sb, const char *classname, const char *name, bool passed,
                         bool skipped, const char *output, double seconds)
{
    sb_puts(sb, "    <testcase classname=\"");
    put_escaped(sb, classname);
    sb_puts(sb, "\" name=\"");
    put_escaped(sb, name);
    sb_puts(sb, "\"");
    if (seconds > 0)
        sb_printf(sb, " time=\"%.3f\"", seconds);
    if (passed) {
        sb_puts(sb, "/>\n");
        return;
    }
    sb_puts(sb, skipped ? ">\n      <skipped message=\"" : ">\n      <failure message=\"");
    put_first_line(sb, output);
    if (skipped) {
        sb_puts(sb, "\"/>\n    </testcase>\n");
        return;
    }
    sb_puts(sb, "\">");
    put_escaped(sb, output);
    sb_puts(sb, "</failure>\n    </testcase>\n");
}

static void put_suite_start(struct strbuf *sb, const char *name, size_t tests, size_t failures,
                            size_t skipped, double seconds, double score, double max)
{
    sb_puts(sb, "  <testsuite name=\"");
    put_escaped(sb, name);
    sb_printf(sb,
              "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n"
              "    <properties>\n"
              "      <property name=\"score\" value=\"%g\"/>\n"
              "      <property name=\"max_score\" value=\"%g\"/>\n"
              "    </properties>\n",
              tests, failures, skipped, seconds, score, max);
}

static void put_exercise(struct strbuf *sb, const struct exercise_result *r, size_t *tests,
                         size_t *failures)
{
    size_t failed = 0, skipped = 0;
    for (size_t k = 0; k < r->ntests; k++) {
        if (r->tests[k].state == TEST_EXCLUDED)
            skipped++;
        else if (r->tests[k].state != TEST_PASSED)
            failed++;
    }
    char *suite = str_printf("%s/%s", r->ex->chapter->id, r->ex->id);
    char *classname = str_printf("%s.%s", r->ex->chapter->id, r->ex->id);
    put_suite_start(sb, suite ? suite : r->ex->id, r->ntests, failed, skipped, r->seconds, r->score,
                    r->max);
    for (size_t k = 0; k < r->ntests; k++) {
        const struct test_result *t = &r->tests[k];
        put_testcase(sb, classname ? classname : r->ex->id, t->spec->name, t->state == TEST_PASSED,
                     t->state == TEST_EXCLUDED, t->output, t->seconds);
    }
    sb_puts(sb, "  </testsuite>\n");
    *tests += r->ntests;
    *failures += failed;
    free(suite);
    free(classname);
}

static void put_quiz(struct strbuf *sb, const struct quiz_result *q, size_t *tests,
                     size_t *failures)
{
    size_t failed = 0;
    for (size_t k = 0; k < q->nquestions; k++)
        if (q->questions[k].earned < q->questions[k].points)
            failed++;
    if (q->message)
        failed++;
    size_t n = q->nquestions + (q->message ? 1 : 0);
    char *suite = str_printf("quiz/%s", q->quiz->id);
    put_suite_start(sb, suite ? suite : q->quiz->id, n, failed, 0, 0, q->score, q->max);
    if (q->message)
        put_testcase(sb, suite ? suite : "quiz", "answers file", false, false, q->message, 0);
    for (size_t k = 0; k < q->nquestions; k++) {
        const struct quiz_question_result *qq = &q->questions[k];
        put_testcase(sb, suite ? suite : "quiz", qq->id, qq->earned >= qq->points, false,
                     qq->output, 0);
    }
    sb_puts(sb, "  </testsuite>\n");
    *tests += n;
    *failures += failed;
    free(suite);
}

int report_junit_xml(const struct grade_run *run, const char *path)
{
    struct strbuf body = {0};
    size_t tests = 0, failures = 0;
    for (size_t i = 0; i < run->nexercises; i++)
        put_exercise(&body, &run->exercises[i], &tests, &failures);
    for (size_t i = 0; i < run->nquizzes; i++)
        put_quiz(&body, &run->quizzes[i], &tests, &failures);

    struct strbuf doc = {0};
    sb_puts(&doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"wirebook ");
    put_escaped(&doc, run->opts->submission);
    sb_printf(&doc, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n", tests,
              failures, run->seconds);
    if (body.data)
        sb_puts(&doc, body.data);
    int rc = sb_puts(&doc, "</testsuites>\n");
    /* sb_* leave data NULL when they ran out of memory at the start */
    if (rc == 0 && doc.data)
        rc = file_write_atomic(path, doc.data, doc.len);
    else
        rc = -1;
    sb_free(&body);
    sb_free(&doc);
    return rc;
}

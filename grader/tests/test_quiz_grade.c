/*
 * test_quiz_grade.c - the answers file, scoring (the document quiz played as
 * a student would), the exports and `wirebook quiz --answers`.
 */
#include "wb_testkit.h"

#include "course_path.h"
#include "quiz.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes text to a fresh file under /tmp and returns its path (static). */
static const char *temp_file(const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/%s.txt", wb_unique_name("quiz-answers"));
    char err[512];
    cr_assert_eq(file_write_atomic_or_say(path, text, strlen(text), err, sizeof err), 0,
                 "could not write test file: %s", err);
    return path;
}

static const char *const doc_key[10] = {"a", "a", "a", "a", "a", "a", "a", "a", "a", "f"};

/* Answers file for the document quiz with the given 10 answers. */
static char *document_answers(const char *const answers[10])
{
    static char text[1024];
    size_t n = (size_t)snprintf(text, sizeof text, "# played by a test\n");
    for (int i = 0; i < 10; i++)
        n +=
            (size_t)snprintf(text + n, sizeof text - n, "document.q%02d = %s\n", i + 1, answers[i]);
    return text;
}

WB_SUITE(quiz_grade);

/* ---- the bar of issue 6 --------------------------------------------------- */

Test(quiz_grade, document_quiz_right_answers_score_10_of_10)
{
    const char *path = temp_file(document_answers(doc_key));
    struct quiz_grade g;
    char err[1024];
    int rc = quiz_grade(course_path("quiz/document.md"), path, &g, err, sizeof err);
    cr_assert_eq(rc, 0, "grading the document quiz failed: %s", err);
    cr_assert_eq(g.points, 10, "the document quiz is worth 10 points, got %d", g.points);
    cr_assert_eq(g.earned, 10, "the document's own answers should score 10/10, got %d/10",
                 g.earned);
    cr_assert_eq(g.n_unknown, 0, "no unknown ids expected, got %zu", g.n_unknown);
    cr_assert_eq(g.n_results, 13, "13 results (10 scored + 3 open), got %zu", g.n_results);
    cr_assert_eq(g.results[12].status, QUIZ_NOT_SCORED, "knowledge check k3 is not scored");
    quiz_grade_free(&g);
    unlink(path);
}

Test(quiz_grade, document_quiz_any_one_changed_answer_scores_9)
{
    for (int changed = 0; changed < 10; changed++) {
        const char *answers[10];
        for (int i = 0; i < 10; i++)
            answers[i] = doc_key[i];
        answers[changed] = changed == 9 ? "t" : "c"; /* another valid choice */
        const char *path = temp_file(document_answers(answers));
        struct quiz_grade g;
        char err[1024];
        int rc = quiz_grade(course_path("quiz/document.md"), path, &g, err, sizeof err);
        cr_assert_eq(rc, 0, "grading failed: %s", err);
        cr_assert_eq(g.earned, 9, "changing only q%02d to '%s' should score 9/10, got %d/10",
                     changed + 1, answers[changed], g.earned);
        cr_assert_eq(g.results[changed].status, QUIZ_WRONG, "q%02d should be wrong, got %s",
                     changed + 1, quiz_status_name(g.results[changed].status));
        quiz_grade_free(&g);
        unlink(path);
    }
}

Test(quiz_grade, reference_submission_scores_everything)
{
    static const char *quizzes[] = {"document", "01_rest",  "02_grpc",
                                    "03_amqp",  "04_kafka", "05_nats"};
    char answers[4096];
    snprintf(answers, sizeof answers, "%s", course_path("solutions/quiz-answers.txt"));
    for (size_t i = 0; i < sizeof quizzes / sizeof quizzes[0]; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "quiz/%s.md", quizzes[i]);
        struct quiz_grade g;
        char err[1024];
        int rc = quiz_grade(course_path(rel), answers, &g, err, sizeof err);
        cr_assert_eq(rc, 0, "grading %s with solutions/quiz-answers.txt failed: %s", rel, err);
        cr_assert_eq(g.earned, g.points,
                     "solutions/quiz-answers.txt should score full marks on %s, got %d/%d", rel,
                     g.earned, g.points);
        quiz_grade_free(&g);
    }
}

Test(quiz_grade, student_template_scores_zero_without_errors)
{
    struct quiz_grade g;
    char err[1024];
    char answers[4096];
    snprintf(answers, sizeof answers, "%s", course_path("chapters/quiz-answers.txt"));
    int rc = quiz_grade(course_path("quiz/document.md"), answers, &g, err, sizeof err);
    cr_assert_eq(rc, 0, "the empty template chapters/quiz-answers.txt must load: %s", err);
    cr_assert_eq(g.earned, 0, "the empty template earns nothing, got %d", g.earned);
    cr_assert_eq(g.results[0].status, QUIZ_UNANSWERED, "q01 is unanswered in the template");
    quiz_grade_free(&g);
}

/* ---- statuses and messages ---------------------------------------------- */

static const char small_quiz[] =
    "### One\n<!-- id: q1 -->\n1. [x] a\n1. [ ] b\n1. [ ] c\n1. [ ] d\n\n"
    "### Many\n<!-- id: q2 -->\n- [x] a\n- [ ] b\n- [x] c\n\n"
    "### TF\n<!-- id: q3 -->\n- [ ] True\n- [x] False\n\n"
    "### Open\n<!-- id: k1; kind: open -->\n> model\n";

static void grade_text(const char *answers_text, struct quiz_grade *g)
{
    struct quiz q;
    struct quiz_answers a;
    char err[1024];
    cr_assert_eq(quiz_parse_string("small.md", small_quiz, &q, err, sizeof err), 0, "test quiz: %s",
                 err);
    cr_assert_eq(quiz_answers_parse("answers.txt", answers_text, &a, err, sizeof err), 0,
                 "answers should parse: %s\n%s", err, answers_text);
    cr_assert_eq(quiz_grade_parsed(&q, &a, g, err, sizeof err), 0, "grading failed: %s", err);
    quiz_answers_free(&a);
    quiz_free(&q);
}

Test(quiz_grade, statuses)
{
    struct quiz_grade g;
    grade_text("small.q1 = A\nsmall.q2 = c, a   # order and commas do not matter\n"
               "small.q3 = true\nsmall.k1 = y\nother.q1 = z\n",
               &g);
    cr_assert_eq(g.results[0].status, QUIZ_RIGHT,
                 "'A' is right for q1 (case does not matter), got %s",
                 quiz_status_name(g.results[0].status));
    cr_assert_eq(g.results[1].status, QUIZ_RIGHT, "'c, a' is right for q2, got %s",
                 quiz_status_name(g.results[1].status));
    cr_assert_eq(g.results[2].status, QUIZ_WRONG, "'true' is wrong for q3, got %s",
                 quiz_status_name(g.results[2].status));
    cr_assert_eq(g.results[3].status, QUIZ_NOT_SCORED, "open question is not scored");
    cr_assert_eq(g.points, 3, "3 scored questions, got %d", g.points);
    cr_assert_eq(g.earned, 2, "2 right, got %d", g.earned);
    cr_assert_eq(g.answered, 4, "4 answered (open one included), got %d", g.answered);
    cr_assert_eq(g.n_unknown, 0,
                 "'other.q1' belongs to another quiz and must be ignored, got %zu unknown",
                 g.n_unknown);
    quiz_grade_free(&g);
}

Test(quiz_grade, partial_multiple_choice_is_wrong)
{
    struct quiz_grade g;
    grade_text("small.q2 = a\n", &g);
    cr_assert_eq(g.results[1].status, QUIZ_WRONG, "only a of a+c is wrong (all or nothing), got %s",
                 quiz_status_name(g.results[1].status));
    cr_assert_eq(g.results[0].status, QUIZ_UNANSWERED, "q1 not in the file is unanswered");
    quiz_grade_free(&g);
}

Test(quiz_grade, answer_that_is_not_a_choice)
{
    struct quiz_grade g;
    grade_text("# comment\nsmall.q1 = e\nsmall.q2 = a a\nsmall.q3 = maybe\n", &g);
    cr_assert_eq(g.results[0].status, QUIZ_INVALID, "'e' is not a choice of q1, got %s",
                 quiz_status_name(g.results[0].status));
    cr_assert_str_eq(g.results[0].message,
                     "answers.txt:2: small.q1: 'e' is not one of the choices a-d",
                     "message names file, line, question and problem");
    cr_assert(strstr(g.results[1].message, "'a' is given twice"), "repeated letter, got \"%s\"",
              g.results[1].message);
    cr_assert(strstr(g.results[2].message, "answers.txt:4:") &&
                  strstr(g.results[2].message, "t or f"),
              "true/false answer 'maybe', got \"%s\"", g.results[2].message);
    cr_assert_eq(g.earned, 0, "invalid answers earn nothing, got %d", g.earned);
    quiz_grade_free(&g);
}

Test(quiz_grade, two_letters_for_single_choice)
{
    struct quiz_grade g;
    grade_text("small.q1 = ab\n", &g);
    cr_assert_eq(g.results[0].status, QUIZ_INVALID, "two letters for single choice, got %s",
                 quiz_status_name(g.results[0].status));
    cr_assert(strstr(g.results[0].message, "takes one letter"), "got \"%s\"", g.results[0].message);
    quiz_grade_free(&g);
}

Test(quiz_grade, unknown_question_id_is_reported)
{
    struct quiz_grade g;
    grade_text("small.q1 = a\nsmall.q9 = b\n", &g);
    cr_assert_eq(g.n_unknown, 1, "small.q9 does not exist and must be reported, got %zu",
                 g.n_unknown);
    cr_assert(strstr(g.unknown[0], "answers.txt:2:") &&
                  strstr(g.unknown[0], "small.q9 is not a question"),
              "report names file, line and id, got \"%s\"", g.unknown[0]);
    cr_assert_eq(g.earned, 1, "q1 still counts, got %d", g.earned);
    quiz_grade_free(&g);
}

Test(quiz_grade, empty_answer_is_unanswered)
{
    struct quiz_grade g;
    grade_text("small.q1 =\nsmall.q2 =    # later\n", &g);
    cr_assert_eq(g.results[0].status, QUIZ_UNANSWERED, "'small.q1 =' is unanswered, got %s",
                 quiz_status_name(g.results[0].status));
    cr_assert_eq(g.results[1].status, QUIZ_UNANSWERED, "only a comment is unanswered, got %s",
                 quiz_status_name(g.results[1].status));
    quiz_grade_free(&g);
}

/* ---- the answers file ------------------------------------------------------ */

Test(quiz_grade, malformed_answers_files)
{
    struct quiz_answers a;
    char err[1024] = "";
    char path[4096];
    snprintf(path, sizeof path, "%s", course_path("grader/tests/quiz-cases/answers_duplicate.txt"));
    cr_assert_eq(quiz_answers_load(path, &a, NULL, err, sizeof err), -1,
                 "an id answered twice must be an error");
    cr_assert(strstr(err, "answers_duplicate.txt:4:") &&
                  strstr(err, "answered twice (also at line 2)"),
              "error names file, line and the other line, got \"%s\"", err);

    snprintf(path, sizeof path, "%s", course_path("grader/tests/quiz-cases/answers_no_equals.txt"));
    cr_assert_eq(quiz_answers_load(path, &a, NULL, err, sizeof err), -1,
                 "a line without '=' must be an error");
    cr_assert(strstr(err, "answers_no_equals.txt:3:") && strstr(err, "QUIZ.ID = ANSWER"),
              "error names file, line and the expected form, got \"%s\"", err);

    cr_assert_eq(quiz_answers_parse("x.txt", "q01 = a\n", &a, err, sizeof err), -1,
                 "an id without quiz name");
    cr_assert(strstr(err, "x.txt:1:") && strstr(err, "QUIZ.ID"), "got \"%s\"", err);
}

Test(quiz_grade, missing_answers_file_means_all_unanswered)
{
    struct quiz_grade g;
    char err[1024];
    int rc = quiz_grade(course_path("quiz/document.md"), "/nonexistent/answers.txt", &g, err,
                        sizeof err);
    cr_assert_eq(rc, 0, "a missing answers file is not an error: %s", err);
    cr_assert(g.answers_missing, "answers_missing should be set");
    cr_assert_eq(g.earned, 0, "nothing earned, got %d", g.earned);
    quiz_grade_free(&g);
}

Test(quiz_grade, set_and_save_keep_comments_and_crlf_loads)
{
    const char *path = temp_file("# my notes\r\ndocument.q01 = b   # unsure\r\n\r\n# end\r\n");
    struct quiz_answers a;
    char err[1024];
    cr_assert_eq(quiz_answers_load(path, &a, NULL, err, sizeof err), 0,
                 "CRLF answers file should load: %s", err);
    cr_assert_str_eq(quiz_answers_get(&a, "document.q01")->value, "b",
                     "value without comment and \\r");
    cr_assert_eq(quiz_answers_set(&a, "document.q01", "a"), 0, "replace q01");
    cr_assert_eq(quiz_answers_set(&a, "document.q02", "c"), 0, "append q02");
    cr_assert_eq(quiz_answers_save(&a, path, err, sizeof err), 0, "save: %s", err);
    quiz_answers_free(&a);

    char *text = file_read_or_say(path, NULL, err, sizeof err);
    cr_assert_not_null(text, "read back: %s", err);
    cr_assert_str_eq(text, "# my notes\ndocument.q01 = a\n\n# end\ndocument.q02 = c\n",
                     "saving keeps the comments and replaces the answer line in place");
    free(text);
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    cr_assert_neq(access(tmp, F_OK), 0, "the temporary file %s must be gone after the rename", tmp);
    unlink(path);
}

/* ---- exports ----------------------------------------------------------- */

static char *export_to_string(int (*fn)(const struct quiz *, FILE *), const char *quiz_text)
{
    struct quiz q;
    char err[1024];
    cr_assert_eq(quiz_parse_string("exp.md", quiz_text, &q, err, sizeof err), 0, "test quiz: %s",
                 err);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f, "open_memstream failed");
    cr_assert_eq(fn(&q, f), 0, "export failed");
    fclose(f);
    quiz_free(&q);
    return buf;
}

Test(quiz_grade, gift_export)
{
    char *gift = export_to_string(
        quiz_export_gift,
        "### Ports: what is 1+1?\n<!-- id: q1 -->\n1. [ ] 1\n1. [x] 2\n    > yes {really}\n"
        "> Because = maths.\n\n"
        "### Many\n<!-- id: q2 -->\n- [x] a\n- [ ] %100% b\n- [x] c\n\n"
        "### TF\n<!-- id: q3 -->\n- [ ] True\n- [x] False\n\n"
        "### Open\n<!-- id: k1; kind: open -->\n> model answer\n");
    cr_assert(strstr(gift, "::exp.q1::[markdown]Ports\\: what is 1+1? {"),
              "GIFT title and escaped ':'\n%s", gift);
    cr_assert(strstr(gift, "\t~1\n\t=2#yes \\{really\\}\n"),
              "single choice with feedback, braces escaped\n%s", gift);
    cr_assert(strstr(gift, "####Because \\= maths."), "explanation as general feedback\n%s", gift);
    cr_assert(strstr(gift, "b) &\\#37;100&\\#37; b"),
              "%% written as &\\#37;: GIFT reads a leading %%100%% as a weight\n%s", gift);
    cr_assert(strstr(gift, " {\n\t=ac\n}"),
              "multiple choice all or nothing: short answer with the right letters\n%s", gift);
    cr_assert(strstr(gift, "::exp.q3::[markdown]TF {FALSE}"), "true/false\n%s", gift);
    cr_assert_null(strstr(gift, "\t\n"),
                   "no line of only a tab (GIFT may read it as a blank line)\n%s", gift);
    cr_assert(strstr(gift, "::exp.k1::[markdown]Open {####model answer}"),
              "open question as essay\n%s", gift);
    free(gift);
}

Test(quiz_grade, html_export_is_standalone)
{
    char *html = export_to_string(quiz_export_html,
                                  "### Evil </script><b>?\n<!-- id: q1 -->\n1. [ ] 1\n1. [x] 2\n");
    cr_assert(strstr(html, "<!DOCTYPE html>"), "an HTML page");
    cr_assert(strstr(html, "id=\"quiz-data\""), "quiz data embedded");
    cr_assert_null(strstr(html, "src=\""), "no external scripts or images");
    cr_assert_null(strstr(html, "http://"), "no links out");
    cr_assert_null(strstr(html, "https://"), "no links out");
    const char *data = strstr(html, "id=\"quiz-data\">");
    const char *end = strstr(data, "</script>");
    cr_assert(end && strstr(data, "Evil <\\/script>") && strstr(data, "Evil <\\/script>") < end,
              "a </script> in a question must not end the data block");
    free(html);
}

/* ---- the command ------------------------------------------------------- */

Test(quiz_grade, cmd_check_and_export)
{
    const char *answers = temp_file(document_answers(doc_key));
    char answers_path[256];
    snprintf(answers_path, sizeof answers_path, "%s", answers);
    char *argv1[] = {"quiz",      "document",   "--course", (char *)course_root(),
                     "--answers", answers_path, NULL};
    cr_assert_eq(cmd_quiz(6, argv1), 0, "wirebook quiz document --answers FILE should succeed");

    char out[256];
    snprintf(out, sizeof out, "/tmp/%s.html", wb_unique_name("quiz-export"));
    char *argv2[] = {"quiz",  "document", "--course", (char *)course_root(), "--export", "html",
                     "--out", out,        NULL};
    cr_assert_eq(cmd_quiz(8, argv2), 0, "export to html should succeed");
    char err[512];
    char *html = file_read_or_say(out, NULL, err, sizeof err);
    cr_assert_not_null(html, "exported file: %s", err);
    cr_assert(strstr(html, "reqwest"), "the exported page holds the document quiz");
    free(html);
    unlink(out);
    unlink(answers_path);

    char *argv3[] = {"quiz",      "no-such-quiz", "--course", (char *)course_root(),
                     "--answers", "/dev/null",    NULL};
    cr_assert_eq(cmd_quiz(6, argv3), 1, "an unknown quiz name is an error (exit 1)");
    char *argv4[] = {"quiz", "--bogus", NULL};
    cr_assert_eq(cmd_quiz(2, argv4), 2, "an unknown option is a usage error (exit 2)");
}

Test(quiz_grade, keyed_question_checks_without_the_key)
{
    char hex[65];
    cr_assert_eq(quiz_key_of("salt", "exp.q1", 0x5u, hex), 0, "quiz_key_of failed");
    char *text = str_printf("### Many\n<!-- id: q1; salt: salt; key: %s -->\n- [ ] a\n- [ ] b\n"
                            "- [ ] c\n",
                            hex);
    cr_assert_not_null(text, "str_printf");
    struct quiz q;
    char err[256];
    cr_assert_eq(quiz_parse_string("exp.md", text, &q, err, sizeof err), 0, "%s", err);
    free(text);
    cr_assert(quiz_answer_right(&q.questions[0], 0x5u), "a and c hash to the key");
    cr_assert(!quiz_answer_right(&q.questions[0], 0x1u), "a alone does not");
    cr_assert(!quiz_answer_right(&q.questions[0], 0x7u), "a, b and c do not");
    char expected[8];
    quiz_correct_answer(&q.questions[0], expected, sizeof expected);
    cr_assert_str_eq(expected, "", "a keyed question does not know its answer");
    quiz_free(&q);
}

Test(quiz_grade, display_order_is_a_stable_permutation_per_student)
{
    struct quiz q;
    char err[256];
    cr_assert_eq(quiz_parse_string("order.md",
                                   "### One\n<!-- id: q1 -->\n1. [x] a\n1. [ ] b\n1. [ ] c\n"
                                   "1. [ ] d\n1. [ ] e\n\n### TF\n<!-- id: q2 -->\n- [x] True\n"
                                   "- [ ] False\n",
                                   &q, err, sizeof err),
                 0, "%s", err);
    size_t first[QUIZ_MAX_CHOICES], again[QUIZ_MAX_CHOICES], other[QUIZ_MAX_CHOICES];
    quiz_display_order(&q.questions[0], "ann:/home/ann/answers.txt", first);
    quiz_display_order(&q.questions[0], "ann:/home/ann/answers.txt", again);
    unsigned seen = 0;
    for (size_t k = 0; k < 5; k++) {
        cr_assert_eq(first[k], again[k], "the same student sees the same order");
        seen |= 1u << first[k];
    }
    cr_assert_eq(seen, 0x1fu, "every choice is shown once");
    /* Some other student sees another order (5! orders: a few seeds suffice). */
    bool differs = false;
    for (int s = 0; s < 8 && !differs; s++) {
        char seed[32];
        snprintf(seed, sizeof seed, "student%d", s);
        quiz_display_order(&q.questions[0], seed, other);
        for (size_t k = 0; k < 5; k++)
            differs |= other[k] != first[k];
    }
    cr_assert(differs, "eight students all saw the same order");
    /* What a student types maps back to the file's letters. */
    size_t k_right = 0;
    while (first[k_right] != 0)
        k_right++;
    cr_assert_eq(quiz_mask_to_canonical(first, 5, 1u << k_right), 1u,
                 "the displayed letter of the right choice is canonical 'a'");
    quiz_display_order(&q.questions[1], "anyone", other);
    cr_assert(other[0] == 0 && other[1] == 1, "True stays before False");
    quiz_display_order(&q.questions[0], "canonical", other);
    for (size_t k = 0; k < 5; k++)
        cr_assert_eq(other[k], k, "WB_QUIZ_SEED=canonical keeps the file's order");
    quiz_free(&q);
}

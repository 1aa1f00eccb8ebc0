/*
 * test_quiz.c - the quizdown parser: every part of the format subset that
 * quiz/README.md describes, and malformed input (which must give
 * "FILE:LINE: problem", never a crash).
 */
#include "wb_testkit.h"

#include "course_path.h"
#include "quiz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parses text as if it were the file "t.md"; returns 0 or -1, err filled. */
static int parse(const char *text, struct quiz *q, char *err, size_t errlen)
{
    return quiz_parse_string("t.md", text, q, err, errlen);
}

/* Parses text that must fail, and checks the message names line and problem. */
static void expect_error(const char *text, const char *expected_prefix, const char *expected_part)
{
    struct quiz q;
    char err[512] = "";
    int rc = parse(text, &q, err, sizeof err);
    cr_assert_eq(rc, -1, "parsing should fail with \"%s...%s\" but it succeeded; input:\n%s",
                 expected_prefix, expected_part, text);
    cr_assert(strncmp(err, expected_prefix, strlen(expected_prefix)) == 0,
              "error should start with \"%s\", got \"%s\"", expected_prefix, err);
    cr_assert(strstr(err, expected_part) != NULL, "error should mention \"%s\", got \"%s\"",
              expected_part, err);
    cr_assert_null(q.questions, "a failed parse must leave no questions behind");
}

WB_SUITE(quiz_parse);

/* ---- the format subset -------------------------------------------------- */

Test(quiz_parse, numbered_list_is_single_choice)
{
    struct quiz q;
    char err[512];
    int rc = parse("### Capital of France?\n<!-- id: cap -->\n\n"
                   "1. [ ] Lyon\n1. [x] Paris\n1. [ ] Nice\n",
                   &q, err, sizeof err);
    cr_assert_eq(rc, 0, "a numbered list with one [x] should parse, got error: %s", err);
    cr_assert_eq(q.n_questions, 1, "expected 1 question, got %zu", q.n_questions);
    const struct quiz_question *qq = &q.questions[0];
    cr_assert_eq(qq->kind, QUIZ_SINGLE, "numbered checkboxes mean single choice, got %s",
                 quiz_kind_name(qq->kind));
    cr_assert_str_eq(qq->id, "cap", "id from the comment");
    cr_assert_str_eq(qq->full_id, "t.cap", "full id is FILENAME.ID");
    cr_assert_str_eq(qq->text, "Capital of France?", "heading text without the #s");
    cr_assert_eq(qq->n_choices, 3, "three choices expected, got %zu", qq->n_choices);
    cr_assert_str_eq(qq->choices[1].text, "Paris", "second choice text");
    cr_assert_eq(quiz_correct_mask(qq), 2u, "only b is correct, mask was %u",
                 quiz_correct_mask(qq));
    cr_assert_eq(qq->line, 1, "heading is on line 1, got %d", qq->line);
    cr_assert_eq(qq->choices[0].line, 4, "first choice is on line 4, got %d", qq->choices[0].line);
    quiz_free(&q);
}

Test(quiz_parse, bulleted_list_is_multiple_choice)
{
    struct quiz q;
    char err[512];
    int rc = parse("## Which are even?\n<!-- id: even -->\n"
                   "- [x] 2\n- [ ] 3\n* [X] 4\n",
                   &q, err, sizeof err);
    cr_assert_eq(rc, 0, "bulleted list should parse (\"-\" and \"*\", [x] and [X]): %s", err);
    cr_assert_eq(q.questions[0].kind, QUIZ_MULTIPLE, "bullets mean multiple choice, got %s",
                 quiz_kind_name(q.questions[0].kind));
    char ans[8];
    quiz_correct_answer(&q.questions[0], ans, sizeof ans);
    cr_assert_str_eq(ans, "ac", "correct letters of [x] 2, [ ] 3, [X] 4");
    quiz_free(&q);
}

Test(quiz_parse, true_false_is_detected)
{
    struct quiz q;
    char err[512];
    int rc =
        parse("### Is water wet?\n<!-- id: w -->\n- [x] True\n- [ ] False\n", &q, err, sizeof err);
    cr_assert_eq(rc, 0, "true/false should parse: %s", err);
    cr_assert_eq(q.questions[0].kind, QUIZ_TRUE_FALSE,
                 "choices True/False make a true/false question, got %s",
                 quiz_kind_name(q.questions[0].kind));
    char ans[8];
    quiz_correct_answer(&q.questions[0], ans, sizeof ans);
    cr_assert_str_eq(ans, "t", "true/false answers are written t or f");
    quiz_free(&q);
}

Test(quiz_parse, hint_comments_and_explanation)
{
    struct quiz q;
    char err[512];
    int rc = parse("### Which port does HTTPS use by default?\n"
                   "<!-- id: port -->\n"
                   "Think of the URL scheme.\n"
                   "\n"
                   "> It is the one for TLS.\n"
                   "\n"
                   "1. [ ] 80\n"
                   "    > 80 is plain HTTP.\n"
                   "1. [x] 443\n"
                   "    > Right, TLS.\n"
                   "1. [ ] 8080\n"
                   "\n"
                   "> **Explanation:** HTTPS is HTTP over TLS on port 443.\n"
                   "> A second line.\n",
                   &q, err, sizeof err);
    cr_assert_eq(rc, 0, "question with hint, comments and explanation should parse: %s", err);
    const struct quiz_question *qq = &q.questions[0];
    cr_assert_str_eq(qq->body, "Think of the URL scheme.",
                     "text between heading and hint is the body");
    cr_assert_str_eq(qq->hint, "It is the one for TLS.",
                     "a top-level > before the choices is the hint");
    cr_assert_str_eq(qq->choices[0].comment, "80 is plain HTTP.",
                     "indented > under a choice is its comment");
    cr_assert_str_eq(qq->choices[1].comment, "Right, TLS.", "comment of choice b");
    cr_assert_null(qq->choices[2].comment, "choice c has no comment, got \"%s\"",
                   qq->choices[2].comment);
    cr_assert_str_eq(qq->explanation, "HTTPS is HTTP over TLS on port 443.\nA second line.",
                     "explanation after the list, without the **Explanation:** label");
    quiz_free(&q);
}

Test(quiz_parse, front_matter_title_and_shortcodes)
{
    struct quiz q;
    char err[512];
    int rc = parse("---\ntitle: \"My quiz\"\nshuffle_answers: false\n---\n"
                   "Some intro text.\n\n{{< quizdown >}}\n\n"
                   "### Q\n<!-- id: q1 -->\n1. [x] a\n1. [ ] b\n\n{{< /quizdown >}}\n",
                   &q, err, sizeof err);
    cr_assert_eq(rc, 0, "front matter, intro and Hugo shortcodes should be accepted: %s", err);
    cr_assert_str_eq(q.title, "My quiz", "title comes from the front matter, quotes removed");
    cr_assert_str_eq(q.name, "t", "name comes from the file name");
    cr_assert_eq(q.n_questions, 1, "one question, got %zu", q.n_questions);
    cr_assert_null(q.questions[0].explanation,
                   "shortcode must not become the explanation, got \"%s\"",
                   q.questions[0].explanation);
    quiz_free(&q);
}

Test(quiz_parse, code_block_with_hash_lines_stays_in_body)
{
    struct quiz q;
    char err[512];
    int rc = parse("### What does this print?\n<!-- id: c -->\n"
                   "```c\n#include <stdio.h>\nint main(void) { puts(\"hi\"); }\n```\n"
                   "1. [x] hi\n1. [ ] nothing\n",
                   &q, err, sizeof err);
    cr_assert_eq(rc, 0, "a code block in the question should parse: %s", err);
    cr_assert_eq(q.n_questions, 1,
                 "'#include' inside ``` must not start a question; got %zu questions",
                 q.n_questions);
    cr_assert(q.questions[0].body && strstr(q.questions[0].body, "#include <stdio.h>"),
              "the code belongs to the body, got \"%s\"", q.questions[0].body);
    quiz_free(&q);
}

Test(quiz_parse, kind_override_and_open_question)
{
    struct quiz q;
    char err[512];
    int rc = parse("### Pick one\n<!-- id: a; kind: single -->\n- [ ] x\n- [x] y\n\n"
                   "### Explain why\n<!-- id: b; kind: open -->\n> **Model answer:** because.\n",
                   &q, err, sizeof err);
    cr_assert_eq(rc, 0, "kind: single and kind: open should parse: %s", err);
    cr_assert_eq(q.questions[0].kind, QUIZ_SINGLE, "kind: single overrides the bullets");
    cr_assert_eq(q.questions[1].kind, QUIZ_OPEN, "kind: open");
    cr_assert_str_eq(q.questions[1].explanation, "because.",
                     "the model answer of an open question");
    cr_assert_eq(quiz_points(&q), 1, "open questions earn no points; expected 1 point, got %d",
                 quiz_points(&q));
    quiz_free(&q);
}

Test(quiz_parse, long_choice_continues_on_indented_line)
{
    struct quiz q;
    char err[512];
    int rc = parse("### Q\n<!-- id: q -->\n1. [x] a long\n   answer text\n1. [ ] b\n", &q, err,
                   sizeof err);
    cr_assert_eq(rc, 0, "indented continuation should parse: %s", err);
    cr_assert_str_eq(q.questions[0].choices[0].text, "a long answer text",
                     "continuation joins the choice");
    quiz_free(&q);
}

Test(quiz_parse, crlf_file_parses_like_lf)
{
    struct quiz q;
    char err[512];
    int rc = quiz_parse_file(course_path("grader/tests/quiz-cases/crlf.md"), &q, err, sizeof err);
    cr_assert_eq(rc, 0, "a file with CRLF line endings should parse: %s", err);
    cr_assert_str_eq(q.title, "Windows file", "title without a trailing \\r");
    cr_assert_eq(q.n_questions, 2, "two questions expected, got %zu", q.n_questions);
    cr_assert_str_eq(q.questions[0].id, "q1", "id without \\r");
    cr_assert_str_eq(q.questions[0].choices[1].text, "yes", "choice text without \\r");
    cr_assert_str_eq(q.questions[0].choices[1].comment, "the comment", "comment without \\r");
    cr_assert_str_eq(q.questions[0].explanation, "the explanation", "explanation without \\r");
    cr_assert_eq(q.questions[1].kind, QUIZ_TRUE_FALSE, "True\\r/False\\r still make true/false");
    quiz_free(&q);
}

/* ---- malformed input ----------------------------------------------------- */

struct bad_file {
    const char *file;
    const char *prefix; /* "FILE:LINE:" part after the folder */
    const char *problem;
};

static const struct bad_file bad_files[] = {
    {"empty.md", "empty.md:", "file is empty"},
    {"unclosed_front_matter.md", "unclosed_front_matter.md:1:", "never closed"},
    {"no_choices.md", "no_choices.md:7:", "has no choices"},
    {"single_no_correct.md", "single_no_correct.md:1:", "exactly one answer"},
    {"duplicate_ids.md",
     "duplicate_ids.md:8:", "duplicate question id 'same' (first used at line 1)"},
    {"missing_id.md", "missing_id.md:1:", "has no id"},
    {"mixed_lists.md", "mixed_lists.md:5:", "mixes numbered and bulleted"},
};

Test(quiz_parse, malformed_files_name_file_line_and_problem)
{
    for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "grader/tests/quiz-cases/%s", bad_files[i].file);
        char path[4096];
        snprintf(path, sizeof path, "%s", course_path(rel));
        struct quiz q;
        char err[1024] = "";
        int rc = quiz_parse_file(path, &q, err, sizeof err);
        cr_assert_eq(rc, -1, "%s is malformed (%s) but parsed without error", path,
                     bad_files[i].problem);
        char expected[4096];
        snprintf(expected, sizeof expected, "%s", path);
        /* path ends in the file name: check "…/FILE:LINE:" */
        char *slash = strrchr(expected, '/');
        snprintf(slash ? slash + 1 : expected,
                 sizeof expected - (size_t)(slash ? slash + 1 - expected : 0), "%s",
                 bad_files[i].prefix);
        cr_assert(strncmp(err, expected, strlen(expected)) == 0,
                  "error for %s should start with \"%s\", got \"%s\"", bad_files[i].file, expected,
                  err);
        cr_assert(strstr(err, bad_files[i].problem), "error for %s should say \"%s\", got \"%s\"",
                  bad_files[i].file, bad_files[i].problem, err);
    }
}

Test(quiz_parse, missing_file_is_an_error_not_a_crash)
{
    struct quiz q;
    char err[512] = "";
    int rc = quiz_parse_file("/nonexistent/quiz.md", &q, err, sizeof err);
    cr_assert_eq(rc, -1, "a missing file must fail");
    cr_assert(strstr(err, "/nonexistent/quiz.md") && strstr(err, "cannot open"),
              "error should name the file and say it cannot be opened, got \"%s\"", err);
}

Test(quiz_parse, whitespace_only_is_empty)
{
    expect_error("\n\n   \r\n", "t.md:", "file is empty");
}

Test(quiz_parse, text_without_questions)
{
    expect_error("Just some text.\n\nNo headings.\n", "t.md:", "no questions found");
}

Test(quiz_parse, single_choice_with_two_correct)
{
    expect_error("### Q\n<!-- id: q -->\n1. [x] a\n1. [x] b\n",
                 "t.md:1:", "exactly one answer with [x] (found 2)");
}

Test(quiz_parse, multiple_choice_with_none_correct)
{
    expect_error("### Q\n<!-- id: q -->\n- [ ] a\n- [ ] b\n", "t.md:1:", "marks no answer");
}

Test(quiz_parse, only_one_choice)
{
    expect_error("### Q\n<!-- id: q -->\n1. [x] a\n", "t.md:3:", "only one choice");
}

Test(quiz_parse, choice_without_checkbox)
{
    expect_error("### Q\n<!-- id: q -->\n1. [x] a\n1. b\n", "t.md:4:", "no checkbox");
}

Test(quiz_parse, choice_after_explanation)
{
    expect_error("### Q\n<!-- id: q -->\n1. [x] a\n1. [ ] b\n\n> why\n\n1. [ ] c\n",
                 "t.md:8:", "after the explanation");
}

Test(quiz_parse, bad_ids_and_keys)
{
    expect_error("### Q\n<!-- id: q 1 -->\n1. [x] a\n1. [ ] b\n",
                 "t.md:2:", "only letters, digits");
    expect_error("### Q\n<!-- id: q1; colour: red -->\n1. [x] a\n1. [ ] b\n",
                 "t.md:2:", "unknown key 'colour'");
    expect_error("### Q\n<!-- id: q1; kind: essay -->\n1. [x] a\n1. [ ] b\n",
                 "t.md:2:", "unknown kind 'essay'");
    expect_error("### Q\n<!-- id: q1\n1. [x] a\n1. [ ] b\n", "t.md:2:", "closed by '-->'");
    expect_error("### Q\n<!-- id: q1 -->\n<!-- id: q2 -->\n1. [x] a\n1. [ ] b\n",
                 "t.md:3:", "already has an id");
}

Test(quiz_parse, open_question_problems)
{
    expect_error("### Q\n<!-- id: q; kind: open -->\n1. [x] a\n1. [ ] b\n",
                 "t.md:3:", "must not have choices");
    expect_error("### Q\n<!-- id: q; kind: open -->\nJust text.\n", "t.md:1:", "no model answer");
}

Test(quiz_parse, true_false_with_wrong_choices)
{
    expect_error("### Q\n<!-- id: q; kind: true-false -->\n- [x] Yes\n- [ ] No\n",
                 "t.md:1:", "exactly the choices True and False");
}

Test(quiz_parse, unclosed_code_block)
{
    expect_error("### Q\n<!-- id: q -->\n```\ncode\n", "t.md:1:", "never closed");
}

Test(quiz_parse, front_matter_line_without_colon)
{
    expect_error("---\ntitle: x\njust words\n---\n### Q\n<!-- id: q -->\n1. [x] a\n1. [ ] b\n",
                 "t.md:3:", "'key: value'");
}

Test(quiz_parse, bad_file_name)
{
    struct quiz q;
    char err[512] = "";
    int rc = quiz_parse_string("dir/my quiz.md", "### Q\n<!-- id: q -->\n1. [x] a\n1. [ ] b\n", &q,
                               err, sizeof err);
    cr_assert_eq(rc, -1,
                 "a quiz name with a space cannot be used in answer ids; parse should fail");
    cr_assert(strstr(err, "my quiz"), "error should name the quiz file, got \"%s\"", err);
}

/* ---- the course's own quizzes -------------------------------------------- */

Test(quiz_parse, course_quizzes_parse)
{
    static const struct {
        const char *name;
        size_t questions;
        int points;
    } quizzes[] = {
        {"document", 13, 10}, {"01_rest", 7, 7},  {"02_grpc", 6, 6},
        {"03_amqp", 7, 7},    {"04_kafka", 8, 8}, {"05_nats", 8, 8},
    };
    for (size_t i = 0; i < sizeof quizzes / sizeof quizzes[0]; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "quiz/%s.md", quizzes[i].name);
        struct quiz q;
        char err[1024];
        int rc = quiz_parse_file(course_path(rel), &q, err, sizeof err);
        cr_assert_eq(rc, 0, "%s should parse: %s", rel, err);
        cr_assert_eq(q.n_questions, quizzes[i].questions, "%s: expected %zu questions, got %zu",
                     rel, quizzes[i].questions, q.n_questions);
        cr_assert_eq(quiz_points(&q), quizzes[i].points, "%s: expected %d points, got %d", rel,
                     quizzes[i].points, quiz_points(&q));
        for (size_t k = 0; k < q.n_questions; k++)
            cr_assert(q.questions[k].explanation, "%s: question %s has no explanation", rel,
                      q.questions[k].id);
        quiz_free(&q);
    }
}

Test(quiz_parse, document_quiz_matches_the_source)
{
    struct quiz q;
    char err[1024];
    int rc = quiz_parse_file(course_path("quiz/document.md"), &q, err, sizeof err);
    cr_assert_eq(rc, 0, "quiz/document.md should parse: %s", err);
    /* The source document's key: the first choice of q1-q9, "False" for q10. */
    for (int i = 1; i <= 10; i++) {
        char id[8];
        snprintf(id, sizeof id, "q%02d", i);
        const struct quiz_question *qq = quiz_find(&q, id);
        cr_assert_not_null(qq, "document quiz must have question %s", id);
        char ans[8];
        quiz_correct_answer(qq, ans, sizeof ans);
        cr_assert_str_eq(ans, i == 10 ? "f" : "a",
                         "document.%s: the document's answer is %s, the quiz says %s", id,
                         i == 10 ? "f" : "a", ans);
        cr_assert_eq(qq->kind, i == 10 ? QUIZ_TRUE_FALSE : QUIZ_SINGLE, "document.%s kind", id);
        if (i < 10)
            cr_assert_eq(qq->n_choices, 4, "document.%s has 4 choices like the document", id);
    }
    const struct quiz_question *q2 = quiz_find(&q, "document.q02");
    cr_assert(
        q2 && strcmp(q2->choices[0].text, "reqwest") == 0 &&
            strcmp(q2->choices[1].text, "tonic") == 0 &&
            strcmp(q2->choices[2].text, "lapin") == 0 &&
            strcmp(q2->choices[3].text, "rdkafka") == 0,
        "document.q02 keeps the document's crate names in order reqwest, tonic, lapin, rdkafka");
    for (int k = 1; k <= 3; k++) {
        char id[8];
        snprintf(id, sizeof id, "k%d", k);
        const struct quiz_question *qq = quiz_find(&q, id);
        cr_assert(qq && qq->kind == QUIZ_OPEN && qq->explanation,
                  "knowledge check %s must be an open question with a model answer", id);
    }
    quiz_free(&q);
}

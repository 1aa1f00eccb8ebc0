/*
 * quiz_bridge.c - grades the manifest's quizzes from a submission's answers
 * file, for the grade table and results.json.
 */
#include "grade.h"
#include "quiz.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* What a student reads about one question. The key is not shown: students
 * can look an answer up with `wirebook quiz`, which explains it. */
static char *describe(const struct quiz_item_result *r)
{
    switch (r->status) {
    case QUIZ_RIGHT: return strdup("right");
    case QUIZ_WRONG: return str_printf("wrong (answered %s)", r->given ? r->given : "?");
    case QUIZ_UNANSWERED: return strdup("not answered");
    case QUIZ_INVALID: return str_printf("invalid answer: %s", r->message ? r->message : "");
    case QUIZ_NOT_SCORED: return strdup("open question: self-assessed, not scored");
    }
    return strdup("?");
}

static void grade_one(const struct wb_manifest *m, const struct wb_quiz *quiz,
                      const char *answers_path, struct quiz_result *out)
{
    char err[1024];
    struct quiz_grade g;
    char *quiz_path = path_join(m->root, quiz->file);
    out->quiz = quiz;
    if (!quiz_path || quiz_grade(quiz_path, answers_path, &g, err, sizeof err) != 0) {
        out->message = str_printf("could not be graded: %s", quiz_path ? err : "out of memory");
        /* A broken answers file scores 0 but keeps the quiz's maximum, so
         * percentages and the histogram stay comparable across students. */
        struct quiz quiz_only;
        char quiz_err[512];
        if (quiz_path && quiz_parse_file(quiz_path, &quiz_only, quiz_err, sizeof quiz_err) == 0) {
            out->max = quiz_points(&quiz_only);
            quiz_free(&quiz_only);
        }
        free(quiz_path);
        return;
    }
    free(quiz_path);
    out->questions = calloc(g.n_results + 1, sizeof *out->questions);
    for (size_t i = 0; out->questions && i < g.n_results; i++) {
        const struct quiz_item_result *r = &g.results[i];
        if (r->status == QUIZ_NOT_SCORED)
            continue;
        struct quiz_question_result *q = &out->questions[out->nquestions++];
        q->id = strdup(r->id);
        q->points = r->points;
        q->earned = r->earned;
        q->output = describe(r);
        out->score += r->earned;
        out->max += r->points;
    }
    struct strbuf notes = {0};
    if (g.answers_missing)
        sb_printf(&notes, "no answers file (%s): answer with `wirebook quiz %s`", answers_path,
                  quiz->id);
    for (size_t i = 0; i < g.n_unknown; i++)
        sb_printf(&notes, "%s%s", notes.len ? "\n" : "", g.unknown[i]);
    out->message = notes.len ? sb_take(&notes) : NULL;
    sb_free(&notes);
    quiz_grade_free(&g);
}

int grade_quizzes(const struct wb_manifest *m, const char *submission, struct grade_run *run)
{
    if (m->nquizzes == 0)
        return 0;
    run->quizzes = calloc(m->nquizzes, sizeof *run->quizzes);
    if (!run->quizzes)
        return -1;
    char *answers = path_join(submission, m->answers_file ? m->answers_file : "quiz-answers.txt");
    for (size_t i = 0; answers && i < m->nquizzes; i++)
        grade_one(m, &m->quizzes[i], answers, &run->quizzes[run->nquizzes++]);
    free(answers);
    return 0;
}

/*
 * quiz.h - wirebook quizzes: parse quizdown Markdown, read and write the
 * student's answers file, score answers, export to GIFT and HTML.
 *
 * The file format (a subset of bonartm's quizdown) and the answers-file
 * format are described in quiz/README.md. In short:
 *
 *   ### Which protocol does gRPC use for transport?
 *   <!-- id: q06 -->
 *   1. [ ] HTTP/1.1
 *   1. [x] HTTP/2
 *       > comment shown to whoever picked this answer
 *   > explanation shown after answering
 *
 * Every function that can fail writes "FILE:LINE: problem" (or "FILE:
 * problem") into the caller's err buffer and returns -1. Nothing here
 * exits or aborts on bad input.
 */
#ifndef WB_QUIZ_H
#define WB_QUIZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A quiz holds at most this many choices per question: letters a-z. */
#define QUIZ_MAX_CHOICES 26

enum quiz_kind {
    QUIZ_SINGLE,     /* numbered list, exactly one [x]; answer: one letter */
    QUIZ_MULTIPLE,   /* bulleted list, one or more [x]; answer: all the right letters */
    QUIZ_TRUE_FALSE, /* two choices "True" and "False"; answer: t or f (or a/b) */
    QUIZ_OPEN        /* no choices, a model answer; self-assessed, never scored */
};

struct quiz_choice {
    char *text;    /* one line of Markdown */
    char *comment; /* indented "> " under the choice, or NULL */
    bool correct;  /* [x] */
    int line;
};

struct quiz_question {
    char *id;      /* stable id from "<!-- id: NAME -->", e.g. "q01" */
    char *full_id; /* "QUIZNAME.ID", the key used in the answers file */
    enum quiz_kind kind;
    char *text;        /* the heading, without the #s */
    char *body;        /* Markdown between heading and choices, or NULL */
    char *hint;        /* top-level "> " before the choices, or NULL */
    char *explanation; /* after the choices (for QUIZ_OPEN: the model answer), or NULL */
    struct quiz_choice *choices;
    size_t n_choices;
    int line; /* line of the heading */
    /* In a student edition the [x] marks are gone; instead the comment line
     * holds "salt: S; key: HEX", HEX = SHA-256 of S, the full id and the
     * right letters (quiz_key.c). NULL in the instructor's quizzes. */
    char *salt;
    char *key;
};

struct quiz {
    char *name;  /* file name without directory and ".md": "document", "01_rest" */
    char *path;  /* as given to quiz_parse_file */
    char *title; /* front matter "title:", else the name */
    struct quiz_question *questions;
    size_t n_questions;
};

/* ---- parsing (quiz.c) --------------------------------------------------- */

/* Parses the quizdown file at path into out. Returns 0, or -1 with err set
 * ("FILE:LINE: problem"); out is then empty and needs no quiz_free. */
int quiz_parse_file(const char *path, struct quiz *out, char *err, size_t errlen);

/* Same for text already in memory; path is used for the quiz name and in
 * error messages. Lines may end in LF or CRLF. */
int quiz_parse_string(const char *path, const char *text, struct quiz *out, char *err,
                      size_t errlen);

void quiz_free(struct quiz *quiz);

/* The question with this id (short "q01" or full "document.q01"), or NULL. */
const struct quiz_question *quiz_find(const struct quiz *quiz, const char *id);

/* Number of questions that score a point (all but QUIZ_OPEN). */
int quiz_points(const struct quiz *quiz);

/* "single choice", "multiple choice", "true/false", "open". */
const char *quiz_kind_name(enum quiz_kind kind);

/* Bit i set when choice i (letter 'a'+i) is correct. */
unsigned quiz_correct_mask(const struct quiz_question *q);

/* ---- display order (quiz_order.c) --------------------------------------- */

/* Fills order[0..n_choices-1]: the choice shown as letter 'a'+k is choice
 * order[k] of the quiz file. Stable for one seed; NULL or "canonical" and
 * true/false questions keep the file's order. */
void quiz_display_order(const struct quiz_question *q, const char *seed, size_t *order);

/* The canonical choices of the displayed letters in mask shown. */
unsigned quiz_mask_to_canonical(const size_t *order, size_t n, unsigned shown);

/* This student's seed: $WB_QUIZ_SEED, else user name and answers file
 * (malloc'd). */
char *quiz_seed(const char *answers_path);

/* ---- keys (quiz_key.c) ------------------------------------------------- */

/* Writes into hex (65 bytes) the key of answer mask: SHA-256 (lower-case
 * hex) of salt, full_id and the chosen letters in order ("ac"; true/false:
 * "a" for True, "b" for False). 0, or -1 when libcrypto fails. */
int quiz_key_of(const char *salt, const char *full_id, unsigned mask, char hex[65]);

/* True when the chosen letters are the right answer: compared with the [x]
 * marks, or with the key in a student edition. */
bool quiz_answer_right(const struct quiz_question *q, unsigned mask);

/* The correct answer as it is written in an answers file: "b", "acd", "f".
 * "" for a keyed question (a student edition does not know it). */
void quiz_correct_answer(const struct quiz_question *q, char *buf, size_t buflen);

/* Checks one answer text against a choice question. Returns 0 with *mask set
 * to the chosen letters, or -1 with msg set to what is wrong, e.g.
 * "document.q03: 'e' is not one of the choices a-d". An empty answer is
 * invalid too ("no answer given"); the caller treats it as unanswered. */
int quiz_parse_answer(const struct quiz_question *q, const char *answer, unsigned *mask, char *msg,
                      size_t msglen);

/* ---- the answers file (quiz_answers.c) ----------------------------------
 *
 *   # comment lines and blank lines are kept as they are
 *   document.q01 = a
 *   01_rest.q04 = a c     # several letters for multiple choice
 *   document.q10 = f      # t or f for true/false
 */

struct quiz_answer {
    char *id;    /* "document.q01" */
    char *value; /* "a", "a c", "" (trailing comment and spaces removed) */
    int line;
};

struct quiz_answers {
    char *path;   /* file it came from, or NULL */
    char **lines; /* every line, as read (without newline) */
    size_t n_lines;
    struct quiz_answer *items; /* the "id = value" lines */
    size_t n_items;
};

/* Loads an answers file. A missing file is an empty set of answers
 * (returns 0, *missing = true when missing is not NULL). A malformed line
 * is an error "FILE:LINE: problem"; so is an id answered twice. */
int quiz_answers_load(const char *path, struct quiz_answers *out, bool *missing, char *err,
                      size_t errlen);
int quiz_answers_parse(const char *path, const char *text, struct quiz_answers *out, char *err,
                       size_t errlen);

/* The answer for full id, or NULL. */
const struct quiz_answer *quiz_answers_get(const struct quiz_answers *a, const char *full_id);

/* Sets (replaces in place, or appends) "full_id = value". Returns 0 or -1 (no memory). */
int quiz_answers_set(struct quiz_answers *a, const char *full_id, const char *value);

/* Writes the lines to path atomically (temporary file + rename). */
int quiz_answers_save(const struct quiz_answers *a, const char *path, char *err, size_t errlen);

void quiz_answers_free(struct quiz_answers *a);

/* ---- scoring (quiz_answers.c) ------------------------------------------- */

enum quiz_status {
    QUIZ_RIGHT,
    QUIZ_WRONG,
    QUIZ_UNANSWERED,
    QUIZ_INVALID,   /* the answer is not a possible answer; message says why */
    QUIZ_NOT_SCORED /* open question (knowledge check): self-assessed */
};

struct quiz_item_result {
    char *id;       /* full id, "document.q01" */
    char *given;    /* the answer as written, or NULL when unanswered */
    char *expected; /* the right answer ("b"), or NULL for open questions */
    char *message;  /* for QUIZ_INVALID: what is wrong; else NULL */
    int points;     /* 1, or 0 for open questions */
    int earned;     /* 1 when right */
    enum quiz_status status;
};

struct quiz_grade {
    char *quiz_name; /* "document" */
    char *title;
    struct quiz_item_result *results; /* one per question, in quiz order */
    size_t n_results;
    int points;     /* questions scored */
    int earned;     /* right answers */
    int answered;   /* questions with a valid answer (open ones included) */
    char **unknown; /* "FILE:LINE: document.q99 is not a question of quiz document" */
    size_t n_unknown;
    bool answers_missing; /* the answers file does not exist: all unanswered */
};

/* Scores the answers file against the quiz. Lines of the answers file whose
 * id starts with another quiz's name are ignored; ids of this quiz that name
 * no question are listed in out->unknown. Returns 0, or -1 with err set when
 * the quiz or the answers file is malformed. Free with quiz_grade_free. */
int quiz_grade(const char *quiz_path, const char *answers_path, struct quiz_grade *out, char *err,
               size_t errlen);

/* Same, for a quiz and answers already loaded. */
int quiz_grade_parsed(const struct quiz *quiz, const struct quiz_answers *answers,
                      struct quiz_grade *out, char *err, size_t errlen);

void quiz_grade_free(struct quiz_grade *g);

/* "right", "wrong", "unanswered", "invalid", "not scored". */
const char *quiz_status_name(enum quiz_status s);

/* Scores one answer of one question (status, earned, message). */
enum quiz_status quiz_score_answer(const struct quiz_question *q, const char *answer, char *msg,
                                   size_t msglen);

/* ---- export (quiz_export.c) --------------------------------------------- */

/* Moodle GIFT: one question per block, comments as per-answer feedback,
 * explanations as general feedback, open questions as essays. */
int quiz_export_gift(const struct quiz *quiz, FILE *out);

/* One standalone HTML page (no network, no external files) that shows the
 * quiz and checks the answers in the browser. */
int quiz_export_html(const struct quiz *quiz, FILE *out);

/* ---- the command (cmd_quiz.c) ------------------------------------------- */

/* wirebook quiz [NAME] [--course DIR] [--answers FILE | --save FILE]
 *               [--export gift|html --out FILE] [--list]
 * argv[0] is the subcommand name ("quiz"). Returns the exit status. */
int cmd_quiz(int argc, char **argv);

#endif

/*
 * gradebook.h - what a batch hands to a learning platform: the gradebook
 * (wirebook's columns, or the ones Canvas and Moodle import), a feedback
 * file per student, and the roster that says who each folder belongs to.
 */
#ifndef WB_GRADEBOOK_H
#define WB_GRADEBOOK_H

#include "manifest.h"
#include "util.h"

#include <jansson.h>
#include <stdbool.h>

struct roster_entry {
    char *id;    /* student or participant number, as the platform knows it */
    char *name;  /* full name */
    char *email; /* e-mail address, or NULL */
    char *login; /* platform login (GitHub user, ...), or NULL */
};

struct roster {
    struct roster_entry *items;
    size_t n;
};

/* Reads a roster CSV (RFC 4180) with a header row naming its columns: id,
 * name, and email and/or login (other columns are ignored). */
int roster_load(const char *path, struct roster *r, char *err, size_t errlen);
void roster_free(struct roster *r);

/* Who a submission folder belongs to: a folder named after the id, login or
 * e-mail; Moodle's "Full Name_12345_assignsubmission_file_" (participant
 * 12345); a GitHub Classroom "assignment-login". NULL when nobody. */
const struct roster_entry *roster_match(const struct roster *r, const char *folder);

/* Moodle's participant number in a download-all folder name, or NULL
 * (malloc'd). */
char *moodle_participant(const char *folder);

enum gradebook_format { GRADEBOOK_WIREBOOK, GRADEBOOK_CANVAS, GRADEBOOK_MOODLE };

/* "wirebook", "canvas" or "moodle"; -1 for anything else. */
int gradebook_format_parse(const char *name);

struct gradebook_row {
    const char *student; /* the submission's name in the batch */
    const struct roster_entry *who;
    json_t *results; /* results.json, or NULL */
    bool failed;
};

/* Writes the gradebook as CSV (RFC 4180: CRLF, quoted where needed, every
 * cell made valid UTF-8, and a cell that a spreadsheet would run as a
 * formula - one starting with = + - @ tab or CR - prefixed with '). */
int gradebook_write(const struct wb_manifest *m, enum gradebook_format format,
                    const struct gradebook_row *rows, size_t n, const char *path);

/* OUT/feedback.txt and feedback.html for one student: the score, and what
 * failed with the explanation each test gave. */
int feedback_write(const char *dir, const struct gradebook_row *row);

/* Appends text to HTML, valid UTF-8, with & < > " escaped. */
void html_text(struct strbuf *sb, const char *text);

/* Appends one CSV cell, as gradebook_write does. */
void csv_cell(struct strbuf *sb, const char *text);

#endif

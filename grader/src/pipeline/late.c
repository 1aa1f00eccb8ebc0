/*
 * late.c - late submissions on Gradescope.
 *
 * Gradescope gives the autograder /autograder/submission_metadata.json with
 * the submission's created_at and the assignment's due_date; an extension
 * shows up as a later due_date under users[].assignment. The manifest's
 * "late" policy turns the days past the due date (a started day counts) into
 * a fraction of the score, capped at the whole score, or at max_days days.
 */
#include "late.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double late_parse_time(const char *text)
{
    int y, mo, d, h, mi, consumed = 0;
    double sec;
    if (!text ||
        sscanf(text, "%4d-%2d-%2dT%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &consumed) != 6)
        return -1;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = (int)sec};
    time_t base = timegm(&tm);
    if (base == (time_t)-1)
        return -1;
    double t = (double)base + (sec - (int)sec);
    const char *zone = text + consumed;
    int zh = 0, zm = 0;
    if (zone[0] == 'Z' || zone[0] == '\0')
        return t;
    if ((zone[0] != '+' && zone[0] != '-') || sscanf(zone + 1, "%2d:%2d", &zh, &zm) != 2)
        return -1;
    double offset = (double)(zh * 3600 + zm * 60);
    return zone[0] == '+' ? t - offset : t + offset;
}

/* The due date that applies: the latest of the assignment's and any user's
 * own (an extension). */
static double due_date(json_t *meta)
{
    double due = late_parse_time(
        json_string_value(json_object_get(json_object_get(meta, "assignment"), "due_date")));
    size_t i;
    json_t *user;
    json_array_foreach(json_object_get(meta, "users"), i, user)
    {
        double own = late_parse_time(
            json_string_value(json_object_get(json_object_get(user, "assignment"), "due_date")));
        if (own > due)
            due = own;
    }
    return due;
}

int late_from_metadata(const struct wb_manifest *m, const char *metadata_path,
                       struct late_outcome *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (m->late_penalty_per_day <= 0 || !metadata_path)
        return 0;
    json_error_t jerr;
    json_t *meta = json_load_file(metadata_path, 0, &jerr);
    if (!meta) {
        snprintf(err, errlen, "%s:%d: %s", metadata_path, jerr.line, jerr.text);
        return -1;
    }
    double created = late_parse_time(json_string_value(json_object_get(meta, "created_at")));
    double due = due_date(meta);
    json_decref(meta);
    if (created < 0 || due < 0) {
        snprintf(err, errlen, "%s: no readable created_at and assignment.due_date", metadata_path);
        return -1;
    }
    if (created <= due)
        return 0;
    out->late = true;
    double whole = (double)(long long)((created - due) / 86400.0);
    out->days = whole * 86400.0 < created - due ? whole + 1 : whole; /* a started day counts */
    double counted =
        m->late_max_days > 0 && out->days > m->late_max_days ? m->late_max_days : out->days;
    out->fraction = counted * m->late_penalty_per_day;
    if (out->fraction > 1)
        out->fraction = 1;
    snprintf(out->note, sizeof out->note,
             "late by %g day(s): %g%% of the score taken off (%g%% a day)", out->days,
             100 * out->fraction, 100 * m->late_penalty_per_day);
    return 0;
}

/*
 * late.h - the late policy of the manifest ("late": {"penalty_per_day"})
 * applied with Gradescope's submission_metadata.json.
 */
#ifndef WB_LATE_H
#define WB_LATE_H

#include "manifest.h"

#include <stdbool.h>
#include <stddef.h>

struct late_outcome {
    bool late;
    double days;     /* whole days after the due date, rounded up */
    double fraction; /* of the score taken away, 0..1 */
    char note[256];  /* one sentence for the student */
};

/* Reads Gradescope's submission metadata (created_at, the assignment's
 * due_date or the student's own extended one) and works out the penalty
 * under m's policy. 0 with *out filled (no policy: never late); -1 with a
 * message in err when the file cannot be read. */
int late_from_metadata(const struct wb_manifest *m, const char *metadata_path,
                       struct late_outcome *out, char *err, size_t errlen);

/* Seconds since the epoch of an ISO 8601 time as Gradescope writes it
 * ("2026-11-30T21:34:40.087637-07:00", "...Z"); -1 when malformed. */
double late_parse_time(const char *text);

#endif

/*
 * batch_merge.h - a partial regrade merged into earlier results.
 */
#ifndef WB_BATCH_MERGE_H
#define WB_BATCH_MERGE_H

#include <jansson.h>

/* Merges results.json `now` (graded with --only) into `old`, in place:
 * exercises and quizzes graded now replace their old entries, totals are
 * summed again. 0, or -1 when old is not a wirebook results.json. */
int results_merge(json_t *old, json_t *now);

#endif

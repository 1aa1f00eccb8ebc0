/*
 * suggest.c - exercise names as a student types them: "01_rest/http_client",
 * or "http_client" alone when only one chapter has it. A name that matches
 * nothing gets the closest ones by edit distance, against both spellings.
 */
#include "student.h"

#include <stdlib.h>
#include <string.h>

size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row = malloc((lb + 1) * sizeof *row);
    if (!row)
        return la > lb ? la : lb; /* out of memory: a pessimistic answer */
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0]; /* row[i-1][j-1] */
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j]; /* row[i-1][j] */
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[lb];
    free(row);
    return d;
}

/* Distance of name to the exercise, by its closer spelling. */
static size_t distance_to(const struct wb_exercise *e, const char *name)
{
    char full[256];
    snprintf(full, sizeof full, "%s/%s", e->chapter->id, e->id);
    size_t d1 = edit_distance(name, full), d2 = edit_distance(name, e->id);
    return d1 < d2 ? d1 : d2;
}

size_t suggest_exercises(const struct wb_manifest *m, const char *name,
                         const struct wb_exercise **out, size_t max)
{
    /* Plausible: at most a third of the name wrong (and at least 2 edits allowed). */
    size_t limit = strlen(name) / 3 > 2 ? strlen(name) / 3 : 2;
    size_t n = 0;
    size_t dist[16];
    if (max > 16)
        max = 16;
    for (size_t i = 0; i < m->nchapters; i++) {
        for (size_t k = 0; k < m->chapters[i].nexercises; k++) {
            const struct wb_exercise *e = &m->chapters[i].exercises[k];
            size_t d = distance_to(e, name);
            if (d > limit)
                continue;
            /* Insertion into the sorted list (stable: manifest order breaks ties). */
            size_t at = n;
            while (at > 0 && dist[at - 1] > d)
                at--;
            if (at >= max)
                continue;
            size_t last = n < max ? n : max - 1;
            for (size_t j = last; j > at; j--) {
                out[j] = out[j - 1];
                dist[j] = dist[j - 1];
            }
            out[at] = e;
            dist[at] = d;
            if (n < max)
                n++;
        }
    }
    return n;
}

const struct wb_exercise *resolve_exercise(const struct wb_manifest *m, const char *name, FILE *out)
{
    const struct wb_exercise *e = manifest_exercise(m, name);
    if (e)
        return e;
    /* An exercise id several chapters share ("producer") is ambiguous, not unknown. */
    size_t same = 0;
    for (size_t i = 0; i < m->nchapters; i++)
        for (size_t k = 0; k < m->chapters[i].nexercises; k++)
            same += strcmp(m->chapters[i].exercises[k].id, name) == 0;
    if (same > 1) {
        fprintf(out, "wirebook: several chapters have an exercise '%s'; say which:\n", name);
        for (size_t i = 0; i < m->nchapters; i++)
            for (size_t k = 0; k < m->chapters[i].nexercises; k++)
                if (strcmp(m->chapters[i].exercises[k].id, name) == 0)
                    fprintf(out, "  %s/%s\n", m->chapters[i].id, name);
        return NULL;
    }
    const struct wb_exercise *close[5];
    size_t n = suggest_exercises(m, name, close, 5);
    fprintf(out, "wirebook: no exercise '%s'.", name);
    if (n == 0) {
        /* Perhaps a mistyped chapter ("01_rst"): chapters are names too. */
        const char *chapter = NULL;
        size_t best = strlen(name) / 3 + 1;
        for (size_t i = 0; i < m->nchapters; i++) {
            size_t d = edit_distance(name, m->chapters[i].id);
            if (d <= best) {
                best = d;
                chapter = m->chapters[i].id;
            }
        }
        if (chapter)
            fprintf(out, " Did you mean the chapter %s?\n", chapter);
        else
            fprintf(out, " `wirebook list` shows them all.\n");
        return NULL;
    }
    fprintf(out, " Did you mean:\n");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  %s/%s\n", close[i]->chapter->id, close[i]->id);
    return NULL;
}

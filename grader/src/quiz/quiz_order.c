/*
 * quiz_order.c - the order a student sees a question's choices in.
 *
 * When every student sees the right answer in the same place (the source
 * document's quiz has it first each time), "a" everywhere scores well. So
 * each student gets the choices of each question in an order of their own,
 * drawn from a seed that stays the same for them: $WB_QUIZ_SEED if set,
 * else their user name and the absolute path of their answers file. The
 * order only changes what is shown: the answers file keeps the canonical
 * letters of the quiz file, so grading never depends on it. True/false
 * questions keep True before False. WB_QUIZ_SEED=canonical shows the quiz
 * file's own order (for tests that type the canonical letters).
 */
#include "quiz.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* FNV-1a over the seed and the question's full id. */
static uint64_t seed_hash(const char *seed, const char *full_id)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *s = seed; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    h = (h ^ '/') * 1099511628211ull;
    for (const char *s = full_id; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* splitmix64: a small generator that spreads a 64-bit state well. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void quiz_display_order(const struct quiz_question *q, const char *seed, size_t *order)
{
    for (size_t i = 0; i < q->n_choices; i++)
        order[i] = i;
    if (!seed || strcmp(seed, "canonical") == 0 || q->kind == QUIZ_TRUE_FALSE)
        return;
    uint64_t state = seed_hash(seed, q->full_id);
    for (size_t i = q->n_choices; i > 1; i--) { /* Fisher-Yates */
        size_t j = (size_t)(next_random(&state) % i);
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
}

unsigned quiz_mask_to_canonical(const size_t *order, size_t n, unsigned shown)
{
    unsigned canonical = 0;
    for (size_t k = 0; k < n; k++)
        if (shown & (1u << k))
            canonical |= 1u << order[k];
    return canonical;
}

char *quiz_seed(const char *answers_path)
{
    const char *env = getenv("WB_QUIZ_SEED");
    if (env && *env)
        return strdup(env);
    const char *user = getenv("USER");
    char *abs = answers_path ? path_absolute(answers_path) : NULL;
    char *seed = str_printf("%s:%s", user ? user : "",
                            abs            ? abs
                            : answers_path ? answers_path
                                           : "");
    free(abs);
    return seed;
}

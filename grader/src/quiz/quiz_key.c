/*
 * quiz_key.c - answer keys that are not the answers.
 *
 * A student edition (`wirebook release`) must let a student check a quiz
 * offline without handing over the key. Each question keeps instead a
 * SHA-256 of the course's salt, the question's full id and the right letters
 * in order: checking an answer hashes the chosen letters the same way and
 * compares. The salt makes the hashes of one course useless for another;
 * the full id makes equal answers to different questions hash differently.
 * The HTML page does the same in JavaScript (quiz_export.c).
 */
#include "quiz.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

int quiz_key_of(const char *salt, const char *full_id, unsigned mask, char hex[65])
{
    char input[512];
    int n = snprintf(input, sizeof input, "%s%s", salt, full_id);
    if (n < 0 || (size_t)n + QUIZ_MAX_CHOICES >= sizeof input)
        return -1;
    for (int i = 0; i < QUIZ_MAX_CHOICES; i++)
        if (mask & (1u << i))
            input[n++] = (char)('a' + i);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(input, (size_t)n, digest, &len, EVP_sha256(), NULL) != 1 || len != 32) {
        fprintf(stderr, "wirebook: EVP_Digest(SHA-256) failed\n");
        return -1;
    }
    for (unsigned i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return 0;
}

bool quiz_answer_right(const struct quiz_question *q, unsigned mask)
{
    if (!q->key)
        return mask == quiz_correct_mask(q);
    char hex[65];
    return q->salt && quiz_key_of(q->salt, q->full_id, mask, hex) == 0 && strcmp(hex, q->key) == 0;
}

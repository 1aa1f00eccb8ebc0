/*
 * nats_bench.c - what do NATS's guarantees cost? Publishes N messages of
 * SIZE bytes three ways and prints messages per second:
 *   - core: natsConnection_Publish for all, one flush at the end (at most
 *     once: nothing is stored, no answer per message);
 *   - JetStream, PubAck each: js_Publish waits for the stream's answer
 *     before the next message - one round trip and a file write each;
 *   - JetStream, async: js_PublishAsync for all, then wait for every PubAck
 *     (js_PublishAsyncComplete) - the round trips overlap.
 * The stream is file-backed, created for the run and deleted afterwards.
 *
 *   NATS_URL=... build/bin/05_nats/nats_bench [N [SIZE]]   (default 20000 x 100 B)
 */
#include "nats_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(const char *what, int n, double seconds)
{
    printf("  %-28s %8d msgs in %6.3f s  %10.0f msgs/s\n", what, n, seconds, n / seconds);
}

static int bench_core(natsConnection *nc, const char *subject, const char *payload, int size, int n)
{
    double start = now_s();
    for (int i = 0; i < n; i++) {
        natsStatus s = natsConnection_Publish(nc, subject, payload, size);
        if (s != NATS_OK) {
            fprintf(stderr, "nats_bench: natsConnection_Publish: %s\n", natsStatus_GetText(s));
            return -1;
        }
    }
    natsStatus s = natsConnection_FlushTimeout(nc, 30000);
    if (s != NATS_OK) {
        fprintf(stderr, "nats_bench: flush: %s\n", natsStatus_GetText(s));
        return -1;
    }
    report("core publish + 1 flush", n, now_s() - start);
    return 0;
}

static int bench_js_sync(jsCtx *js, const char *subject, const char *payload, int size, int n)
{
    double start = now_s();
    for (int i = 0; i < n; i++) {
        jsPubAck *pa = NULL;
        jsErrCode jerr = 0;
        natsStatus s = js_Publish(&pa, js, subject, payload, size, NULL, &jerr);
        if (s != NATS_OK) {
            fprintf(stderr, "nats_bench: js_Publish: %s (JetStream error %d)\n",
                    natsStatus_GetText(s), (int)jerr);
            return -1;
        }
        jsPubAck_Destroy(pa);
    }
    report("JetStream, PubAck each", n, now_s() - start);
    return 0;
}

static int bench_js_async(jsCtx *js, const char *subject, const char *payload, int size, int n)
{
    double start = now_s();
    for (int i = 0; i < n; i++) {
        natsStatus s = js_PublishAsync(js, subject, payload, size, NULL);
        if (s != NATS_OK) {
            fprintf(stderr, "nats_bench: js_PublishAsync: %s\n", natsStatus_GetText(s));
            return -1;
        }
    }
    natsStatus s = js_PublishAsyncComplete(js, NULL);
    if (s != NATS_OK) {
        fprintf(stderr, "nats_bench: js_PublishAsyncComplete: %s\n", natsStatus_GetText(s));
        return -1;
    }
    report("JetStream, async + wait all", n, now_s() - start);
    return 0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    int size = argc > 2 ? atoi(argv[2]) : 100;
    if (n <= 0 || size <= 0 || size > 1000000) {
        fprintf(stderr, "usage: nats_bench [N [SIZE]]   (N > 0, 0 < SIZE <= 1000000)\n");
        return 2;
    }
    const char *url = getenv("NATS_URL");
    if (!url || !*url)
        url = "nats://127.0.0.1:4222";
    char *payload = malloc((size_t)size);
    if (!payload) {
        fprintf(stderr, "nats_bench: out of memory\n");
        return 1;
    }
    memset(payload, 'x', (size_t)size);

    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    char err[512] = "", stream[64], subject[96];
    snprintf(stream, sizeof stream, "BENCH_%ld", (long)getpid());
    snprintf(subject, sizeof subject, "bench.%ld", (long)getpid());
    const char *subjects[] = {subject};
    int rc = 1;
    if (nats_link_connect(&nc, url, 2000, err, sizeof err) != 0) {
        fprintf(stderr, "nats_bench: %s\n", err);
        goto out;
    }
    natsStatus s = natsConnection_JetStream(&js, nc, NULL);
    if (s != NATS_OK) {
        fprintf(stderr, "nats_bench: natsConnection_JetStream: %s\n", natsStatus_GetText(s));
        goto out;
    }
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = stream;
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    jsErrCode jerr = 0;
    s = js_AddStream(NULL, js, &cfg, NULL, &jerr);
    if (s != NATS_OK) {
        fprintf(stderr, "nats_bench: js_AddStream: %s (JetStream error %d)\n",
                natsStatus_GetText(s), (int)jerr);
        goto out;
    }
    printf("  %d x %d B to %s (file-backed stream %s)\n", n, size, url, stream);
    if (bench_core(nc, "bench.core", payload, size, n) == 0 &&
        bench_js_sync(js, subject, payload, size, n) == 0 &&
        bench_js_async(js, subject, payload, size, n) == 0)
        rc = 0;
    if (js_DeleteStream(js, stream, NULL, &jerr) != NATS_OK)
        fprintf(stderr, "nats_bench: js_DeleteStream %s failed (JetStream error %d)\n", stream,
                (int)jerr);
out:
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    nats_Close();
    free(payload);
    return rc;
}

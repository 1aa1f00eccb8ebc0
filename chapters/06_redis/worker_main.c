/*
 * worker_main.c - a consumer of group "printers" on the stream "events", the
 * way a real worker starts: first its own pending entries (it may have
 * crashed last time), then entries other consumers left pending for more
 * than 30 s, then new ones, printing each. Stops cleanly on Ctrl-C (SIGINT)
 * or SIGTERM.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 build/bin/06_redis/stream_worker alice
 *   REDIS_URL=redis://127.0.0.1:6379 build/bin/06_redis/stream_worker bob    (another terminal)
 *   build/bin/06_redis/stream_producer 10                                     (a third)
 *
 * Uses recovery.c and streams.c (your exercises).
 */
#include "recovery.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STREAM "events"
#define GROUP "printers"
#define CLAIM_IDLE_MS 30000

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int print_entry(const char *id, const void *data, size_t len, void *user)
{
    printf("%s: %s \"%.*s\"\n", (const char *)user, id, (int)len, data ? (const char *)data : "");
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CONSUMER_NAME   (server: $REDIS_URL)\n", argv[0]);
        return 2;
    }
    const char *url = getenv("REDIS_URL");
    if (!url || !*url)
        url = "redis://127.0.0.1:6379";
    const char *name = argv[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
        perror("stream_worker: sigaction");
        return 1;
    }
    struct redis_link link;
    if (redis_link_open(&link, url, 5000) != 0) {
        fprintf(stderr, "stream_worker: %s\n", link.error);
        return 1;
    }
    int rc = group_create(&link, STREAM, GROUP);
    int own =
        rc == 0 ? recover_own(&link, STREAM, GROUP, name, 100, print_entry, (void *)name) : -1;
    int claimed = own >= 0 ? recover_claim(&link, STREAM, GROUP, name, CLAIM_IDLE_MS, 100,
                                           print_entry, (void *)name)
                           : -1;
    if (claimed >= 0) {
        printf("%s: %d of my own pending entries, %d claimed from others; now reading new ones "
               "(Ctrl-C to stop)\n",
               name, own, claimed);
        fflush(stdout);
    }
    int handled = 0;
    while (claimed >= 0 && !stop_requested) {
        /* BLOCK 500 ms: short enough to notice Ctrl-C soon. */
        int n = group_read(&link, STREAM, GROUP, name, 10, 500, print_entry, (void *)name);
        if (n < 0) {
            claimed = -1;
            break;
        }
        handled += n;
    }
    if (claimed < 0)
        fprintf(stderr, "stream_worker: %s\n", link.error);
    else
        printf("%s: stopped after %d new entries\n", name, handled);
    redis_link_close(&link);
    return claimed < 0;
}

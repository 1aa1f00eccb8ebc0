/*
 * wb_names.c - unique names, a monotonic clock and environment defaults.
 */
#include "wb_testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int64_t wb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *wb_unique_name(const char *prefix)
{
    static char name[128];
    static unsigned counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* pid + counter is unique on this machine; the clock part keeps two
     * machines sharing one broker apart. */
    snprintf(name, sizeof name, "%s-%ld-%u-%lx", prefix, (long)getpid(), ++counter,
             (unsigned long)(ts.tv_nsec ^ ts.tv_sec));
    return name;
}

const char *wb_env_or(const char *name, const char *fallback)
{
    const char *value = getenv(name);
    return value && *value ? value : fallback;
}

/*
 * broker_lock.c - a readers/writer lock per shared broker, across processes.
 *
 * Exercises that use a shared broker (chapter 03's RabbitMQ node, the real
 * Kafka node) may run side by side: their queues and topics have unique
 * names. A test that restarts the broker may not: every other exercise's
 * connections would drop in the middle. So runs take the broker's lock
 * shared, and an exercise with a "restarts_broker" test takes it exclusive.
 *
 * flock(2) on files under build/brokers/ does it for the processes of one
 * `wirebook grade -j N` and for the parallel workers of `wirebook batch`
 * alike, and the kernel drops a lock when its holder dies. flock has no
 * writer preference, so a second file, the gate, keeps a waiting restarter
 * from being starved by a stream of readers: every taker passes the gate
 * (held exclusive, briefly) and a restarter holds it until it has the lock.
 */
#include "parallel.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static int open_lock(const char *dir, const char *name, const char *suffix)
{
    char *path = str_printf("%s/%s.%s", dir, name, suffix);
    int fd = path ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
    if (fd < 0)
        fprintf(stderr, "wirebook: cannot open the broker lock %s: %s\n", path ? path : name,
                strerror(errno));
    free(path);
    return fd;
}

static int lock(int fd, int how)
{
    int rc;
    while ((rc = flock(fd, how)) != 0 && errno == EINTR)
        ;
    return rc;
}

int broker_lock_take(const char *course_root, const char *name, bool exclusive)
{
    char *dir = str_printf("%s/build/brokers", course_root);
    int gate = dir && mkdir_p(dir) == 0 ? open_lock(dir, name, "gate.lock") : -1;
    int fd = gate >= 0 ? open_lock(dir, name, "lock") : -1;
    free(dir);
    if (fd < 0 || lock(gate, LOCK_EX) != 0 || lock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0) {
        if (fd >= 0)
            close(fd);
        if (gate >= 0)
            close(gate); /* also releases the gate */
        return -1;
    }
    close(gate);
    return fd;
}

void broker_lock_release(int handle)
{
    if (handle >= 0)
        close(handle); /* closing the only descriptor drops the flock */
}

int broker_lock_file(const char *course_root, const char *name, const char *suffix, int how)
{
    char *dir = str_printf("%s/build/brokers", course_root);
    int fd = dir && mkdir_p(dir) == 0 ? open_lock(dir, name, suffix) : -1;
    free(dir);
    if (fd >= 0 && lock(fd, how) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

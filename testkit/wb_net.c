/*
 * wb_net.c - ports and readiness waits on 127.0.0.1.
 */
#include "wb_testkit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in loopback(uint16_t port)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

static int bind_loopback(uint16_t port, uint16_t *bound)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert(fd >= 0, "test kit: socket() failed: %s", strerror(errno));

    struct sockaddr_in addr = loopback(port);
    cr_assert(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0,
              "test kit: bind(127.0.0.1:%u) failed: %s", port, strerror(errno));

    socklen_t len = sizeof addr;
    cr_assert(getsockname(fd, (struct sockaddr *)&addr, &len) == 0,
              "test kit: getsockname() failed: %s", strerror(errno));
    *bound = ntohs(addr.sin_port);
    return fd;
}

/* The kernel's range for ephemeral ports (bind to port 0, the local end of
 * a connect): /proc/sys/net/ipv4/ip_local_port_range, Linux's default when
 * it cannot be read. */
static void ephemeral_range(unsigned *low, unsigned *high)
{
    *low = 32768;
    *high = 60999;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (!f)
        return;
    unsigned l, h;
    if (fscanf(f, "%u %u", &l, &h) == 2 && l <= h && h <= 65535) {
        *low = l;
        *high = h;
    }
    fclose(f);
}

/* True when nothing holds 127.0.0.1:port now. */
static bool port_is_free(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in addr = loopback(port);
    bool free_now = bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
    close(fd);
    return free_now;
}

/* Between "free" and the program under test binding it, a port must not be
 * handed to anyone else. A port the kernel picked (bind to port 0) is from
 * its ephemeral range, where it also picks for every other bind to port 0
 * (librdkafka's mock brokers, other tests' servers) and for the local end
 * of every outgoing connection: one of those took such a port in that gap
 * once (chapter 07, "Address already in use" for order-core). So the port
 * is drawn at random from outside that range, where only ports chosen this
 * same way land. */
uint16_t wb_free_port(void)
{
    unsigned low, high;
    ephemeral_range(&low, &high);
    unsigned from = 10000, to = low > from ? low - 1 : 0; /* below the range... */
    if (to == 0 && high < 65535) {                        /* ...or else above it */
        from = high + 1 > from ? high + 1 : from;
        to = 65535;
    }
    static unsigned seed;
    if (seed == 0)
        seed = (unsigned)getpid() ^ (unsigned)time(NULL) ^ (unsigned)clock();
    for (int attempt = 0; to > from && attempt < 64; attempt++) {
        uint16_t port = (uint16_t)(from + (unsigned)rand_r(&seed) % (to - from + 1));
        if (port_is_free(port))
            return port;
    }
    uint16_t port; /* no room outside the range: the kernel's pick */
    int fd = bind_loopback(0, &port);
    close(fd);
    return port;
}

uint16_t wb_refusing_port(void)
{
    uint16_t port;
    /* Deliberately kept open for the life of the test process: a bound socket
     * that never listens answers every connect with "connection refused". */
    (void)bind_loopback(0, &port);
    return port;
}

static bool try_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in addr = loopback(port);
    bool ok = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
    close(fd);
    return ok;
}

bool wb_wait_port(uint16_t port, int timeout_ms)
{
    int64_t deadline = wb_now_ms() + timeout_ms;
    for (;;) {
        if (try_connect(port))
            return true;
        if (wb_now_ms() >= deadline)
            return false;
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

/*
 * wb_net.c - ports and readiness waits on 127.0.0.1.
 */
#include "wb_testkit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int bind_loopback(uint16_t port, uint16_t *bound)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert(fd >= 0, "test kit: socket() failed: %s", strerror(errno));

    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0,
              "test kit: bind(127.0.0.1:%u) failed: %s", port, strerror(errno));

    socklen_t len = sizeof addr;
    cr_assert(getsockname(fd, (struct sockaddr *)&addr, &len) == 0,
              "test kit: getsockname() failed: %s", strerror(errno));
    *bound = ntohs(addr.sin_port);
    return fd;
}

uint16_t wb_free_port(void)
{
    uint16_t port;
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
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
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

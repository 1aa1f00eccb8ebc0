/*
 * wb_sockets.c - who listens where: the address a server inside the test
 * process bound (found among this process's own sockets), and whether a
 * port is held by a given program or by someone else (the kernel's socket
 * table, asked over netlink, and /proc/PID/fd).
 */
#include "wb_testkit.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

bool wb_listening_address(uint16_t port, char *address, size_t size)
{
    DIR *fds = opendir("/proc/self/fd");
    cr_assert_not_null(fds, "test kit: cannot open /proc/self/fd");
    bool found = false;
    for (struct dirent *de; !found && (de = readdir(fds)) != NULL;) {
        char *end;
        long fd = strtol(de->d_name, &end, 10);
        if (*end != '\0' || fd < 0 || fd == dirfd(fds))
            continue;
        int listening = 0;
        socklen_t optlen = sizeof listening;
        if (getsockopt((int)fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optlen) != 0 || !listening)
            continue; /* not a socket, or not one that listens */
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        if (getsockname((int)fd, (struct sockaddr *)&ss, &len) != 0)
            continue;
        if (ss.ss_family == AF_INET) {
            const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
            found = ntohs(in->sin_port) == port &&
                    inet_ntop(AF_INET, &in->sin_addr, address, (socklen_t)size) != NULL;
        } else if (ss.ss_family == AF_INET6) {
            const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
            found = ntohs(in6->sin6_port) == port &&
                    inet_ntop(AF_INET6, &in6->sin6_addr, address, (socklen_t)size) != NULL;
        }
    }
    closedir(fds);
    return found;
}

#define MAX_LISTENERS 8

/* Inodes of the TCP sockets of `family` in state LISTEN on port, appended
 * to inodes[have..]; the new count, or -1 when the kernel cannot be asked.
 *
 * Asked over NETLINK_SOCK_DIAG for listeners only, which walks the small
 * table of listening sockets. /proc/net/tcp walks the whole established
 * table (262144 buckets on 24 GiB, again for each page read): about 5 ms
 * of kernel time a look, half a core for a wait polling every 10 ms. */
static int diag_listening_inodes(int family, uint16_t port, unsigned long *inodes, int have)
{
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0)
        return -1;
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
    } ask = {
        .nlh = {.nlmsg_len = sizeof ask,
                .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
        .req = {.sdiag_family = (uint8_t)family,
                .sdiag_protocol = IPPROTO_TCP,
                .idiag_states = 1u << TCP_LISTEN,
                .id = {.idiag_sport = htons(port)}},
    };
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, &ask, sizeof ask, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        close(fd);
        return -1;
    }
    long buf[8192 / sizeof(long)]; /* aligned for struct nlmsghdr */
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0) {
            close(fd);
            return -1;
        }
        int len = (int)n;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
             h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type == NLMSG_DONE) {
                close(fd);
                return have;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                close(fd);
                return -1;
            }
            const struct inet_diag_msg *m = NLMSG_DATA(h);
            /* the kernel filters on the port too; checked again all the same */
            if (h->nlmsg_len >= NLMSG_LENGTH(sizeof *m) && ntohs(m->id.idiag_sport) == port &&
                have < MAX_LISTENERS)
                inodes[have++] = m->idiag_inode;
        }
    }
}

/* Inodes of the sockets in state LISTEN on port, from one of
 * /proc/net/tcp and /proc/net/tcp6; -1 when the table cannot be read.
 * Where netlink is refused only. */
static int proc_listening_inodes(const char *table, uint16_t port, unsigned long *inodes, int have)
{
    FILE *f = fopen(table, "r");
    if (!f)
        return -1;
    char line[512];
    if (!fgets(line, sizeof line, f)) { /* the header */
        fclose(f);
        return -1;
    }
    /* "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode" */
    while (fgets(line, sizeof line, f) && have < MAX_LISTENERS) {
        unsigned local_port, state;
        unsigned long inode;
        if (sscanf(line,
                   " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*x:%*x %*x:%*x %*x %*u %*u %lu",
                   &local_port, &state, &inode) == 3 &&
            local_port == port && state == 0x0A /* TCP_LISTEN */)
            inodes[have++] = inode;
    }
    fclose(f);
    return have;
}

/* Inodes of the IPv4 and IPv6 sockets listening on port; -1 when neither
 * netlink nor /proc can tell. */
static int listening_inodes(uint16_t port, unsigned long *inodes)
{
    int count = diag_listening_inodes(AF_INET, port, inodes, 0);
    if (count >= 0)
        count = diag_listening_inodes(AF_INET6, port, inodes, count);
    if (count >= 0)
        return count;
    count = proc_listening_inodes("/proc/net/tcp", port, inodes, 0);
    int count6 = proc_listening_inodes("/proc/net/tcp6", port, inodes, count < 0 ? 0 : count);
    return count6 >= 0 ? count6 : count;
}

/* 1 when one of pid's open files is one of these sockets, 0 when none is,
 * -1 when pid's fds cannot be read. */
static int holds_socket(pid_t pid, const unsigned long *inodes, int count)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%ld/fd", (long)pid);
    DIR *fds = opendir(dir);
    if (!fds)
        return -1;
    int held = 0;
    for (struct dirent *de; !held && (de = readdir(fds)) != NULL;) {
        if (de->d_name[0] == '.')
            continue;
        char path[PATH_MAX], target[64];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        unsigned long inode;
        if (sscanf(target, "socket:[%lu]", &inode) != 1)
            continue;
        for (int i = 0; i < count; i++)
            if (inodes[i] == inode)
                held = 1;
    }
    closedir(fds);
    return held;
}

enum wb_listener wb_port_listener(uint16_t port, pid_t pid)
{
    unsigned long inodes[MAX_LISTENERS];
    int count = listening_inodes(port, inodes);
    if (count < 0) /* neither netlink nor /proc: a connection is all we can know */
        return wb_wait_port(port, 0) ? WB_LISTENER_PROCESS : WB_LISTENER_NONE;
    if (count == 0)
        return WB_LISTENER_NONE;
    int held = holds_socket(pid, inodes, count);
    return held == 0 ? WB_LISTENER_OTHER : WB_LISTENER_PROCESS;
}

/* true once pid has exited; WNOWAIT leaves it to its parent to reap. */
static bool has_exited(pid_t pid)
{
    siginfo_t info = {0};
    return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

enum wb_listener wb_wait_listener(uint16_t port, pid_t pid, int timeout_ms)
{
    int64_t deadline = wb_now_ms() + timeout_ms;
    for (;;) {
        enum wb_listener who = wb_port_listener(port, pid);
        if (who != WB_LISTENER_NONE || has_exited(pid) || wb_now_ms() >= deadline)
            return who;
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

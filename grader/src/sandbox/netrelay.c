/*
 * netrelay.c - the broker's port, and only it, inside a run's network.
 *
 * A run of student code gets a network namespace of its own with nothing
 * but loopback, so it cannot reach the services of the host (databases,
 * other graders' brokers, the metadata of a cloud machine). The chapters on
 * brokers need one host service: the broker the grader started on the
 * host's 127.0.0.1. Rather than give those runs the whole host network,
 * a small TCP relay makes exactly the broker's port(s) answer inside:
 *
 *   run's netns                      host netns
 *   client ─> 127.0.0.1:PORT (listen) ── relay ──> 127.0.0.1:PORT (broker)
 *
 * Sockets belong to the namespace they were made in, whichever process
 * holds them later. So the relay is forked by the keeper before any
 * namespace exists (it stays in the host's network, as the grader's user,
 * outside the run's cgroup, user and seccomp), the keeper makes the
 * listening sockets after it entered the run's new network namespace and
 * passes them over a socket pair (SCM_RIGHTS). Every connection the relay
 * makes outward is then in the host's network. No setns is needed, so this
 * works without root too (in a user namespace).
 *
 * The relay is one process with one poll loop: each accepted connection is
 * paired with a non-blocking connect to the broker, bytes are copied both
 * ways, and a half close (FIN) is passed on with shutdown(SHUT_WR), so a
 * client that closes its sending side still gets its answer. When the
 * broker is down (a test restarts it) the connect fails, the client's
 * connection is reset, and the relay keeps listening for the next try. It
 * dies with the keeper (PR_SET_PDEATHSIG) and the keeper kills it after
 * the run (sandbox_keeper_cleanup).
 */
#define _GNU_SOURCE
#include "netrelay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define RELAY_BUF 65536
/* Connections open at once (Kafka and AMQP clients open several per test). */
#define RELAY_MAX_CONNS 256

/* ---- addresses ------------------------------------------------------------ */

/* The host:port of one address: drops "scheme://", "user:pass@" and "/path". */
static int parse_one(const char *start, const char *end, unsigned short *port)
{
    const char *scheme = strstr(start, "://");
    if (scheme && scheme < end)
        start = scheme + 3;
    const char *slash = memchr(start, '/', (size_t)(end - start));
    if (slash)
        end = slash;
    for (const char *at = start; at < end; at++)
        if (*at == '@')
            start = at + 1;
    const char *colon = NULL;
    for (const char *c = start; c < end; c++)
        if (*c == ':')
            colon = c;
    if (!colon)
        return -1;
    size_t hostlen = (size_t)(colon - start);
    bool loopback = (hostlen == 9 && strncmp(start, "127.0.0.1", 9) == 0) ||
                    (hostlen == 9 && strncmp(start, "localhost", 9) == 0);
    long value = 0;
    const char *c = colon + 1;
    for (; c < end && *c >= '0' && *c <= '9' && value <= 65535; c++)
        value = value * 10 + (*c - '0');
    if (!loopback || c != end || c == colon + 1 || value < 1 || value > 65535)
        return -1;
    *port = (unsigned short)value;
    return 0;
}

int netrelay_parse_ports(const char *value, unsigned short *ports, int n)
{
    const char *p = value;
    while (*p) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        unsigned short port;
        if (parse_one(p, end, &port) != 0)
            return -1;
        bool known = false;
        for (int i = 0; i < n; i++)
            known |= ports[i] == port;
        if (!known) {
            if (n >= NETRELAY_MAX_PORTS)
                return -1;
            ports[n++] = port;
        }
        p = comma ? comma + 1 : end;
    }
    return n;
}

/* ---- the keeper's side ------------------------------------------------------ */

static int listen_on(unsigned short port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 128) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int netrelay_listen(int channel, const unsigned short *ports, int nports)
{
    int fds[NETRELAY_MAX_PORTS];
    int made = 0, rc = -1;
    while (made < nports && (fds[made] = listen_on(ports[made])) >= 0)
        made++;
    if (made == nports && nports > 0) {
        char control[CMSG_SPACE(sizeof fds)];
        memset(control, 0, sizeof control);
        struct iovec iov = {.iov_base = (void *)ports, .iov_len = (size_t)nports * sizeof *ports};
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = control,
                             .msg_controllen = CMSG_SPACE((size_t)nports * sizeof(int))};
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN((size_t)nports * sizeof(int));
        memcpy(CMSG_DATA(c), fds, (size_t)nports * sizeof(int));
        rc = sendmsg(channel, &msg, MSG_NOSIGNAL) == (ssize_t)iov.iov_len ? 0 : -1;
    }
    for (int i = 0; i < made; i++)
        close(fds[i]);
    close(channel);
    return rc;
}

/* ---- the relay ------------------------------------------------------------------ */

/* Bytes on their way from one socket to the other. */
struct flow {
    int from, to;
    size_t len, off;
    bool eof;  /* `from` said it sends no more */
    bool done; /* ...and that was passed on to `to` */
    char buf[RELAY_BUF];
};

struct conn {
    int inside, outside;
    bool connecting;
    struct flow up, down; /* inside -> outside, outside -> inside */
};

static struct conn *conns[RELAY_MAX_CONNS];

static void conn_close(struct conn *c, bool reset)
{
    if (reset) { /* an RST, so the client sees the failure at once */
        struct linger l = {.l_onoff = 1, .l_linger = 0};
        (void)setsockopt(c->inside, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    close(c->inside);
    close(c->outside);
    free(c);
}

static void accept_one(int listener, unsigned short port)
{
    int in = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (in < 0)
        return;
    int slot = 0;
    while (slot < RELAY_MAX_CONNS && conns[slot])
        slot++;
    int out = slot < RELAY_MAX_CONNS
                  ? socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)
                  : -1;
    struct conn *c = out >= 0 ? calloc(1, sizeof *c) : NULL;
    if (!c) {
        if (out >= 0)
            close(out);
        close(in);
        return;
    }
    int one = 1;
    (void)setsockopt(in, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    (void)setsockopt(out, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *c = (struct conn){.inside = in, .outside = out};
    c->up.from = c->down.to = in;
    c->up.to = c->down.from = out;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(out, (struct sockaddr *)&a, sizeof a) != 0) {
        if (errno != EINPROGRESS) {
            conn_close(c, true); /* the broker is down: the client retries */
            return;
        }
        c->connecting = true;
    }
    conns[slot] = c;
}

/* Moves what it can of one flow; -1 when the connection broke. */
static int flow_step(struct flow *f)
{
    if (f->len == 0 && !f->eof) {
        ssize_t n = read(f->from, f->buf, sizeof f->buf);
        if (n > 0) {
            f->len = (size_t)n;
            f->off = 0;
        } else if (n == 0) {
            f->eof = true;
        } else if (errno != EAGAIN && errno != EINTR) {
            return -1;
        }
    }
    if (f->len > 0) {
        ssize_t n = send(f->to, f->buf + f->off, f->len - f->off, MSG_NOSIGNAL);
        if (n > 0) {
            f->off += (size_t)n;
            if (f->off == f->len)
                f->len = f->off = 0;
        } else if (errno != EAGAIN && errno != EINTR) {
            return -1;
        }
    }
    if (f->eof && f->len == 0 && !f->done) {
        (void)shutdown(f->to, SHUT_WR);
        f->done = true;
    }
    return 0;
}

/* The poll events one side of a connection waits for. */
static short wants(const struct flow *reading, const struct flow *writing)
{
    short ev = 0;
    if (reading->len == 0 && !reading->eof)
        ev |= POLLIN;
    if (writing->len > 0)
        ev |= POLLOUT;
    return ev;
}

static void relay_loop(const int *listeners, const unsigned short *ports, int n)
{
    static struct pollfd p[NETRELAY_MAX_PORTS + 2 * RELAY_MAX_CONNS];
    for (;;) {
        int k = 0;
        for (int i = 0; i < n; i++)
            p[k++] = (struct pollfd){.fd = listeners[i], .events = POLLIN};
        for (int i = 0; i < RELAY_MAX_CONNS; i++) {
            struct conn *c = conns[i];
            short in_ev = c && !c->connecting ? wants(&c->up, &c->down) : 0;
            short out_ev = !c ? 0 : c->connecting ? POLLOUT : wants(&c->down, &c->up);
            /* fd -1 is skipped: nothing to wait for on that side now */
            p[k++] = (struct pollfd){.fd = in_ev ? c->inside : -1, .events = in_ev};
            p[k++] = (struct pollfd){.fd = out_ev ? c->outside : -1, .events = out_ev};
        }
        if (poll(p, (nfds_t)k, -1) < 0) {
            if (errno == EINTR)
                continue;
            _exit(1);
        }
        for (int i = 0; i < n; i++)
            if (p[i].revents & POLLIN)
                accept_one(listeners[i], ports[i]);
        for (int i = 0; i < RELAY_MAX_CONNS; i++) {
            struct conn *c = conns[i];
            short ready = p[n + 2 * i].revents | p[n + 2 * i + 1].revents;
            if (!c || !ready)
                continue;
            if (c->connecting) {
                int err = 0;
                socklen_t len = sizeof err;
                if (getsockopt(c->outside, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
                    conn_close(c, true);
                    conns[i] = NULL;
                    continue;
                }
                c->connecting = false;
            }
            if (flow_step(&c->up) != 0 || flow_step(&c->down) != 0) {
                conn_close(c, true);
                conns[i] = NULL;
            } else if (c->up.done && c->down.done) {
                conn_close(c, false);
                conns[i] = NULL;
            }
        }
    }
}

/* In the relay: takes the listening sockets the keeper sends, then relays. */
static void relay_main(int channel)
{
    unsigned short ports[NETRELAY_MAX_PORTS];
    int fds[NETRELAY_MAX_PORTS];
    char control[CMSG_SPACE(sizeof fds)];
    struct iovec iov = {.iov_base = ports, .iov_len = sizeof ports};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t got;
    do
        got = recvmsg(channel, &msg, MSG_CMSG_CLOEXEC);
    while (got < 0 && errno == EINTR);
    struct cmsghdr *c = got > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
    if (!c || c->cmsg_type != SCM_RIGHTS || got % (ssize_t)sizeof *ports != 0)
        _exit(0); /* no network namespace came to be: nothing to relay */
    int n = (int)(got / (ssize_t)sizeof *ports);
    if ((size_t)n * sizeof(int) != c->cmsg_len - CMSG_LEN(0))
        _exit(1);
    memcpy(fds, CMSG_DATA(c), (size_t)n * sizeof(int));
    close(channel);
    relay_loop(fds, ports, n);
}

pid_t netrelay_start(int *channel)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return -1;
    pid_t keeper = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        /* Nothing of the keeper's but the channel: a pipe to the grader
         * held open here would hide a lost keeper. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != keeper)
            _exit(0);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGPIPE, SIG_IGN);
        if (dup2(sv[1], 3) != 3 || close_range(4, ~0u, 0) != 0)
            _exit(1);
        close(0);
        close(1);
        relay_main(3);
        _exit(0);
    }
    close(sv[1]);
    *channel = sv[0];
    return pid;
}

/*
 * test_port_listener.c - the test kit tells a program's own listening port
 * from one that another program holds (wb_port_listener), so a readiness
 * wait never takes another test's server for the one it started, and that
 * wait (wb_wait_listener) ends when the program exits.
 */
#include "wb_testkit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

WB_SUITE(port_listener);

/* A child that listens on port (IPv4 loopback, or IPv6 any) until killed. */
static pid_t listening_child(uint16_t port, bool ipv6)
{
    int ready[2];
    cr_assert_eq(pipe(ready), 0, "pipe");
    pid_t pid = fork();
    if (pid == 0) { /* no cr_ call here: Criterion would count it as this test's */
        close(ready[0]);
        int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
        int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(port)};
        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
        in6.sin6_addr = in6addr_any;
        int bound = ipv6 ? bind(fd, (struct sockaddr *)&in6, sizeof in6)
                         : bind(fd, (struct sockaddr *)&in, sizeof in);
        char ok = bound == 0 && listen(fd, 4) == 0 ? 'y' : 'n';
        if (write(ready[1], &ok, 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    cr_assert_geq(pid, 0, "fork");
    close(ready[1]);
    char ok = 'n';
    cr_assert_eq(read(ready[0], &ok, 1), 1, "the listening child died");
    close(ready[0]);
    cr_assert_eq(ok, 'y', "the child could not listen on port %u", port);
    return pid;
}

static void end_child(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

Test(port_listener, nobody_listens_on_a_free_port)
{
    uint16_t port = wb_free_port();
    cr_assert_eq(wb_port_listener(port, getpid()), WB_LISTENER_NONE,
                 "port %u: nothing listens there", port);
}

/* A child listens on a free port: it is that port's PROCESS, and this
 * process sees an OTHER there; once the child is gone, nobody listens. */
static void check_told_apart(bool ipv6)
{
    const char *family = ipv6 ? "IPv6" : "IPv4";
    uint16_t port = wb_free_port();
    pid_t child = listening_child(port, ipv6);
    enum wb_listener own = wb_port_listener(port, child);
    enum wb_listener other = wb_port_listener(port, getpid());
    end_child(child);
    cr_assert_eq(own, WB_LISTENER_PROCESS, "%s: the child listens on %u: expected PROCESS, got %d",
                 family, port, own);
    cr_assert_eq(other, WB_LISTENER_OTHER,
                 "%s: the child, not this process, listens on %u: expected OTHER, got %d", family,
                 port, other);
    cr_assert_eq(wb_port_listener(port, child), WB_LISTENER_NONE,
                 "%s: the child is gone: nothing listens on %u", family, port);
}

Test(port_listener, the_listening_program_is_told_from_others)
{
    check_told_apart(false);
}

Test(port_listener, an_ipv6_listener_counts_too)
{
    check_told_apart(true);
}

Test(port_listener, the_wait_ends_when_the_program_listens)
{
    uint16_t port = wb_free_port();
    pid_t child = listening_child(port, false);
    enum wb_listener who = wb_wait_listener(port, child, 5000);
    end_child(child);
    cr_assert_eq(who, WB_LISTENER_PROCESS, "the child listens on %u: expected PROCESS, got %d",
                 port, who);
}

Test(port_listener, the_wait_ends_when_the_program_exits_and_leaves_it_to_reap)
{
    uint16_t port = wb_free_port();
    pid_t child = fork();
    if (child == 0)
        _exit(3); /* exits without listening */
    cr_assert_geq(child, 0, "fork");
    int64_t started = wb_now_ms();
    enum wb_listener who = wb_wait_listener(port, child, 30000);
    int64_t waited = wb_now_ms() - started;
    int status = 0;
    pid_t reaped = waitpid(child, &status, 0);
    cr_assert_eq(who, WB_LISTENER_NONE, "the child exited without listening: expected NONE, got %d",
                 who);
    cr_assert_lt(waited, 30000, "the wait ran its whole 30 s although the child had exited");
    cr_assert(reaped == child && WIFEXITED(status) && WEXITSTATUS(status) == 3,
              "the wait must leave the exited child to its parent to reap");
}

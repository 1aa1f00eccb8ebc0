/*
 * stale_errno_connect.c - an LD_PRELOAD shim for grpc_stale_errno_test.sh.
 *
 * The first TCP connect() of a process fails with ENOENT, once. That is what
 * gRPC 1.51 reports, now and then, for a connection that was still in
 * progress: it reads connect()'s errno only after other calls, and takes
 * whatever they left there for the connect's failure (UNAVAILABLE "failed to
 * connect to all addresses ... No such file or directory"). The shim makes
 * that rare event happen on every run, so the test can show that chapter
 * 02's tests call once more and do not blame the student's client.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

int connect(int fd, const struct sockaddr *address, socklen_t length)
{
    static int (*real_connect)(int, const struct sockaddr *, socklen_t);
    static bool failed_once;
    if (!real_connect)
        *(void **)&real_connect = dlsym(RTLD_NEXT, "connect");
    int type = 0;
    socklen_t type_size = sizeof type;
    if (!failed_once && (address->sa_family == AF_INET || address->sa_family == AF_INET6) &&
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_size) == 0 && type == SOCK_STREAM) {
        failed_once = true;
        static const char said[] = "stale-errno shim: this connect fails with ENOENT\n";
        (void)!write(STDERR_FILENO, said, sizeof said - 1);
        errno = ENOENT;
        return -1;
    }
    return real_connect(fd, address, length);
}

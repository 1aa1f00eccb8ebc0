/*
 * wb_sockets.c - what the test process itself listens on: the address a
 * server under test bound, found among this process's own sockets.
 */
#include "wb_testkit.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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

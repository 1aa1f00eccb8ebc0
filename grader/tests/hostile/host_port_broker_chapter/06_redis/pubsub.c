/* hostile: a broker chapter's code (its run reaches the Redis the grader
 * started on the host) connects to another port of the host's 127.0.0.1,
 * where hostile_test.sh listens. Expected: inside the run's own network
 * only the broker's port answers, so the connect fails; zero. */
#include "pubsub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int probe(struct redis_link *link)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)atoi("@HOST_PORT@"))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = fd >= 0 ? connect(fd, (struct sockaddr *)&a, sizeof a) : -1;
    int err = errno;
    if (fd >= 0)
        close(fd);
    if (rc == 0)
        return redis_link_fail(link, "ESCAPED: reached port @HOST_PORT@ of the host");
    return redis_link_fail(link, "blocked: connect to a host port: %s", strerror(err));
}

int subscriber_open(struct subscriber *sub, const char *url, const char *channel)
{
    (void)url, (void)channel;
    sub->link.ctx = NULL;
    return probe(&sub->link);
}

/* The rest does nothing: what counts is the probe above. */
int subscriber_next(struct subscriber *sub, char *buf, size_t cap, size_t *len, int timeout_ms)
{
    (void)buf, (void)cap, (void)len, (void)timeout_ms;
    return redis_link_fail(&sub->link, "no subscription");
}

void subscriber_close(struct subscriber *sub)
{
    sub->link.ctx = NULL;
}

long publish_message(struct redis_link *link, const char *channel, const void *msg, size_t len)
{
    (void)channel, (void)msg, (void)len;
    return probe(link);
}

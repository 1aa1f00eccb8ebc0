/*
 * netrelay.h - makes a host broker's port answer inside a run's own
 * network namespace, and nothing else of the host (see netrelay.c).
 */
#ifndef WB_NETRELAY_H
#define WB_NETRELAY_H

#include <stddef.h>
#include <sys/types.h>

/* At most this many broker ports per run (Kafka may list a few). */
#define NETRELAY_MAX_PORTS 8

/* Adds to ports (n of them so far, max NETRELAY_MAX_PORTS) the ports of a
 * broker address as the environment gives it: "amqp://u:p@127.0.0.1:5672/v",
 * "host:port[,host:port]", "nats://127.0.0.1:4222", "redis://127.0.0.1:6379".
 * Returns the new count, or -1 when an address is not 127.0.0.1 / localhost
 * (or cannot be read): such a broker cannot be relayed. */
int netrelay_parse_ports(const char *value, unsigned short *ports, int n);

/* In the keeper, before any namespace is made: forks the relay, which stays
 * in the grader's network and dies with the keeper. Returns its pid (and
 * the keeper's end of their channel in *channel), or -1. */
pid_t netrelay_start(int *channel);

/* In the keeper, inside the run's new network namespace: listens on
 * 127.0.0.1:PORT for each port and hands the sockets to the relay, which
 * connects each accepted connection to the same port of the host. Closes
 * channel. 0 on success. */
int netrelay_listen(int channel, const unsigned short *ports, int nports);

#endif

/*
 * balance.h - exercise "scale_out": several order-core instances behind
 * gRPC's client-side load balancing, several order-front instances each with
 * its own events (you write balance.c).
 *
 * gRPC resolves a target into addresses and a load-balancing policy picks
 * one per call. With the default policy (pick_first) every call goes to the
 * first address that works; round_robin spreads calls over all of them and
 * skips an instance whose connection broke. The target lists the instances
 * ("ipv4:" scheme, comma-separated); the policy comes from the channel's
 * service config (JSON), which can also ask gRPC to retry a call that failed
 * with UNAVAILABLE on another instance.
 *
 * Events come back through the broker: each order-front instance binds its
 * own queue with its own routing key, and sends that key to order-core as
 * the request's reply_to (order-core publishes the event with it), so it receives only the events of its own orders.
 * On Kafka (BROKER=kafka) the queue name is the instance's topic and its
 * consumer group, and it is what order-front sends as reply_to.
 */
#ifndef BALANCE_H
#define BALANCE_H

#include <stddef.h>

/* The gRPC target for the comma-separated "host:port" list addrs: "ipv4:"
 * followed by the list ("ipv4:127.0.0.1:7001,127.0.0.1:7002"). Returns 0,
 * or -1 when it does not fit in len or addrs is empty. */
int balance_target(const char *addrs, char *out, size_t len);

/* The service config JSON of the channel to order-core: round_robin, and a
 * retry policy for UNAVAILABLE on /orders.OrderCore/Place. Static text. */
const char *balance_service_config(void);

/* The queue of order-front instance `instance` and the routing key its
 * events carry (also what it sends as reply_to), e.g. queue
 * "EXCHANGE.front.INSTANCE" and key "order.confirmed.INSTANCE" (order-front
 * binds the queue with the key and sends the key as reply_to). Returns 0,
 * or -1 when a name does not fit. */
int balance_instance_queue(const char *exchange, const char *instance, char *queue, size_t qlen,
                           char *key, size_t klen);

#endif

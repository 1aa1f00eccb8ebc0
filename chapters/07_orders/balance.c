/*
 * balance.c - exercise "scale_out": client-side load balancing and one
 * queue per order-front instance (contract in balance.h).
 */
#include "balance.h"

#include <stdio.h>

int balance_target(const char *addrs, char *out, size_t len)
{
    // TODO: "ipv4:" + addrs (gRPC's static resolver takes a comma-separated list
    // of addresses); -1 when addrs is empty or the result does not fit.
    (void)addrs;
    (void)out;
    (void)len;
    return -1;
}

const char *balance_service_config(void)
{
    // TODO: return the service config JSON: loadBalancingConfig round_robin, and
    // a methodConfig for service "orders.OrderCore" with a retryPolicy (maxAttempts 3, short
    // backoff, retryableStatusCodes ["UNAVAILABLE"]).
    return "{}";
}

int balance_instance_queue(const char *exchange, const char *instance, char *queue, size_t qlen,
                           char *key, size_t klen)
{
    // TODO: queue "EXCHANGE.front.INSTANCE", key "order.confirmed.INSTANCE";
    // -1 when either does not fit.
    (void)exchange;
    (void)instance;
    (void)queue;
    (void)qlen;
    (void)key;
    (void)klen;
    return -1;
}

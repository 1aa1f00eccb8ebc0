/* mistake: the service config selects round_robin but asks for no retry of UNAVAILABLE calls
 * rule: "the policy comes from the channel's service config (JSON), which can also ask gRPC to retry a call that failed with UNAVAILABLE on another instance"
 * caught-by: service_config_asks_for_round_robin
 */
/*
 * balance.c - exercise "scale_out": client-side load balancing and one
 * queue per order-front instance (contract in balance.h).
 */
#include "balance.h"

#include <stdio.h>

int balance_target(const char *addrs, char *out, size_t len)
{
    // @student-begin: "ipv4:" + addrs (gRPC's static resolver takes a comma-separated list
    // of addresses); -1 when addrs is empty or the result does not fit.
    if (!addrs || !*addrs)
        return -1;
    int n = snprintf(out, len, "ipv4:%s", addrs);
    return n < 0 || (size_t)n >= len ? -1 : 0;
    // @student-stub
    // (void)addrs;
    // (void)out;
    // (void)len;
    // return -1;
    // @student-end
}

const char *balance_service_config(void)
{
    // @student-begin: return the service config JSON: loadBalancingConfig round_robin, and
    // a methodConfig for service "orders.OrderCore" with a retryPolicy (maxAttempts 3, short
    // backoff, retryableStatusCodes ["UNAVAILABLE"]).
    return "{\"loadBalancingConfig\": [{\"round_robin\": {}}]}";
    // @student-stub
    // return "{}";
    // @student-end
}

int balance_instance_queue(const char *exchange, const char *instance, char *queue, size_t qlen,
                           char *key, size_t klen)
{
    // @student-begin: queue "EXCHANGE.front.INSTANCE", key "order.confirmed.INSTANCE";
    // -1 when either does not fit.
    int q = snprintf(queue, qlen, "%s.front.%s", exchange, instance);
    int k = snprintf(key, klen, "order.confirmed.%s", instance);
    return q < 0 || (size_t)q >= qlen || k < 0 || (size_t)k >= klen ? -1 : 0;
    // @student-stub
    // (void)exchange;
    // (void)instance;
    // (void)queue;
    // (void)qlen;
    // (void)key;
    // (void)klen;
    // return -1;
    // @student-end
}

/*
 * balance_standin.c - what the services use for balance.h until you reach
 * exercise "scale_out": only the first order-core address is used, with
 * gRPC's default policy, and every order-front instance shares one queue
 * that receives every event. Fine with one instance of each; the tests of
 * "scale_out" use your balance.c instead.
 */
#include "balance.h"

#include <stdio.h>
#include <string.h>

int balance_target(const char *addrs, char *out, size_t len)
{
    size_t first = strcspn(addrs, ",");
    if (first == 0 || first >= len)
        return -1;
    memcpy(out, addrs, first);
    out[first] = '\0';
    return 0;
}

const char *balance_service_config(void)
{
    return NULL;
}

int balance_instance_queue(const char *exchange, const char *instance, char *queue, size_t qlen,
                           char *key, size_t klen)
{
    (void)instance;
    int q = snprintf(queue, qlen, "%s.front", exchange);
    int k = snprintf(key, klen, "order.confirmed.front");
    return q < 0 || (size_t)q >= qlen || k < 0 || (size_t)k >= klen ? -1 : 0;
}

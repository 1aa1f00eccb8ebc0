/*
 * order_front.h - service A (order-front): HTTP in, gRPC out, events in.
 *
 * Environment:
 *   ORDER_FRONT_PORT      HTTP port on 127.0.0.1 (default 8080)
 *   ORDER_FRONT_INSTANCE  this instance's name: its queue and routing key (a1)
 *   ORDER_CORE_ADDRS      order-core instances, "host:port[,host:port...]"
 *   AMQP_ADDR             the broker (amqp://guest:guest@127.0.0.1:5672/%2f)
 *   ORDERS_EXCHANGE       the events' topic exchange (orders)
 *   HOP_LOG               file for hop events (hops.h), none when unset
 *   ORDER_CORE_REST       "host:port": call order-core's REST twin instead of
 *                         gRPC (the bench's comparison; single instance)
 */
#ifndef ORDER_FRONT_H
#define ORDER_FRONT_H

/* Runs order-front until SIGINT or SIGTERM. Returns the exit status. */
int order_front_main(int argc, char *argv[]);

#endif

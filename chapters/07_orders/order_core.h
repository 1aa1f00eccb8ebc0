/*
 * order_core.h - service B (order-core): gRPC in, events out.
 *
 * Environment:
 *   ORDER_CORE_LISTEN  gRPC address (default 127.0.0.1:7001)
 *   ORDER_CORE_NAME    this instance's name, in events and replies (b1)
 *   AMQP_ADDR          the broker (amqp://guest:guest@127.0.0.1:5672/%2f)
 *   ORDERS_EXCHANGE    the events' topic exchange (orders)
 *   HOP_LOG            file for hop events (hops.h), none when unset
 *   ORDER_CORE_REST_PORT  also serve Place as REST (POST /place, JSON) on
 *                      this port, for the bench's comparison (none when unset)
 */
#ifndef ORDER_CORE_H
#define ORDER_CORE_H

/* Runs order-core until SIGINT or SIGTERM. Returns the exit status. */
int order_core_main(int argc, char *argv[]);

#endif

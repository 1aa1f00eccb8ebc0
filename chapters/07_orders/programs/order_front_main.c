/*
 * order_front_main.c - the order-front program (service A):
 *
 *     ORDER_FRONT_PORT=8080 ORDER_CORE_ADDRS=127.0.0.1:7001 AMQP_ADDR=... order-front
 *
 * Ctrl-C or SIGTERM stops it cleanly. See order_front.h for the settings.
 */
#include "order_front.h"

int main(int argc, char *argv[])
{
    return order_front_main(argc, argv);
}

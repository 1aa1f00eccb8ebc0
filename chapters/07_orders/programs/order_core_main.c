/*
 * order_core_main.c - the order-core program (service B):
 *
 *     ORDER_CORE_LISTEN=127.0.0.1:7001 AMQP_ADDR=... order-core
 *
 * Ctrl-C or SIGTERM stops it cleanly. See order_core.h for the settings.
 */
#include "order_core.h"

int main(int argc, char *argv[])
{
    return order_core_main(argc, argv);
}

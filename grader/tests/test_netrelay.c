/*
 * test_netrelay.c - which broker addresses the relay
 * (grader/src/sandbox/netrelay.c) takes. The relay itself is exercised by
 * grading the broker chapters and by the hostile case
 * host_port_broker_chapter.
 */
#include "netrelay.h"
#include "wb_testkit.h"

WB_SUITE(netrelay);

Test(netrelay, ports_of_each_broker_address)
{
    unsigned short p[NETRELAY_MAX_PORTS];
    int n = netrelay_parse_ports("amqp://guest:guest@127.0.0.1:5673/wb", p, 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(p[0], 5673);
    n = netrelay_parse_ports("127.0.0.1:9092,localhost:9093,127.0.0.1:9092", p, n);
    cr_assert_eq(n, 3, "a port already listed is listed once");
    cr_assert_eq(p[1], 9092);
    cr_assert_eq(p[2], 9093);
    n = netrelay_parse_ports("nats://127.0.0.1:4222", p, n);
    n = netrelay_parse_ports("redis://127.0.0.1:6380", p, n);
    cr_assert_eq(n, 5);
    cr_assert_eq(p[4], 6380);
}

Test(netrelay, addresses_off_loopback_are_refused)
{
    unsigned short p[NETRELAY_MAX_PORTS];
    cr_assert_eq(netrelay_parse_ports("redis://10.0.0.5:6379", p, 0), -1);
    cr_assert_eq(netrelay_parse_ports("127.0.0.1:9092,kafka.example:9092", p, 0), -1);
    cr_assert_eq(netrelay_parse_ports("0.0.0.0:4222", p, 0), -1);
    cr_assert_eq(netrelay_parse_ports("nats://127.0.0.1", p, 0), -1, "no port");
    cr_assert_eq(netrelay_parse_ports("127.0.0.1:99999", p, 0), -1);
    cr_assert_eq(netrelay_parse_ports("127.0.0.1:80x", p, 0), -1);
}

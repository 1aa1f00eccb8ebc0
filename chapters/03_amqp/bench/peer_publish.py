"""peer_publish.py - the peer of publish_rate.c for `make bench`: the same
work with pika, RabbitMQ's Python client (Debian's python3-pika).

Usage: AMQP_ADDR=amqp://... /usr/bin/python3 peer_publish.py [COUNT [SIZE]]

Publishes COUNT persistent messages of SIZE bytes (default 10000 x 100 B) to
a fresh durable queue with publisher confirms, two ways, and prints the same
lines as publish_rate:
  - "confirm each": BlockingConnection with confirm_delivery, where every
    basic_publish waits for its ack (one round trip per message);
  - "confirm batch": SelectConnection, publish everything, then count acks
    (the broker acks many at once with multiple=True).

RabbitMQ's own PerfTest would be the natural peer, but it is not on Maven
Central (see ../../../README.md, make bench).
"""
import os
import sys
import time

import pika

URL = os.environ.get("AMQP_ADDR") or "amqp://guest:guest@127.0.0.1:5672/%2f"
PERSISTENT = pika.BasicProperties(delivery_mode=2)


def confirm_each(queue, count, body):
    conn = pika.BlockingConnection(pika.URLParameters(URL))
    ch = conn.channel()
    ch.queue_declare(queue=queue, durable=True)
    ch.confirm_delivery()
    start = time.monotonic()
    for _ in range(count):
        ch.basic_publish("", queue, body, PERSISTENT)  # raises if nacked
    took = time.monotonic() - start
    ch.queue_delete(queue=queue)
    conn.close()
    return took


def confirm_batch(queue, count, body):
    state = {"acked": 0, "nacked": 0, "start": 0.0, "took": 0.0}

    def on_confirm(frame):
        method = frame.method
        if isinstance(method, pika.spec.Basic.Nack):
            state["nacked"] += 1
        # with multiple=True the tag acks everything up to it
        state["acked"] = max(state["acked"], method.delivery_tag)
        if state["acked"] >= count:
            state["took"] = time.monotonic() - state["start"]
            state["channel"].queue_delete(queue=queue, callback=lambda _: conn.close())

    def on_declared(_frame):
        ch = state["channel"]
        ch.confirm_delivery(on_confirm)
        state["start"] = time.monotonic()
        for _ in range(count):
            ch.basic_publish("", queue, body, PERSISTENT)

    def on_channel(ch):
        state["channel"] = ch
        ch.queue_declare(queue=queue, durable=True, callback=on_declared)

    conn = pika.SelectConnection(
        pika.URLParameters(URL),
        on_open_callback=lambda c: c.channel(on_open_callback=on_channel),
        on_open_error_callback=lambda c, e: sys.exit("peer_publish: %s" % e),
        on_close_callback=lambda c, r: c.ioloop.stop(),
    )
    conn.ioloop.start()
    if state["nacked"] or state["acked"] < count:
        sys.exit("peer_publish: %d nacked, %d of %d acked" % (state["nacked"], state["acked"], count))
    return state["took"]


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    body = b"x" * size
    queue = "wb-bench-pika-%d-%d" % (os.getpid(), int(time.time()))
    for name, run in (("confirm each", confirm_each), ("confirm batch", confirm_batch)):
        took = run(queue, count, body)
        print("%-14s %d x %d B: %.2f s, %.0f msg/s" % (name, count, size, took, count / took))


if __name__ == "__main__":
    main()

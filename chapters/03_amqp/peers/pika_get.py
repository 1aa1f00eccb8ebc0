#!/usr/bin/python3
"""pika_get.py URL QUEUE - a Python peer: fetch one message from a durable queue.

Prints "body=<body> delivery_mode=<n>" and exits 0, or exits 1 when the
queue stayed empty for 5 seconds.
"""
import sys
import time

import pika

url, queue = sys.argv[1], sys.argv[2]
connection = pika.BlockingConnection(pika.URLParameters(url))
channel = connection.channel()
try:
    channel.queue_declare(queue=queue, durable=True)  # same flags as the C producer
except pika.exceptions.ChannelClosedByBroker as e:
    # 406: the producer under test declared the queue with other properties.
    print("pika's declare of queue %s (durable=True) was refused: %s %s - the C producer "
          "declared it differently" % (queue, e.reply_code, e.reply_text))
    connection.close()
    sys.exit(1)
deadline = time.monotonic() + 5
while time.monotonic() < deadline:
    method, properties, body = channel.basic_get(queue=queue, auto_ack=True)
    if method is not None:
        print("body=%s delivery_mode=%s" % (body.decode(), properties.delivery_mode))
        connection.close()
        sys.exit(0)
    time.sleep(0.05)
print("no message in queue %s after 5 s" % queue)
connection.close()
sys.exit(1)

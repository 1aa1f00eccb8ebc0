#!/usr/bin/python3
"""pika_publish.py URL QUEUE BODY... - a Python peer: publish persistent
messages to QUEUE through the default exchange, with publisher confirms."""
import sys

import pika

url, queue, bodies = sys.argv[1], sys.argv[2], sys.argv[3:]
connection = pika.BlockingConnection(pika.URLParameters(url))
channel = connection.channel()
channel.confirm_delivery()
for body in bodies:
    channel.basic_publish(exchange="", routing_key=queue, body=body.encode(),
                          properties=pika.BasicProperties(delivery_mode=2),
                          mandatory=True)
print("published %d message(s)" % len(bodies))
connection.close()

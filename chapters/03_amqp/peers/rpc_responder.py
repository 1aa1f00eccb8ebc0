#!/usr/bin/python3
"""rpc_responder.py URL QUEUE COUNT [stale] - a Python peer answering requests.

Declares QUEUE, prints "ready", then answers COUNT requests: the reply body is
the request upper-cased, sent to the request's reply_to with its
correlation_id. With "stale", each real reply is preceded by one carrying a
wrong correlation_id, which a correct client must ignore.
"""
import sys

import pika

url, queue, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
stale = len(sys.argv) > 4 and sys.argv[4] == "stale"
connection = pika.BlockingConnection(pika.URLParameters(url))
channel = connection.channel()
channel.queue_declare(queue=queue, auto_delete=True)
print("ready", flush=True)
answered = 0
for method, properties, body in channel.consume(queue, inactivity_timeout=20):
    if method is None:
        break
    if stale:
        channel.basic_publish(exchange="", routing_key=properties.reply_to,
                              properties=pika.BasicProperties(correlation_id="not-yours"),
                              body=b"STALE REPLY")
    channel.basic_publish(exchange="", routing_key=properties.reply_to,
                          properties=pika.BasicProperties(correlation_id=properties.correlation_id),
                          body=body.upper())
    channel.basic_ack(method.delivery_tag)
    answered += 1
    if answered >= count:
        break
connection.close()

#!/usr/bin/python3
"""redis_peer.py COMMAND URL ... - a Python (redis-py) peer for chapter 06's tests.

  xadd URL STREAM N             add N entries {data: "peer-I"}, print their ids
  xrange URL STREAM             print "ID DATA_HEX" per entry, oldest first
  subscribe URL CHANNEL N       subscribe, print "ready", then the payload (hex)
                                of the next N messages; exit 1 after 10 s
  crash URL STREAM GROUP NAME N read N new entries as consumer NAME of GROUP,
                                print their ids, then die by SIGKILL without
                                acknowledging anything (a consumer that crashed)
"""
import os
import signal
import sys
import time

import redis


def main():
    command, url = sys.argv[1], sys.argv[2]
    r = redis.Redis.from_url(url, socket_timeout=10)
    if command == "xadd":
        stream, n = sys.argv[3], int(sys.argv[4])
        for i in range(n):
            print(r.xadd(stream, {"data": "peer-%d" % i}).decode())
    elif command == "xrange":
        for entry_id, fields in r.xrange(sys.argv[3]):
            print(entry_id.decode(), fields.get(b"data", b"").hex())
    elif command == "subscribe":
        channel, n = sys.argv[3], int(sys.argv[4])
        pubsub = r.pubsub()
        pubsub.subscribe(channel)
        print("ready", flush=True)
        deadline = time.monotonic() + 10
        got = 0
        while got < n and time.monotonic() < deadline:
            message = pubsub.get_message(timeout=0.2)
            if message and message["type"] == "message":
                print(message["data"].hex(), flush=True)
                got += 1
        sys.exit(0 if got == n else 1)
    elif command == "crash":
        stream, group, name, n = sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
        for _, entries in r.xreadgroup(group, name, {stream: ">"}, count=n):
            for entry_id, _ in entries:
                print(entry_id.decode())
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    else:
        sys.exit("unknown command " + command)


main()

"""greeter_server.py - an independent Greeter server (Python grpcio) for the tests.

Usage: python3 greeter_server.py PORT [START_DELAY_MS]
Prints "STARTING" once grpc is loaded, binds 127.0.0.1:PORT (0 = any free
port) START_DELAY_MS later, prints "PORT <n>" once it serves, and runs until
SIGTERM. START_DELAY_MS -1 means "not ready for one call": it serves at once,
but answers its first SayHello UNAVAILABLE, as a server still starting does
(so a client's first call fails and its next one succeeds, whatever the
machine's speed). The stubs greeter_pb2 and greeter_pb2_grpc must be on
PYTHONPATH (the tests generate them with protoc).

SayHello:  name ""          -> INVALID_ARGUMENT "name must not be empty"
           name "slow..."   -> answers after 3 s (to trip a client deadline)
           otherwise        -> "Hello, <name>!"
SayHelloStream: count greetings "Hello, <name>! #i", 20 ms apart; prints
"STREAM CANCELLED after <k>" when the client goes away before the end.
"""
import signal
import sys
import threading
import time
from concurrent import futures

import grpc

import greeter_pb2
import greeter_pb2_grpc

# Set by SIGTERM. Handlers wait on it rather than sleep: at exit Python joins
# the server's worker threads, and a handler asleep for its 3 s would hold
# the process (and the test that stops it) that long.
STOPPING = threading.Event()


class Greeter(greeter_pb2_grpc.GreeterServicer):
    def __init__(self, refuse_first_call):
        self.refuse_next = refuse_first_call
        self.lock = threading.Lock()

    def SayHello(self, request, context):
        with self.lock:
            refuse, self.refuse_next = self.refuse_next, False
        if refuse:
            context.abort(grpc.StatusCode.UNAVAILABLE, "not serving yet, try again")
        if request.name == "":
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "name must not be empty")
        if request.name.startswith("slow"):
            STOPPING.wait(3)
        return greeter_pb2.HelloResponse(message="Hello, %s!" % request.name)

    def SayHelloStream(self, request, context):
        progress = {"sent": 0, "done": False}

        def on_end():
            if not progress["done"]:
                print("STREAM CANCELLED after %d" % progress["sent"], flush=True)

        context.add_callback(on_end)
        for i in range(1, request.count + 1):
            yield greeter_pb2.HelloResponse(message="Hello, %s! #%d" % (request.name, i))
            progress["sent"] = i
            if STOPPING.wait(0.02):
                return
        progress["done"] = True


def main():
    port = int(sys.argv[1])
    delay_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    print("STARTING", flush=True)
    if delay_ms > 0:
        time.sleep(delay_ms / 1000.0)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    greeter_pb2_grpc.add_GreeterServicer_to_server(Greeter(delay_ms < 0), server)
    bound = server.add_insecure_port("127.0.0.1:%d" % port)
    if bound == 0:
        print("cannot bind 127.0.0.1:%d" % port, flush=True)
        sys.exit(1)
    server.start()
    print("PORT %d" % bound, flush=True)

    signal.signal(signal.SIGTERM, lambda *_: STOPPING.set())
    signal.signal(signal.SIGINT, lambda *_: STOPPING.set())
    while not STOPPING.wait(0.1):
        pass
    server.stop(0)


if __name__ == "__main__":
    main()

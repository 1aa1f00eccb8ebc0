"""grpc_tap.py - a test-owned gRPC proxy between order-front and order-core.

    /usr/bin/python3 grpc_tap.py UPSTREAM

Listens on a free port of 127.0.0.1 (printed as "port N"), forwards every
/orders.OrderCore/Place call to UPSTREAM ("127.0.0.1:P") byte for byte, with
its traceparent metadata and its remaining deadline, and prints the
metadata it received ("traceparent VALUE") before forwarding. The test
reads those lines: they are what order-front really sent over gRPC, seen
from outside both services. Messages are not decoded (no stubs needed).
"""
import sys
from concurrent import futures

import grpc


def main():
    upstream = grpc.insecure_channel(sys.argv[1])
    place = upstream.unary_unary("/orders.OrderCore/Place")

    def handle(request, context):
        metadata = dict(context.invocation_metadata())
        traceparent = metadata.get("traceparent", "")
        print("traceparent", traceparent or "-", flush=True)
        forward = [("traceparent", traceparent)] if traceparent else []
        try:
            return place(request, metadata=forward, timeout=context.time_remaining())
        except grpc.RpcError as err:
            context.abort(err.code(), err.details() or "upstream failed")

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    handler = grpc.method_handlers_generic_handler(
        "orders.OrderCore", {"Place": grpc.unary_unary_rpc_method_handler(handle)})
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print("port", port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()

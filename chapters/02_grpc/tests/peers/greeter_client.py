"""greeter_client.py - an independent Greeter client (Python grpcio) for the tests.

Usage:
  python3 greeter_client.py TARGET hello NAME
  python3 greeter_client.py TARGET stream NAME COUNT [CANCEL_AFTER]
  python3 greeter_client.py TARGET method PATH        (calls an unknown method)
Prints "REPLY <message>" for each message received, then
"STATUS <CODE> <details>". Every call has a 5 s deadline.
"""
import sys

import grpc

import greeter_pb2
import greeter_pb2_grpc


def main():
    target, mode = sys.argv[1], sys.argv[2]
    with grpc.insecure_channel(target) as channel:
        stub = greeter_pb2_grpc.GreeterStub(channel)
        try:
            if mode == "hello":
                reply = stub.SayHello(greeter_pb2.HelloRequest(name=sys.argv[3]), timeout=5)
                print("REPLY %s" % reply.message, flush=True)
            elif mode == "stream":
                cancel_after = int(sys.argv[5]) if len(sys.argv) > 5 else 0
                request = greeter_pb2.HelloStreamRequest(name=sys.argv[3], count=int(sys.argv[4]))
                replies = stub.SayHelloStream(request, timeout=5)
                received = 0
                for reply in replies:
                    print("REPLY %s" % reply.message, flush=True)
                    received += 1
                    if received == cancel_after:
                        replies.cancel()
                        break
                if cancel_after and received == cancel_after:
                    print("STATUS CANCELLED by this client", flush=True)
                    return
            elif mode == "method":
                call = channel.unary_unary(sys.argv[3])
                call(b"", timeout=5)
            print("STATUS OK", flush=True)
        except grpc.RpcError as err:
            print("STATUS %s %s" % (err.code().name, err.details()), flush=True)


if __name__ == "__main__":
    main()

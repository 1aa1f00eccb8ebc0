"""greeter_client.py - an independent Greeter client (Python grpcio) for the tests.

Usage:
  python3 greeter_client.py TARGET CALL [-- CALL ...]
where each CALL is one of
  hello NAME
  stream NAME COUNT [CANCEL_AFTER]
  method PATH        (calls an unknown method)
The calls go one after another over one channel, so a test that needs
several pays for one Python start (grpc takes about 0.15 s of CPU to load).
For each call it prints "CALL <n>" (from 1; only when there are several), a
"REPLY <message>" per message received, then "STATUS <CODE> <details>". Every call has a 5 s deadline;
after a call that ran out of it, the rest are not made (a server that
answered nothing in 5 s will not answer them either).
"""
import sys

import grpc

import greeter_pb2
import greeter_pb2_grpc


def split_calls(words):
    calls, call = [], []
    for word in words:
        if word == "--":
            calls.append(call)
            call = []
        else:
            call.append(word)
    calls.append(call)
    return calls


def run_call(channel, stub, call):
    mode = call[0] if call else ""
    if mode == "hello":
        reply = stub.SayHello(greeter_pb2.HelloRequest(name=call[1]), timeout=5)
        print("REPLY %s" % reply.message, flush=True)
    elif mode == "stream":
        cancel_after = int(call[3]) if len(call) > 3 else 0
        request = greeter_pb2.HelloStreamRequest(name=call[1], count=int(call[2]))
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
        channel.unary_unary(call[1])(b"", timeout=5)
    else:
        print("STATUS BAD_USAGE unknown call %r" % mode, flush=True)
        return
    print("STATUS OK", flush=True)


def main():
    target = sys.argv[1]
    with grpc.insecure_channel(target) as channel:
        stub = greeter_pb2_grpc.GreeterStub(channel)
        calls = split_calls(sys.argv[2:])
        for number, call in enumerate(calls, start=1):
            if len(calls) > 1:
                print("CALL %d" % number, flush=True)
            try:
                run_call(channel, stub, call)
            except grpc.RpcError as err:
                print("STATUS %s %s" % (err.code().name, err.details()), flush=True)
                if err.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                    break


if __name__ == "__main__":
    main()

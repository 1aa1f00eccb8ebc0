#!/bin/sh
# test-greeter-program.sh - chapter 02's reference programs against an
# independent gRPC peer (Debian's python3-grpcio, stubs made from the
# chapter's greeter.proto): greeter_server answers both methods of the proto
# on one port (SayHello and SayHelloStream, through greeter_router.c), also
# on IPv6 loopback when the machine has it; greeter_stream serves and calls
# on its own; SIGTERM stops both cleanly.
#
#   scripts/test-greeter-program.sh [OUT_DIR]      (default build/greeter-program-test)
#
# It builds the programs from solutions/ into build/programs/bin/, as
# `make bench` does.
set -u
cd "$(dirname "$0")/.."
out=${1:-build/greeter-program-test}
mkdir -p "$out/py" || exit 1
out=$(cd "$out" && pwd)
PY=/usr/bin/python3 # the python3 first on PATH may lack grpcio

fail() {
    printf 'test-greeter-program: FAIL: %s\n' "$*" >&2
    exit 1
}

build/bin/wirebook build --submission solutions >"$out/build.log" 2>&1 ||
    fail "building the programs failed; see $out/build.log"
bin=build/programs/bin/02_grpc
[ -x "$bin/greeter_server" ] && [ -x "$bin/greeter_stream" ] || fail "no programs in $bin"
protoc --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin --python_out="$out/py" \
    --grpc_python_out="$out/py" -Ichapters/02_grpc chapters/02_grpc/greeter.proto ||
    fail "protoc could not make the Python stubs"

pids=""
cleanup() {
    for pid in $pids; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
}
trap cleanup EXIT INT TERM

# start NAME COMMAND...: runs it in the background, waits (up to 20 s) for
# its "listening on port N" line and sets $port and $pid.
start() {
    name=$1
    shift
    "$@" >"$out/$name.log" 2>&1 &
    pid=$!
    pids="$pids $pid"
    port=""
    n=0
    while [ -z "$port" ] && [ $n -lt 200 ] && kill -0 "$pid" 2>/dev/null; do
        sleep 0.1
        port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$out/$name.log")
        n=$((n + 1))
    done
    [ -n "$port" ] || fail "$name never said which port it listens on; its log:
$(cat "$out/$name.log")"
}

# expect WHAT EXPECTED COMMAND...: the command's output must be EXPECTED.
expect() {
    what=$1
    expected=$2
    shift 2
    got=$("$@" 2>&1)
    [ "$got" = "$expected" ] || fail "$what
expected:
$expected
got:
$got"
}

peer() { # peer TARGET ARGS...: the Python grpcio client of the chapter's tests
    PYTHONPATH=$out/py $PY chapters/02_grpc/tests/peers/greeter_client.py "$@"
}

# stop NAME PID: SIGTERM must end it with status 0 within 20 s.
stop() {
    kill -TERM "$2" || fail "$1 was no longer running"
    n=0
    while kill -0 "$2" 2>/dev/null && [ $n -lt 200 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    kill -0 "$2" 2>/dev/null && fail "$1 still runs 20 s after SIGTERM"
    wait "$2"
    rc=$?
    [ "$rc" -eq 0 ] || fail "$1 exited with status $rc after SIGTERM; its log:
$(cat "$out/$1.log")"
}

# 1. greeter_server: both methods of greeter.proto on one port.
start greeter_server "$bin/greeter_server" 127.0.0.1:0
server_pid=$pid
t=127.0.0.1:$port
expect "SayHello on greeter_server" "REPLY Hello, World!
STATUS OK" peer "$t" hello World
expect "SayHelloStream on greeter_server (tonic got UNIMPLEMENTED here once)" "REPLY Hello, Ada! #1
REPLY Hello, Ada! #2
REPLY Hello, Ada! #3
STATUS OK" peer "$t" stream Ada 3
expect "SayHelloStream cancelled by the client after 2" "REPLY Hello, Ada! #1
REPLY Hello, Ada! #2
STATUS CANCELLED by this client" peer "$t" stream Ada 1000 2
expect "an error status passes through the router" \
    "STATUS INVALID_ARGUMENT count must be between 1 and 100000" peer "$t" stream Ada 0
expect "an empty name" "STATUS INVALID_ARGUMENT name must not be empty" peer "$t" hello ""
expect "an unknown method" "STATUS UNIMPLEMENTED unknown method /example.Greeter/Nope" \
    peer "$t" method /example.Greeter/Nope
expect "a long stream arrives whole" "REPLY Hello, Big! #20000
STATUS OK" sh -c "PYTHONPATH=$out/py $PY chapters/02_grpc/tests/peers/greeter_client.py $t stream Big 20000 | tail -2"
expect "the C clients call it too" "RESPONSE=Hello, Cy!
RESPONSE=Hello, Bo! #1
STATUS=OK" sh -c "$bin/greeter_client Cy $t && $bin/greeter_stream call Bo 1 $t"
stop greeter_server "$server_pid"

# 2. The same on IPv6 loopback (the lesson's tonic programs use [::1]).
if $PY -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
    start greeter_server6 "$bin/greeter_server" '[::1]:0'
    expect "SayHello and SayHelloStream on [::1]" "REPLY Hello, Six!
STATUS OK
REPLY Hello, Six! #1
STATUS OK" sh -c "PYTHONPATH=$out/py $PY chapters/02_grpc/tests/peers/greeter_client.py '[::1]:$port' hello Six &&
        PYTHONPATH=$out/py $PY chapters/02_grpc/tests/peers/greeter_client.py '[::1]:$port' stream Six 1"
    stop greeter_server6 "$pid"
else
    echo "test-greeter-program: no IPv6 loopback here; [::1] not tried"
fi

# 3. greeter_stream's own main: serve, and call it.
start greeter_stream "$bin/greeter_stream" serve 127.0.0.1:0
stream_pid=$pid
expect "greeter_stream serve answers a Python client" "REPLY Hello, Eve! #1
REPLY Hello, Eve! #2
STATUS OK" peer "127.0.0.1:$port" stream Eve 2
expect "greeter_stream call against greeter_stream serve" "RESPONSE=Hello, Eve! #1
RESPONSE=Hello, Eve! #2
STATUS=OK" "$bin/greeter_stream" call Eve 2 "127.0.0.1:$port"
stop greeter_stream "$stream_pid"
pids=""
echo "test-greeter-program: ok, greeter_server serves SayHello and SayHelloStream; greeter_stream serves and calls"

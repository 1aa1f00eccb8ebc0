#!/bin/sh
# test-wirebook-trace.sh - runs one order through chapter 07's reference
# services and checks that scripts/wirebook-trace.sh draws the document's
# five arrows, in order, as Mermaid text and as SVG; with chromium installed
# it also renders the SVG to a PNG to look at.
#
#   scripts/test-wirebook-trace.sh [OUT_DIR]      (default build/trace-test)
#
# Needs AMQP_ADDR (a running broker: scripts/broker-rabbitmq.sh up), or with
# BROKER=kafka a KAFKA_BROKERS (scripts/broker-kafka.sh up), and the
# reference services built from solutions/ (it builds them, into
# build/programs/bin/ as `make bench` does). With BROKER=kafka the two broker
# arrows must say kafka.
set -u
cd "$(dirname "$0")/.."
out=${1:-build/trace-test}
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)

fail() {
    printf 'test-wirebook-trace: FAIL: %s\n' "$*" >&2
    exit 1
}
broker_protocol=amqp
if [ "${BROKER:-rabbitmq}" = kafka ]; then
    broker_protocol=kafka
    [ -n "${KAFKA_BROKERS:-}" ] || fail "BROKER=kafka needs KAFKA_BROKERS (scripts/broker-kafka.sh up; . build/brokers/kafka/env)"
else
    [ -n "${AMQP_ADDR:-}" ] || fail "AMQP_ADDR is not set (scripts/broker-rabbitmq.sh up; . build/brokers/rabbitmq/env)"
fi
upper=$(printf '%s' "$broker_protocol" | tr a-z A-Z)

# The reference services, built the way the grader builds them.
build/bin/wirebook build --submission solutions >"$out/build.log" 2>&1 ||
    fail "building the services failed; see $out/build.log"
bin=build/programs/bin/07_orders
[ -x "$bin/order_core" ] && [ -x "$bin/order_front" ] || fail "no services in $bin (see $out/build.log)"

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
core_port=$(free_port)
front_port=$(free_port)
hops=$out/hops.jsonl
rm -f "$hops"
exchange=wb-trace-test-$$
core_pid=""
front_pid=""
cleanup() {
    [ -n "$front_pid" ] && kill "$front_pid" 2>/dev/null
    [ -n "$core_pid" ] && kill "$core_pid" 2>/dev/null
    wait 2>/dev/null
}
trap cleanup EXIT INT TERM

HOP_LOG=$hops ORDERS_EXCHANGE=$exchange ORDER_CORE_LISTEN=127.0.0.1:$core_port \
    "$bin/order_core" >"$out/core.log" 2>&1 &
core_pid=$!
HOP_LOG=$hops ORDERS_EXCHANGE=$exchange ORDER_FRONT_PORT=$front_port ORDER_FRONT_INSTANCE=t1 \
    ORDER_CORE_ADDRS=127.0.0.1:$core_port "$bin/order_front" >"$out/front.log" 2>&1 &
front_pid=$!

trace=4bf92f3577b34da6a3ce929d0e0e4736
status=""
n=0
while [ "$status" != 201 ] && [ $n -lt 100 ]; do
    status=$(curl -s -o "$out/response.json" -w '%{http_code}' --max-time 10 \
        -H "traceparent: 00-$trace-00f067aa0ba902b7-01" -H 'Content-Type: application/json' \
        -d '{"item":"teapot","quantity":2}' "http://127.0.0.1:$front_port/orders" 2>/dev/null)
    [ "$status" = 201 ] || sleep 0.1
    n=$((n + 1))
done
[ "$status" = 201 ] || fail "POST /orders never got 201 (last: $status); see $out/front.log, $out/core.log"

sh scripts/wirebook-trace.sh -s "$out/trace.svg" "$hops" >"$out/trace.mmd" ||
    fail "wirebook-trace.sh failed"

# The five arrows of the document's diagram, in this order.
expected="Client->>ServiceA: HTTP
ServiceA->>ServiceB: GRPC
ServiceB->>MessageBroker: $upper
MessageBroker->>ServiceA: $upper
ServiceA->>Client: HTTP"
got=$(grep -- '->>' "$out/trace.mmd" | sed 's/^ *//; s/\(: [A-Z]*\).*/\1/')
[ "$got" = "$expected" ] || fail "Mermaid arrows differ from the document's diagram:
expected:
$expected
got:
$got
(full text: $out/trace.mmd)"
grep -q "trace $trace" "$out/trace.mmd" || fail "the diagram does not name trace $trace"

svg_arrows=$(grep -o 'data-from="[^"]*" data-to="[^"]*" data-protocol="[^"]*"' "$out/trace.svg" |
    sed 's/data-from="\([^"]*\)" data-to="\([^"]*\)" data-protocol="\([^"]*\)"/\1>\2:\3/')
svg_expected="client>order-front:http
order-front>order-core:grpc
order-core>broker:$broker_protocol
broker>order-front:$broker_protocol
order-front>client:http"
[ "$svg_arrows" = "$svg_expected" ] || fail "SVG arrows differ:
$svg_arrows"
grep -q '<script\|href="http' "$out/trace.svg" && fail "the SVG must be self-contained"

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$chromium" ]; then
    "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --window-size=880,460 --screenshot="$out/trace.png" "file://$out/trace.svg" \
        >"$out/chromium.log" 2>&1 || fail "chromium could not render $out/trace.svg"
    [ -s "$out/trace.png" ] || fail "chromium wrote no $out/trace.png"
    echo "test-wirebook-trace: rendered $out/trace.png"
fi
echo "test-wirebook-trace: ok, five arrows in order ($out/trace.mmd, $out/trace.svg)"

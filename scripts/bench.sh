#!/bin/sh
# bench.sh - the speed and memory figures of the reference solutions, as
# printed tables (`make bench`). Never part of `make test`: figures depend on
# the machine. Builds the programs from solutions/ and starts the brokers it
# needs (stopping them again), unless AMQP_ADDR / KAFKA_BROKERS are set.
#
#   GRPC_CALLS=10000 AMQP_MESSAGES=10000 KAFKA_MESSAGES=100000 sh scripts/bench.sh
set -u
cd "$(dirname "$0")/.."
WB=build/bin/wirebook
BIN=build/programs/bin
started=""

cleanup() {
    for b in $started; do sh "scripts/broker-$b.sh" down >/dev/null 2>&1; done
}
trap cleanup EXIT INT TERM

broker_env() { # broker_env NAME VAR: start NAME unless VAR is set; export VAR
    name=$1
    var=$2
    eval "value=\${$var:-}"
    if [ -z "$value" ]; then
        if ! sh "scripts/broker-$name.sh" status >/dev/null 2>&1; then
            sh "scripts/broker-$name.sh" up || { echo "bench: $name did not start" >&2; exit 1; }
            started="$started $name"
        fi
        value=$(sed -n "s/^$var=//p" "build/brokers/$name/env")
    fi
    export "$var=$value"
}

$WB build --submission solutions >/dev/null || { echo "bench: build failed" >&2; exit 1; }
broker_env rabbitmq AMQP_ADDR
broker_env kafka KAFKA_BROKERS

printf '\n== gRPC: sequential unary SayHello, C client -> C server (loopback)\n'
"$BIN/02_grpc/greeter_bench" "${GRPC_CALLS:-10000}"
printf '\n== AMQP: persistent %s x 100 B to a durable queue with publisher confirms\n' \
    "${AMQP_MESSAGES:-10000}"
"$BIN/03_amqp/publish_rate" "${AMQP_MESSAGES:-10000}" 100
printf '\n== Kafka: produce %s x 100 B, acks=all, idempotent, real broker at %s\n' \
    "${KAFKA_MESSAGES:-100000}" "$KAFKA_BROKERS"
"$BIN/04_kafka/kafka_bench" "${KAFKA_MESSAGES:-100000}" 100
printf '\n== Orders (chapter 07): %s orders through the whole path, gRPC vs REST between the services\n' \
    "${ORDERS:-300}"
sh chapters/07_orders/bench/orders_bench.sh "${ORDERS:-300}" "$BIN/07_orders"

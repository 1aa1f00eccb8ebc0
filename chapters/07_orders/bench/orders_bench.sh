#!/bin/sh
# orders_bench.sh - chapter 07's latency, hop by hop: N orders through the
# whole path (client -> order-front -> order-core -> broker -> order-front ->
# client), first with gRPC between the services, then with REST (HTTP/1.1 +
# JSON over a kept-alive libcurl connection) for the same call.
#
#   sh chapters/07_orders/bench/orders_bench.sh [N] [BIN_DIR]
#
# Needs AMQP_ADDR (a running broker) and the two programs in BIN_DIR
# (default build/programs/bin/07_orders, built by `make bench`). One client,
# one request at a time, all on loopback: these are latencies, not
# throughput. Per-hop times come from the services' hop events (HOP_LOG,
# CLOCK_REALTIME on one machine), end to end from curl's time_total.
set -u
n=${1:-300}
bin=${2:-build/programs/bin/07_orders}
warmup=20
work=$(mktemp -d "${TMPDIR:-/tmp}/orders-bench.XXXXXX") || exit 1
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

[ -n "${AMQP_ADDR:-}" ] || { echo "orders_bench: set AMQP_ADDR (a running RabbitMQ)" >&2; exit 1; }
[ -x "$bin/order_core" ] && [ -x "$bin/order_front" ] ||
    { echo "orders_bench: no order_core/order_front in $bin (make bench builds them)" >&2; exit 1; }
command -v curl >/dev/null || { echo "orders_bench: curl is needed" >&2; exit 1; }

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() { # wait_port PORT: up to 10 s
    i=0
    while [ $i -lt 100 ]; do
        curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# N POSTs over one kept-alive connection: one curl, one block per request.
client_config() { # client_config PORT COUNT
    i=0
    while [ "$i" -lt "$2" ]; do
        printf 'url = "http://127.0.0.1:%s/orders"\n' "$1"
        printf 'data = "{\\"item\\":\\"bench\\",\\"quantity\\":1}"\n'
        printf 'header = "Content-Type: application/json"\n'
        printf 'output = "/dev/null"\n'
        printf 'write-out = "%%{http_code} %%{time_total}\\n"\n'
        i=$((i + 1))
        [ "$i" -lt "$2" ] && printf 'next\n'
    done
}

run() { # run grpc|rest
    mode=$1
    grpc_port=$(free_port)
    rest_port=$(free_port)
    front_port=$(free_port)
    hops=$work/$mode.hops
    HOP_LOG=$hops ORDERS_EXCHANGE=wb-bench-$$-$mode ORDER_CORE_LISTEN=127.0.0.1:$grpc_port \
        ORDER_CORE_REST_PORT=$rest_port "$bin/order_core" >"$work/$mode.core.log" 2>&1 &
    pids="$pids $!"
    if [ "$mode" = rest ]; then
        set -- ORDER_CORE_REST=127.0.0.1:$rest_port
    else
        set -- ORDER_CORE_ADDRS=127.0.0.1:$grpc_port
    fi
    env "$@" HOP_LOG="$hops" ORDERS_EXCHANGE=wb-bench-$$-$mode ORDER_FRONT_PORT="$front_port" \
        ORDER_FRONT_INSTANCE=bench "$bin/order_front" >"$work/$mode.front.log" 2>&1 &
    pids="$pids $!"
    wait_port "$front_port" || { echo "orders_bench: order-front did not start" >&2; cat "$work/$mode.front.log" >&2; exit 1; }
    client_config "$front_port" "$warmup" >"$work/warmup.curl"
    curl -s -K "$work/warmup.curl" >/dev/null
    client_config "$front_port" "$n" >"$work/$mode.curl"
    curl -s -K "$work/$mode.curl" >"$work/$mode.client"
    bad=$(awk '$1 != 201' "$work/$mode.client" | wc -l)
    [ "$bad" -eq 0 ] || echo "orders_bench: $bad of $n requests did not get 201" >&2

    printf '\n== %s between order-front and order-core: %s orders, one at a time\n' \
        "$(echo "$mode" | tr a-z A-Z)" "$n"
    printf '%-44s %10s %10s\n' "hop" "p50 ms" "p99 ms"
    # Per order: the timestamps of its hop events, skipping the warm-up.
    awk -v skip="$warmup" '
        function field(line, key) {
            if (match(line, "\"" key "\":\"[^\"]*\""))
                return substr(line, RSTART + length(key) + 4, RLENGTH - length(key) - 5)
            return ""
        }
        {
            match($0, /"ts_us":[0-9]+/); ts = substr($0, RSTART + 8, RLENGTH - 8)
            id = field($0, "order_id"); what = field($0, "what")
            if (!(id in seen)) { seen[id] = ++orders; order[orders] = id }
            t[id, what] = ts
        }
        END {
            for (k = skip + 1; k <= orders; k++) {
                id = order[k]
                if (!((id, "201 Created") in t)) continue
                printf "A->B request (HTTP/2 gRPC or HTTP/1.1 REST)\t%f\n", (t[id, "received Place"] - t[id, "Place"]) / 1000
                printf "B publish -> broker confirm (AMQP)\t%f\n", (t[id, "received confirm"] - t[id, "publish order.confirmed"]) / 1000
                printf "B publish -> A delivery (AMQP, broker)\t%f\n", (t[id, "deliver order.confirmed"] - t[id, "publish order.confirmed"]) / 1000
                printf "A: request in -> 201 out (server side)\t%f\n", (t[id, "201 Created"] - t[id, "POST /orders"]) / 1000
            }
        }' "$hops" >"$work/$mode.samples"
    awk '$1 == 201 { printf "end to end (client, curl time_total)\t%f\n", $2 * 1000 }' \
        "$work/$mode.client" >>"$work/$mode.samples"
    for hop in "A->B request (HTTP/2 gRPC or HTTP/1.1 REST)" "B publish -> broker confirm (AMQP)" \
        "B publish -> A delivery (AMQP, broker)" "A: request in -> 201 out (server side)" \
        "end to end (client, curl time_total)"; do
        awk -F '\t' -v hop="$hop" '$1 == hop { print $2 }' "$work/$mode.samples" | sort -n |
            awk -v hop="$hop" '{ v[++k] = $1 }
                END { if (k == 0) { printf "%-44s %10s %10s\n", hop, "-", "-"; exit }
                      p50 = v[int(k * 0.50 + 0.5) > 0 ? int(k * 0.50 + 0.5) : 1]
                      p99 = v[int(k * 0.99 + 0.5) > 0 ? int(k * 0.99 + 0.5) : 1]
                      printf "%-44s %10.3f %10.3f\n", hop, p50, p99 }'
    done
    for p in $pids; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    pids=""
}

run grpc
run rest

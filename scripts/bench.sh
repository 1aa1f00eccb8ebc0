#!/bin/sh
# bench.sh - `make bench`: each reference program of the course beside its
# best peer on this machine, in one run. Prints every pair with its ratio and
# writes the same as build/bench/report.html (inline SVG bar charts, no
# external assets). Never part of `make test`: figures depend on the machine,
# so quote ratios, not absolute figures.
#
#   REST    hello_server and items_server (GET /items/1) vs nginx (nginx-light,
#           one worker, `return 200` with the same body), wrk keep-alive, same
#           connections
#   gRPC    the C-core greeter_server vs the Python grpcio peer server, under
#           the same clients: greeter_bench (C, sequential), a tonic client
#           (Rust, sequential; scripts/bench/tonic-client) and ghz (Go)
#   AMQP    publish_rate vs peer_publish.py (pika) on the same RabbitMQ node
#   Kafka   kafka_bench vs Kafka's own ProducerPerformance on the same real
#           node, same message size and acks
#   memory  RSS of each server after the load above (>= 10k requests each)
#   NATS    nats_bench (libnats) vs peer_publish.go (nats.go) on the same
#           server: core, JetStream PubAck each, JetStream async; nats-server's
#           start-up and RSS alone (chapters/05_nats/bench/run.sh)
#   Redis   xadd_rate (hiredis) vs redis-benchmark -c 1 -P 1, the same XADD,
#           appendfsync always and everysec; server RSS alone
#           (chapters/06_redis/bench/run.sh)
#   later chapters: any executable chapters/*/bench/run.sh
#   grading the grader itself on the reference solutions: the whole course
#           warm (wall and CPU), and each exercise checked alone
#
# The row format. Every figure is one line on stdout of a section (and of a
# chapter's bench/run.sh hook), collected in build/bench/rows.txt:
#
#   row|GROUP|WHO|PROGRAM|VALUE|UNIT|GOAL
#
#   GROUP    what is compared, the same text on both sides ("REST GET / wrk -c10")
#   WHO      "ours" (the course's reference program) or "peer"
#   PROGRAM  what ran ("hello_server", "nginx 1.22, 1 worker")
#   VALUE    a plain number (no thousands separators)
#   UNIT     req/s, calls/s, msg/s: more is better; KiB, us, ms: less is better
#   GOAL     on the ours row: the least ratio aimed for (0.5 = at least half as
#            good as the peer), or "-"; on the peer row always "-"
#
# A figure with no fair peer (a broker's own start-up time or memory) is a
# group with an ours row only and GOAL "-": the report shows it as "no peer".
#
# The ratio printed is how many times better ours is (ours/peer, or peer/ours
# for KiB, us and ms), so above 1 means ours is ahead. A hook runs from the
# repository root with BENCH_OUT (its own scratch folder), BENCH_SECONDS and
# the brokers' addresses (AMQP_ADDR, KAFKA_BROKERS) in its environment; it
# prints rows on stdout, anything else on stderr, and exits 0.
#
#   BENCH_ONLY="rest grpc amqp kafka hooks orders grading" BENCH_SECONDS=5 GRPC_CALLS=10000 ORDERS=300 \
#   AMQP_MESSAGES=10000 KAFKA_MESSAGES=500000 sh scripts/bench.sh
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WB=build/bin/wirebook
BIN=$ROOT/build/programs/bin
OUT=$ROOT/build/bench
TOOLS=$ROOT/build/tools
PY=/usr/bin/python3 # Debian's, with grpcio and pika (the first python3 on PATH may lack them)
ONLY=${BENCH_ONLY:-rest grpc amqp kafka hooks orders grading}
SECONDS_EACH=${BENCH_SECONDS:-5}
GRPC_CALLS=${GRPC_CALLS:-10000}
ORDERS=${ORDERS:-300}
AMQP_MESSAGES=${AMQP_MESSAGES:-10000}
KAFKA_MESSAGES=${KAFKA_MESSAGES:-500000} # enough for the JVM peer to warm up
ROWS=$OUT/rows.txt
started_brokers=""
pids=""

cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for b in $started_brokers; do sh "scripts/broker-$b.sh" down >/dev/null 2>&1; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" >&2; }
wants() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }
row() { printf 'row|%s|%s|%s|%s|%s|%s\n' "$1" "$2" "$3" "$4" "$5" "${6:--}" >>"$ROWS"; }

free_port() {
    $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT: until something accepts on 127.0.0.1:PORT (10 s at most).
wait_port() {
    $PY - "$1" <<'EOF'
import socket, sys, time
end = time.time() + 10
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOF
}

# start NAME PORT CMD...: runs CMD in the background (log in $OUT/NAME.log),
# waits for PORT; sets $started_pid.
start() {
    name=$1
    port=$2
    shift 2
    "$@" >"$OUT/$name.log" 2>&1 &
    started_pid=$!
    pids="$pids $started_pid"
    if ! wait_port "$port"; then
        say "bench: $name did not listen on port $port; see $OUT/$name.log"
        return 1
    fi
}

stop() { kill "$1" 2>/dev/null && wait "$1" 2>/dev/null; }

rss_kib() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null; }

# The requests/s wrk measured against URL with CONNS keep-alive connections.
wrk_rate() {
    wrk -t1 -c"$2" -d"${SECONDS_EACH}s" "$1" >"$OUT/wrk.log" 2>&1
    sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' "$OUT/wrk.log"
}

broker_env() { # broker_env NAME VAR: start NAME unless VAR is set; export VAR
    name=$1
    var=$2
    eval "value=\${$var:-}"
    if [ -z "$value" ]; then
        if ! sh "scripts/broker-$name.sh" status >/dev/null 2>&1; then
            sh "scripts/broker-$name.sh" up >&2 || { say "bench: $name did not start"; return 1; }
            started_brokers="$started_brokers $name"
        fi
        value=$(sed -n "s/^$var=//p" "build/brokers/$name/env")
    fi
    export "$var=$value"
}

# ---- REST ---------------------------------------------------------------------
bench_rest() {
    say "== REST: wrk -t1 keep-alive, ${SECONDS_EACH} s each"
    nginx_port=$(free_port)
    mkdir -p "$OUT/nginx"
    # One worker, like MHD's single polling thread in hello_server; no access log.
    cat >"$OUT/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$nginx_port;
        location = / { default_type "text/plain; charset=utf-8"; return 200 "Hello, world!"; }
        location = /items/1 {
            default_type application/json;
            return 200 '{"id":1,"name":"pencil","price":1.25}';
        }
    }
}
EOF
    start nginx "$nginx_port" nginx -e "$OUT/nginx/error.log" -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" || return 1
    nginx_pid=$started_pid
    nginx_label="nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), 1 worker"

    hello_port=$(free_port)
    start hello_server "$hello_port" "$BIN/01_rest/hello_server" "$hello_port" || return 1
    hello_pid=$started_pid
    items_port=$(free_port)
    start items_server "$items_port" "$BIN/01_rest/items_server" "$items_port" || return 1
    items_pid=$started_pid
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
        -d '{"name":"pencil","price":1.25}' "http://127.0.0.1:$items_port/items" ||
        say "bench: could not create item 1 on items_server"

    for c in 1 10; do
        group="REST GET / (wrk -c$c)"
        row "$group" ours hello_server "$(wrk_rate "http://127.0.0.1:$hello_port/" $c)" req/s 0.5
        row "$group" peer "$nginx_label" "$(wrk_rate "http://127.0.0.1:$nginx_port/" $c)" req/s
    done
    group="REST GET /items/1 (wrk -c10)"
    row "$group" ours items_server "$(wrk_rate "http://127.0.0.1:$items_port/items/1" 10)" req/s 0.5
    row "$group" peer "$nginx_label" "$(wrk_rate "http://127.0.0.1:$nginx_port/items/1" 10)" req/s

    row "memory: RSS after the REST load" ours hello_server "$(rss_kib "$hello_pid")" KiB
    row "memory: RSS after the REST load" peer "$nginx_label" "$(rss_kib "$nginx_pid")" KiB
    row "memory: RSS after the REST load (items)" ours items_server "$(rss_kib "$items_pid")" KiB
    row "memory: RSS after the REST load (items)" peer "$nginx_label" "$(rss_kib "$nginx_pid")" KiB
    stop "$hello_pid"
    stop "$items_pid"
    stop "$nginx_pid"
}

# ---- gRPC ---------------------------------------------------------------------
ghz_bin() {
    if [ ! -x "$TOOLS/ghz" ]; then
        say "bench: building ghz with go install (once, into build/tools)"
        (cd /tmp && GOBIN="$TOOLS" go install github.com/bojand/ghz/cmd/ghz@latest) >"$OUT/ghz-build.log" 2>&1 ||
            { say "bench: go install ghz failed (see $OUT/ghz-build.log): C client only"; return 1; }
    fi
    echo "$TOOLS/ghz"
}

# The lesson's own stack as a client: built once with cargo into build/tools.
tonic_client_bin() {
    if [ ! -x "$TOOLS/greeter-tonic-client" ]; then
        cargo=$(command -v cargo || echo "$HOME/.cargo/bin/cargo")
        [ -x "$cargo" ] || { say "bench: no cargo: no tonic client rows"; return 1; }
        say "bench: building the tonic client with cargo (once, into build/tools)"
        src=$TOOLS/tonic-client
        rm -rf "$src" && cp -r scripts/bench/tonic-client "$src" && cp chapters/02_grpc/greeter.proto "$src/" &&
            (cd "$src" && "$cargo" build --release) >"$OUT/tonic-build.log" 2>&1 &&
            cp "$src/target/release/greeter-tonic-client" "$TOOLS/" ||
            { say "bench: cargo build failed (see $OUT/tonic-build.log): no tonic client rows"; return 1; }
    fi
    echo "$TOOLS/greeter-tonic-client"
}

# sequential_rows CLIENT WHO LABEL GOAL LOG: calls/s and p50 from the log of a
# sequential client (greeter_bench and the tonic client print the same lines).
sequential_rows() {
    row "gRPC SayHello, $1 client, sequential" "$2" "$3" \
        "$(sed -n 's/.*= \([0-9]*\) calls\/s.*/\1/p' "$5")" calls/s "$4"
    row "gRPC SayHello p50 latency, $1 client" "$2" "$3" \
        "$(sed -n 's/^latency: p50 \([0-9]*\) us.*/\1/p' "$5")" us "$4"
}

# grpc_clients LABEL WHO PORT: every client against one server.
grpc_clients() {
    label=$1
    who=$2
    port=$3
    goal=-
    [ "$who" = ours ] && goal=1
    "$BIN/02_grpc/greeter_bench" "$GRPC_CALLS" "127.0.0.1:$port" >"$OUT/greeter_bench.log" 2>&1
    sequential_rows C "$who" "$label" $goal "$OUT/greeter_bench.log"
    if [ -n "$TONIC" ]; then
        "$TONIC" "$GRPC_CALLS" "http://127.0.0.1:$port" >"$OUT/tonic_client.log" 2>&1
        sequential_rows tonic "$who" "$label" $goal "$OUT/tonic_client.log"
    fi
    [ -n "$GHZ" ] || return 0
    for c in 1 10; do
        "$GHZ" --insecure --proto chapters/02_grpc/greeter.proto --import-paths chapters/02_grpc \
            --call example.Greeter.SayHello -d '{"name":"bench"}' -n "$GRPC_CALLS" -c $c \
            "127.0.0.1:$port" >"$OUT/ghz.log" 2>&1
        row "gRPC SayHello, ghz -c$c" "$who" "$label" \
            "$(sed -n 's/^[[:space:]]*Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' "$OUT/ghz.log")" calls/s $goal
    done
}

bench_grpc() {
    say "== gRPC: $GRPC_CALLS calls per client"
    GHZ=$(ghz_bin) || GHZ=""
    TONIC=$(tonic_client_bin) || TONIC=""
    py=$OUT/py
    mkdir -p "$py"
    protoc -Ichapters/02_grpc --python_out="$py" --grpc_out="$py" \
        --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin chapters/02_grpc/greeter.proto ||
        { say "bench: protoc for the Python peer failed"; return 1; }

    port=$(free_port)
    # exercise greeter_server alone, as in the lesson's figures (no router in front)
    start greeter_server "$port" "$BIN/02_grpc/greeter_server" --say-hello-only "127.0.0.1:$port" ||
        return 1
    pid=$started_pid
    grpc_clients "greeter_server (gRPC C core $(dpkg-query -W -f='${Version}' libgrpc-dev | sed 's/-.*//'))" ours "$port"
    row "memory: RSS of the gRPC server after the calls" ours greeter_server "$(rss_kib "$pid")" KiB
    stop "$pid"

    port=$(free_port)
    PYTHONPATH="$py" start greeter_peer "$port" $PY chapters/02_grpc/tests/peers/greeter_server.py "$port" ||
        return 1
    pid=$started_pid
    label="greeter_server.py (grpcio $($PY -c 'import grpc; print(grpc.__version__)'))"
    grpc_clients "$label" peer "$port"
    row "memory: RSS of the gRPC server after the calls" peer "$label" "$(rss_kib "$pid")" KiB
    stop "$pid"
}

# ---- AMQP ---------------------------------------------------------------------
bench_amqp() {
    say "== AMQP: $AMQP_MESSAGES persistent x 100 B, publisher confirms"
    broker_env rabbitmq AMQP_ADDR || return 1
    "$BIN/03_amqp/publish_rate" "$AMQP_MESSAGES" 100 >"$OUT/publish_rate.log" 2>&1
    $PY chapters/03_amqp/bench/peer_publish.py "$AMQP_MESSAGES" 100 >"$OUT/peer_publish.log" 2>&1
    pika="pika $($PY -c 'import pika; print(pika.__version__)')"
    for mode in each batch; do
        group="AMQP publish, confirm $mode"
        row "$group" ours publish_rate \
            "$(sed -n "s/^confirm $mode.* \([0-9]*\) msg\/s/\1/p" "$OUT/publish_rate.log")" msg/s 0.8
        row "$group" peer "peer_publish.py ($pika)" \
            "$(sed -n "s/^confirm $mode.* \([0-9]*\) msg\/s/\1/p" "$OUT/peer_publish.log")" msg/s
    done
}

# ---- Kafka --------------------------------------------------------------------
kafka_tools() {
    lib=$TOOLS/kafka-tools
    if ! ls "$lib"/kafka-tools-*.jar >/dev/null 2>&1; then
        say "bench: fetching org.apache.kafka:kafka-tools with Maven (once, into build/tools)"
        mvn -q -B -f scripts/bench/kafka-tools-pom.xml dependency:copy-dependencies \
            -Dwb.lib.dir="$lib" >"$OUT/kafka-tools-fetch.log" 2>&1 ||
            { say "bench: fetching kafka-tools failed; see $OUT/kafka-tools-fetch.log"; return 1; }
    fi
}

bench_kafka() {
    say "== Kafka: $KAFKA_MESSAGES x 100 B, acks=all, idempotent, real broker"
    broker_env kafka KAFKA_BROKERS || return 1
    "$BIN/04_kafka/kafka_bench" "$KAFKA_MESSAGES" 100 >"$OUT/kafka_bench.log" 2>&1
    group="Kafka produce 100 B, acks=all, idempotent"
    row "$group" ours kafka_bench "$(sed -n 's/.* \([0-9]*\) msg\/s.*/\1/p' "$OUT/kafka_bench.log")" msg/s 0.8
    kafka_tools || return 1
    # The same settings as kafka_bench, and librdkafka's default batch size
    # (the Java client's 16 KB default would handicap it). A first run of one
    # record creates the topic, so neither side measures topic creation.
    topic="bench-pp-$$"
    for n in 1 "$KAFKA_MESSAGES"; do
        java -Xmx512m -cp "$TOOLS/kafka-tools/*" org.apache.kafka.tools.ProducerPerformance \
            --topic "$topic" --num-records "$n" --record-size 100 --throughput -1 \
            --producer-props bootstrap.servers="$KAFKA_BROKERS" acks=all enable.idempotence=true \
            linger.ms=5 batch.size=1000000 >"$OUT/producer_performance.log" 2>&1
    done
    row "$group" peer "ProducerPerformance (kafka-tools 3.7.2)" \
        "$(sed -n 's/.* records sent, \([0-9.]*\) records\/sec.*/\1/p' "$OUT/producer_performance.log" | tail -n 1)" msg/s
}

# ---- hooks of later chapters ----------------------------------------------------
# NATS (chapters/05_nats/bench/run.sh) and Redis (chapters/06_redis/bench/run.sh)
# add their rows here, in the format above; a chapter without a hook is named
# in the table as "not measured yet".
bench_hooks() {
    for hook in chapters/*/bench/run.sh; do
        [ -x "$hook" ] || continue
        chapter=$(basename "$(dirname "$(dirname "$hook")")")
        say "== $chapter: $hook"
        mkdir -p "$OUT/$chapter"
        if ! BENCH_OUT="$OUT/$chapter" BENCH_SECONDS=$SECONDS_EACH "$hook" >"$OUT/$chapter/rows.out" 2>"$OUT/$chapter/run.log"; then
            say "bench: $hook failed; see $OUT/$chapter/run.log"
        fi
        grep '^row|' "$OUT/$chapter/rows.out" >>"$ROWS"
    done
    for chapter in 05_nats 06_redis; do
        [ -x "chapters/$chapter/bench/run.sh" ] ||
            printf 'note|%s: not measured yet (no chapters/%s/bench/run.sh)\n' "$chapter" "$chapter" >>"$ROWS"
    done
}

# ---- chapter 07: the whole path ----------------------------------------------------
# Latency per hop and end to end, gRPC between the services and then REST;
# its own table (percentiles per hop do not fit one bar per program).
bench_orders() {
    say "== Orders (chapter 07): $ORDERS orders through the whole path, gRPC vs REST between the services"
    broker_env rabbitmq AMQP_ADDR || return 1
    sh chapters/07_orders/bench/orders_bench.sh "$ORDERS" "$BIN/07_orders" | tee "$OUT/orders.txt"
}

# ---- the grader itself ------------------------------------------------------------
# Issue 15's goals for the grader: the whole course graded warm (brokers up,
# objects cached) and a student's check of one exercise. No peer: a figure
# alone. CPU is the machine's busy time over the run (/proc/stat), brokers
# included, so run it on a quiet machine.
busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
now_s() { date +%s.%N; }
bench_grading() {
    say "== grading: the reference solutions, whole course warm, then each exercise alone"
    for b in rabbitmq nats redis; do # up for both gradings, as for an instructor
        if ! sh "scripts/broker-$b.sh" status >/dev/null 2>&1; then
            sh "scripts/broker-$b.sh" up >&2 || { say "bench: $b did not start"; return 1; }
            started_brokers="$started_brokers $b"
        fi
    done
    $WB grade --submission solutions --out "$OUT/grading" --no-quiz >"$OUT/grading.log" 2>&1 # warm-up
    t0=$(now_s) c0=$(busy_ticks)
    $WB grade --submission solutions --out "$OUT/grading" --no-quiz >"$OUT/grading.log" 2>&1 ||
        { say "bench: grading failed; see $OUT/grading.log"; return 1; }
    t1=$(now_s) c1=$(busy_ticks)
    row "grading: the whole course, warm" ours "wirebook grade (-j $(($(nproc) * 3)))" \
        "$(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}')" s
    row "grading: CPU busy during one whole-course grading" ours "wirebook grade" \
        "$(echo "$c0 $c1" | awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($2 - $1) / hz}')" CPU-s
    : >"$OUT/checks.txt"
    for ex in $($PY -c 'import json; m = json.load(open("manifest.json"))
print(" ".join(c["id"] + "/" + e["id"] for c in m["chapters"] for e in c["exercises"]))'); do
        t0=$(now_s)
        # --plain-first: in the order a student's `wirebook check` runs them
        $WB grade --submission solutions --only "$ex" --no-quiz --plain-first --out "$OUT/check" \
            >/dev/null 2>&1
        echo "$ex $(echo "$t0 $(now_s)" | awk '{printf "%.2f", $2 - $1}')" >>"$OUT/checks.txt"
    done
    sort -k2 -n "$OUT/checks.txt" | awk -v rows="$ROWS" '
        { name[NR] = $1; s[NR] = $2; if ($2 <= 3) fast++ }
        END {
            median = NR % 2 ? s[(NR + 1) / 2] : (s[NR / 2] + s[NR / 2 + 1]) / 2
            printf "row|grading: one exercise checked alone, median of %d|ours|wirebook grade --only --plain-first|%.2f|s|-\n", NR, median >> rows
            printf "row|grading: one exercise checked alone, the slowest|ours|%s|%.2f|s|-\n", name[NR], s[NR] >> rows
            printf "note|grading: %d of %d exercises check in 3 s or less; the slowest: %s %s s, %s %s s, %s %s s (see build/bench/checks.txt)\n", fast, NR, name[NR], s[NR], name[NR - 1], s[NR - 1], name[NR - 2], s[NR - 2] >> rows
        }'
}

mkdir -p "$OUT" "$TOOLS"
: >"$ROWS"
$WB build --submission solutions >"$OUT/build.log" 2>&1 || { say "bench: build failed; see $OUT/build.log"; exit 1; }
for section in rest grpc amqp kafka hooks orders grading; do
    wants $section || continue
    bench_$section || say "bench: the $section section stopped early (rows above are kept)"
done
awk -f scripts/bench/report.awk -v html="$OUT/report.html" -v when="$(date -u '+%Y-%m-%d %H:%M UTC')" \
    -v machine="$(nproc) CPUs, $(uname -r)" "$ROWS"
echo "report: $OUT/report.html"

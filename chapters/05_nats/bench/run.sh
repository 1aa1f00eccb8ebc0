#!/bin/sh
# run.sh - chapter 05's rows for `make bench` (scripts/bench.sh runs it as a
# hook and keeps the lines starting with "row|"; the format is described at
# the top of scripts/bench.sh). It measures:
#   - nats-server's start-up time (until it accepts TCP, and until /healthz
#     says JetStream is ready) and its idle memory (RSS), on a throw-away
#     server with JetStream on. These have no peer: they are the broker's
#     own figures;
#   - bench/nats_bench (libnats, ours) beside bench/peer_publish.go (nats.go,
#     the NATS maintainers' Go client) on the same server, same message size
#     and count: core publish, JetStream with a PubAck each, JetStream async.
#     Each runs NATS_ROUNDS times, taking turns; a row is the best round (the
#     machine is shared: the best is the run least disturbed by other work).
#     The server is NATS_URL's or a private one (scripts/broker-nats.sh),
#     stopped again if this script started it; its RSS after both runs is a
#     row too (private server only).
#
#   sh chapters/05_nats/bench/run.sh [BIN_DIR]
#       BIN_DIR: default build/programs/bin (wirebook build --submission solutions)
#       NATS_MESSAGES: messages per run, default 20000; NATS_ROUNDS: runs of each, default 3
#       BENCH_OUT: logs (default build/bench/05_nats)
set -u
cd "$(dirname "$0")/../../.."
BIN=${1:-build/programs/bin}/05_nats/nats_bench
OUT=${BENCH_OUT:-build/bench/05_nats}
TOOLS=build/tools
PEER=$TOOLS/nats_peer_publish
N=${NATS_MESSAGES:-20000}
ROUNDS=${NATS_ROUNDS:-3}
SIZE=100

say() { printf '%s\n' "$*" >&2; }
[ -x "$BIN" ] || { say "nats bench: $BIN not built (wirebook build --submission solutions)"; exit 1; }
command -v nats-server >/dev/null 2>&1 || { say "nats bench: nats-server not installed"; exit 1; }
mkdir -p "$OUT" "$TOOLS" || exit 1
version=$(nats-server --version | sed 's/.*v//')
server="nats-server $version, JetStream on"

# The peer is built once, offline, from Debian's copy of nats.go
# (golang-github-nats-io-go-nats-dev): GOPATH mode needs no module proxy.
src=chapters/05_nats/bench/peer_publish.go
if [ ! -x "$PEER" ] || [ "$src" -nt "$PEER" ]; then
    say "nats bench: building $PEER (go build, GOPATH=/usr/share/gocode)"
    GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o "$PEER" "$src" >"$OUT/peer-build.log" 2>&1 ||
        { say "nats bench: building the Go peer failed (see $OUT/peer-build.log): no peer rows"; PEER=""; }
fi
peer_label="peer_publish.go (nats.go $(sed -n 's/^[[:space:]]*Version[[:space:]]*= "\(.*\)"/\1/p' \
    /usr/share/gocode/src/github.com/nats-io/nats.go/nats.go))"

python3 - "$server" <<'PY' || say "nats bench: start-up not measured"
import socket, subprocess, sys, tempfile, time, urllib.request

server = sys.argv[1]

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    return port

def healthy(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=1) as r:
            return b"ok" in r.read()
    except OSError:
        return False

def row(group, value, unit):
    print("row|%s|ours|%s|%s|%s|-" % (group, server, value, unit))

with tempfile.TemporaryDirectory() as store:
    port, mport = free_port(), free_port()
    start = time.monotonic()
    p = subprocess.Popen(["nats-server", "-a", "127.0.0.1", "-p", str(port), "-m", str(mport),
                          "-js", "-sd", store], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        accept_ms = None
        while True:
            if accept_ms is None:
                c = socket.socket()
                if c.connect_ex(("127.0.0.1", port)) == 0:
                    accept_ms = (time.monotonic() - start) * 1000
                c.close()
            if accept_ms is not None and healthy(mport):
                break
            if p.poll() is not None or time.monotonic() - start > 30:
                sys.exit("nats bench: nats-server did not start")
            time.sleep(0.002)
        ready_ms = (time.monotonic() - start) * 1000
        time.sleep(0.5)  # let it settle before reading its memory
        rss = 0
        with open("/proc/%d/status" % p.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        row("NATS start-up: until it accepts TCP", "%.1f" % accept_ms, "ms")
        row("NATS start-up: until /healthz ok (JetStream ready)", "%.1f" % ready_ms, "ms")
        row("memory: RSS of an idle nats-server (JetStream on)", rss, "KiB")
    finally:
        p.terminate(); p.wait()
PY

started=""
if [ -z "${NATS_URL:-}" ]; then
    if ! sh scripts/broker-nats.sh status >/dev/null 2>&1; then
        sh scripts/broker-nats.sh up >&2 || { say "nats bench: nats-server did not start"; exit 1; }
        started=yes
    fi
    NATS_URL=$(sed -n 's/^NATS_URL=//p' build/brokers/nats/env)
    export NATS_URL
fi

# best NAME TEXT: the highest msgs/s of the lines starting with TEXT in the
# rounds' logs of NAME (nats_bench and peer_publish print the same lines).
best() { cat "$OUT/$1".*.log | sed -n "s/^ *$2 .* \([0-9][0-9]*\) msgs\/s\$/\1/p" | sort -n | tail -n 1; }

status=0
rm -f "$OUT"/nats_bench.*.log "$OUT"/peer_publish.*.log
round=1
while [ "$round" -le "$ROUNDS" ]; do
    "$BIN" "$N" $SIZE >"$OUT/nats_bench.$round.log" 2>&1 ||
        { say "nats bench: nats_bench failed; see $OUT/nats_bench.$round.log"; status=1; }
    if [ -n "$PEER" ]; then
        "$PEER" "$N" $SIZE >"$OUT/peer_publish.$round.log" 2>&1 ||
            { say "nats bench: peer_publish failed; see $OUT/peer_publish.$round.log"; status=1; }
    fi
    round=$((round + 1))
done
for run in "core publish|core publish + 1 flush" "JetStream publish, PubAck each|JetStream, PubAck each" \
    "JetStream async publish + wait all|JetStream, async + wait all"; do
    group="NATS ${run%%|*}, $N x $SIZE B"
    text=${run#*|}
    printf 'row|%s|ours|nats_bench (libnats %s)|%s|msg/s|0.8\n' "$group" \
        "$(dpkg-query -W -f='${Version}' libnats-dev | sed 's/-.*//')" "$(best nats_bench "$text")"
    [ -n "$PEER" ] && printf 'row|%s|peer|%s|%s|msg/s|-\n' "$group" "$peer_label" "$(best peer_publish "$text")"
done

if [ -n "$started" ]; then
    pid=$(cat build/brokers/nats/nats-server.pid 2>/dev/null)
    [ -n "$pid" ] && printf 'row|memory: RSS of nats-server after the publish runs|ours|%s|%s|KiB|-\n' "$server" \
        "$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")"
    sh scripts/broker-nats.sh down >/dev/null
fi
exit $status

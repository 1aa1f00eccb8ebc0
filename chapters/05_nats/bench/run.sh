#!/bin/sh
# run.sh - chapter 05's figures for `make bench` (scripts/bench.sh calls it):
#   - nats-server's start-up time (until it accepts TCP) and its memory (RSS),
#     measured on a throw-away server with JetStream on;
#   - bench/nats_bench: core publish, JetStream with a PubAck each, JetStream
#     async, against NATS_URL or a private server (scripts/broker-nats.sh),
#     which is stopped again if this script started it.
#
#   sh chapters/05_nats/bench/run.sh [BIN_DIR]   (default build/programs/bin; NATS_MESSAGES=20000)
set -u
cd "$(dirname "$0")/../../.."
BIN=${1:-build/programs/bin}/05_nats/nats_bench
[ -x "$BIN" ] || { echo "nats bench: $BIN not built (wirebook build --submission solutions)" >&2; exit 1; }
command -v nats-server >/dev/null 2>&1 || { echo "nats bench: nats-server not installed" >&2; exit 1; }

python3 - <<'PY' || exit 1
import socket, subprocess, tempfile, time, urllib.request

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    return port

def healthy(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=1) as r:
            return b"ok" in r.read()
    except OSError:
        return False

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
                raise SystemExit("nats bench: nats-server did not start")
            time.sleep(0.002)
        ready_ms = (time.monotonic() - start) * 1000
        time.sleep(0.5)  # let it settle before reading its memory
        rss = 0
        with open("/proc/%d/status" % p.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        version = subprocess.run(["nats-server", "--version"], capture_output=True,
                                 text=True).stdout.split()[-1]
        print("  nats-server %s: accepts connections after %.0f ms, /healthz ok (JetStream "
              "ready) after %.0f ms, RSS %.1f MB idle" % (version, accept_ms, ready_ms, rss / 1024))
    finally:
        p.terminate(); p.wait()
PY

started=""
if [ -z "${NATS_URL:-}" ]; then
    if ! sh scripts/broker-nats.sh status >/dev/null 2>&1; then
        sh scripts/broker-nats.sh up >/dev/null || { echo "nats bench: nats-server did not start" >&2; exit 1; }
        started=yes
    fi
    NATS_URL=$(sed -n 's/^NATS_URL=//p' build/brokers/nats/env)
    export NATS_URL
fi
"$BIN" "${NATS_MESSAGES:-20000}" 100
rc=$?
if [ -n "$started" ]; then
    pid=$(cat build/brokers/nats/nats-server.pid 2>/dev/null)
    [ -n "$pid" ] && awk '/VmRSS/ {printf "  nats-server RSS after the run: %.1f MB\n", $2 / 1024}' "/proc/$pid/status"
    sh scripts/broker-nats.sh down >/dev/null
fi
exit $rc

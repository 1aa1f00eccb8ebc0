#!/bin/sh
# run.sh - chapter 06's rows for `make bench` (scripts/bench.sh runs it as a
# hook and keeps the lines starting with "row|"; the format is described at
# the top of scripts/bench.sh). On a private Redis server with appendonly yes,
# once with appendfsync always and once with everysec, it runs the same work
# twice: N acknowledged XADDs of a 100 B value, one at a time from one client,
#   - ours: bench/xadd_rate (hiredis);
#   - peer: redis-benchmark -c 1 -P 1 (Redis's own tool, Debian's redis-tools)
#     sending the same XADD (auto id, one field "data" of 100 B);
# each REDIS_ROUNDS times, taking turns; a row is the best round (the machine
# is shared: the best is the run least disturbed by other work). Then the
# server's RSS after the runs (no peer: the server's own figure).
# The servers live in a temporary folder and are stopped whatever happens.
# bench/fsync_cost.sh is the students' short version (ours only).
#
#   sh chapters/06_redis/bench/run.sh [BIN_DIR]
#       BIN_DIR: default build/programs/bin (wirebook build --submission solutions)
#       REDIS_MESSAGES: XADDs per run, default 10000; REDIS_ROUNDS: runs of each, default 3
#       BENCH_OUT: logs (default build/bench/06_redis)
set -u
cd "$(dirname "$0")/../../.."
RATE=${1:-build/programs/bin}/06_redis/xadd_rate
OUT=${BENCH_OUT:-build/bench/06_redis}
N=${REDIS_MESSAGES:-10000}
ROUNDS=${REDIS_ROUNDS:-3}
SIZE=100

say() { printf '%s\n' "$*" >&2; }
[ -x "$RATE" ] || { say "redis bench: $RATE not built (wirebook build --submission solutions)"; exit 1; }
command -v redis-benchmark >/dev/null 2>&1 || { say "redis bench: redis-benchmark not installed (redis-tools)"; exit 1; }
mkdir -p "$OUT" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wb-redis-bench.XXXXXX") || exit 1

broker() { # broker ACTION [OPTIONS]: our private server in $tmp
    env -u REDIS_URL WB_BUILD_DIR="$tmp" WB_REDIS_ARGS="${2:-}" sh scripts/broker-redis.sh "$1"
}
trap 'broker down >/dev/null 2>&1; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

version=$(redis-server --version | sed -n 's/.* v=\([0-9.]*\) .*/\1/p')
hiredis=$(dpkg-query -W -f='${Version}' libhiredis-dev | sed 's/-.*//')
value=$(printf "%${SIZE}s" "" | tr ' ' x) # the bytes xadd_rate sends: SIZE times 'x'

# best: the highest of the figures on stdin.
best() { sort -n | tail -n 1; }

status=0
for mode in always everysec; do
    broker up "--appendonly yes --appendfsync $mode" >&2 || { status=1; break; }
    url=$(sed -n 's/^REDIS_URL=//p' "$tmp/brokers/redis/env")
    port=${url##*:}
    group="Redis XADD $SIZE B one at a time, appendfsync $mode"

    ours=$OUT/xadd_rate-$mode.log
    peer=$OUT/redis-benchmark-$mode.log
    : >"$ours"
    : >"$peer"
    round=1
    while [ "$round" -le "$ROUNDS" ]; do
        REDIS_URL=$url "$RATE" "$N" $SIZE >>"$ours" 2>&1 ||
            { say "redis bench: xadd_rate failed; see $ours"; status=1; }
        # --csv: a header line, then "COMMAND","rps",... for the one test.
        redis-benchmark -h 127.0.0.1 -p "$port" -c 1 -P 1 -n "$N" --csv \
            XADD "wb-bench-peer-$$" '*' data "$value" >>"$peer" 2>&1 ||
            { say "redis bench: redis-benchmark failed; see $peer"; status=1; }
        round=$((round + 1))
    done
    printf 'row|%s|ours|xadd_rate (hiredis %s)|%s|msg/s|0.8\n' "$group" "$hiredis" \
        "$(sed -n 's/.* \([0-9][0-9]*\) XADD\/s.*/\1/p' "$ours" | best)"
    printf 'row|%s|peer|redis-benchmark -c 1 -P 1 (redis-tools %s)|%s|msg/s|-\n' "$group" "$version" \
        "$(sed -n 's/^"XADD[^"]*","\([0-9.]*\)".*/\1/p' "$peer" | best)"

    pid=$(cat "$tmp/brokers/redis/redis.pid" 2>/dev/null)
    [ -n "$pid" ] && printf 'row|memory: redis-server RSS after the XADDs (%s)|ours|redis-server %s|%s|KiB|-\n' \
        "$mode" "$version" "$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")"
    broker down >/dev/null
done
exit $status

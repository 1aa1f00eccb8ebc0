#!/bin/sh
# fsync_cost.sh - what `appendfsync always` costs: acknowledged XADDs per
# second, one at a time, on a private Redis server with appendfsync always and
# then everysec (same machine, same disk, same client).
#
#   sh chapters/06_redis/bench/fsync_cost.sh [N]     (N entries per mode, default 2000)
#
# Needs build/programs/bin/06_redis/xadd_rate (make bench builds it; so does
# `wirebook build --submission solutions`). The servers live in a temporary
# folder and are stopped again, whatever happens.
set -u
cd "$(dirname "$0")/../../.."
n=${1:-2000}
rate=${XADD_RATE:-build/programs/bin/06_redis/xadd_rate}
[ -x "$rate" ] || { echo "fsync_cost: $rate is missing: build the programs first" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wb-fsync-cost.XXXXXX") || exit 1

broker() { # broker ACTION [OPTIONS]: our private server in $tmp
    env -u REDIS_URL WB_BUILD_DIR="$tmp" WB_REDIS_ARGS="${2:-}" sh scripts/broker-redis.sh "$1"
}
trap 'broker down >/dev/null 2>&1; rm -rf "$tmp"' EXIT INT TERM

status=0
for mode in always everysec; do
    broker up "--appendonly yes --appendfsync $mode" >/dev/null || { status=1; break; }
    REDIS_URL=$(sed -n 's/^REDIS_URL=//p' "$tmp/brokers/redis/env") "$rate" "$n" 100 || status=1
    broker down >/dev/null
done
exit $status

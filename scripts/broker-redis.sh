#!/bin/sh
# broker-redis.sh - a private Redis server for wirebook's chapter 06.
#
#   scripts/broker-redis.sh up|down|status|restart|kill9
#
# Debian's redis-server started directly (no systemd, no /var/lib/redis), bound
# to 127.0.0.1 on a free port, with its data, log and pid file under
# build/brokers/redis/ (or $WB_BUILD_DIR/brokers/redis/). It keeps an
# append-only file (appendonly yes, appendfsync everysec: Redis's defaults for
# a durable server) and takes no RDB snapshots.
#
#   up       start the server on a free port, wait until it answers PING,
#            write build/brokers/redis/env (REDIS_URL=redis://127.0.0.1:PORT).
#            Does nothing if our server already runs, or if REDIS_URL is set
#            (your own server).
#   down     stop the server (SIGTERM: it flushes its append-only file), remove
#            the env file. The data folder stays.
#   restart  stop the server politely and start it again, same port and data.
#   kill9    SIGKILL the server (a crash: no chance to flush anything), then
#            start it again on the same port and data folder; the server
#            reloads its append-only file. Chapter 06's durability test uses it.
#   status   say what runs, where, and where the log is (exit 3 when down).
#
# WB_REDIS_ARGS, when set at `up`, adds redis-server options (for example
# "--appendfsync always"); restart and kill9 start the server with the same ones.
# A server started from inside a grader test dies with that test: the grader
# kills whatever a test leaves behind.
set -u

REDIS_SERVER=/usr/bin/redis-server
REDIS_CLI=/usr/bin/redis-cli
PYTHON=/usr/bin/python3

script_dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$script_dir/.." && pwd)
build=${WB_BUILD_DIR:-$root/build}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
BASE=$build/brokers/redis

STATE_FILE=$BASE/state # PORT=... and ARGS=... of the current server
ENV_FILE=$BASE/env     # what the Makefile and the grader source
PID_FILE=$BASE/redis.pid
DATA_DIR=$BASE/data
LOG_DIR=$BASE/log
LOG_FILE=$LOG_DIR/redis.log
LAUNCH_LOG=$LOG_DIR/launch.log # redis-server's own stdout/stderr
READY_TIMEOUT_S=30

say() { printf 'broker-redis: %s\n' "$*"; }
fail() {
    printf 'broker-redis: error: %s\n' "$*" >&2
    exit 1
}

# A TCP port on 127.0.0.1 that nothing uses right now (the kernel picks it).
free_port() {
    "$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

load_state() {
    [ -f "$STATE_FILE" ] || return 1
    PORT=
    ARGS=
    . "$STATE_FILE"
    [ -n "$PORT" ]
}

redis_url() { printf 'redis://127.0.0.1:%s' "$PORT"; }

# PONG from our port (a server still loading its data answers LOADING).
answers_ping() {
    [ "$("$REDIS_CLI" -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = PONG ]
}

# The pid of our server when it is alive (a zombie waiting to be reaped is not).
server_pid() {
    [ -f "$PID_FILE" ] || return 1
    pid=$(cat "$PID_FILE" 2>/dev/null)
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1)
    [ -n "$state" ] && [ "$state" != Z ] || return 1
    printf '%s\n' "$pid"
}

server_running() {
    load_state && server_pid >/dev/null && answers_ping
}

# Waits until process $1 is gone (or a zombie), at most $2 quarter seconds.
wait_gone() {
    n=0
    while [ -r "/proc/$1/stat" ] && [ "$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" != Z ]; do
        n=$((n + 1))
        [ "$n" -ge "$2" ] && return 1
        sleep 0.25
    done
    return 0
}

# Starts redis-server on $PORT with $ARGS and waits until it answers PING.
start_server() {
    mkdir -p "$DATA_DIR" "$LOG_DIR" || fail "cannot create $DATA_DIR and $LOG_DIR"
    if answers_ping || "$PYTHON" -c 'import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$PORT"; then
        fail "port 127.0.0.1:$PORT is already taken by another program; run '$0 down' and try again (up picks a new port)"
    fi
    rm -f "$PID_FILE"
    # $ARGS is split into words on purpose: it holds options like "--appendfsync always".
    # shellcheck disable=SC2086
    setsid "$REDIS_SERVER" --port "$PORT" --bind 127.0.0.1 --protected-mode yes \
        --daemonize no --dir "$DATA_DIR" --pidfile "$PID_FILE" --logfile "$LOG_FILE" \
        --save '' --appendonly yes $ARGS >>"$LAUNCH_LOG" 2>&1 </dev/null &
    launched=$!
    n=0
    until answers_ping; do
        n=$((n + 1))
        if ! kill -0 "$launched" 2>/dev/null || [ "$n" -ge $((READY_TIMEOUT_S * 20)) ]; then
            tail -n 5 "$LOG_FILE" "$LAUNCH_LOG" >&2 2>/dev/null
            kill -9 "$launched" 2>/dev/null
            fail "redis-server did not answer PING on 127.0.0.1:$PORT; see $LOG_FILE"
        fi
        sleep 0.05
    done
    printf 'REDIS_URL=%s\n' "$(redis_url)" >"$ENV_FILE" || fail "cannot write $ENV_FILE"
}

# Stops our server with SIGTERM (it flushes its append-only file), SIGKILL after 10 s.
stop_server() {
    pid=$(server_pid) || return 0
    kill "$pid" 2>/dev/null
    wait_gone "$pid" 40 || kill -9 "$pid" 2>/dev/null
    wait_gone "$pid" 20
    rm -f "$PID_FILE"
}

cmd_up() {
    if [ -n "${REDIS_URL:-}" ]; then
        say "REDIS_URL is set: using your server at $REDIS_URL, not starting one"
        return 0
    fi
    if server_running; then
        [ -f "$ENV_FILE" ] || printf 'REDIS_URL=%s\n' "$(redis_url)" >"$ENV_FILE"
        say "already up: REDIS_URL=$(redis_url)"
        return 0
    fi
    load_state && stop_server # leftovers of a crashed run, if any
    mkdir -p "$BASE" || fail "cannot create $BASE"
    PORT=$(free_port) || fail "cannot find a free port (is $PYTHON installed?)"
    ARGS=${WB_REDIS_ARGS:-}
    printf 'PORT=%s\nARGS="%s"\n' "$PORT" "$ARGS" >"$STATE_FILE" || fail "cannot write $STATE_FILE"
    say "starting redis-server on 127.0.0.1:$PORT (data: $DATA_DIR, log: $LOG_FILE)"
    start_server
    say "ready: REDIS_URL=$(redis_url)"
}

cmd_down() {
    if load_state && server_pid >/dev/null; then
        say "stopping redis-server on 127.0.0.1:$PORT"
        stop_server
    else
        say "not running (nothing of ours to stop)"
    fi
    rm -f "$ENV_FILE"
}

# restart and kill9: our server only, on the same port and data folder.
restart_with() { # restart_with SIGNAL
    if ! load_state; then
        [ -n "${REDIS_URL:-}" ] && fail "REDIS_URL is set and no server of ours exists: cannot restart your server"
        fail "no server of ours: run '$0 up' first"
    fi
    pid=$(server_pid) || fail "no server of ours is running: run '$0 up' first"
    if [ "$1" = KILL ]; then
        say "kill -9 of redis-server (pid $pid), then a new one on the same port $PORT"
        kill -9 "$pid" 2>/dev/null
        wait_gone "$pid" 40 || fail "redis-server pid $pid survived SIGKILL"
    else
        say "restarting redis-server (pid $pid) on the same port $PORT"
        stop_server
    fi
    start_server
    say "back: REDIS_URL=$(redis_url)"
}

cmd_status() {
    [ -n "${REDIS_URL:-}" ] && say "REDIS_URL is set: tests use your server at $REDIS_URL"
    if server_running; then
        say "up: pid $(server_pid), REDIS_URL=$(redis_url)${ARGS:+, options: $ARGS}"
        say "log: $LOG_FILE"
        return 0
    fi
    say "down (state folder: $BASE)"
    return 3
}

[ -x "$REDIS_SERVER" ] ||
    fail "$REDIS_SERVER not found: install redis-server (scripts/packages.txt, group 06_redis)"
[ -x "$REDIS_CLI" ] || fail "$REDIS_CLI not found: install redis-tools (it comes with redis-server)"

case ${1:-} in
up) cmd_up ;;
down) cmd_down ;;
restart) restart_with TERM ;;
kill9) restart_with KILL ;;
status) cmd_status ;;
*)
    echo "usage: $0 up|down|status|restart|kill9" >&2
    exit 2
    ;;
esac

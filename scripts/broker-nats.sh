#!/bin/sh
# broker-nats.sh - a private nats-server with JetStream for wirebook's chapter 05.
#
#   scripts/broker-nats.sh up|down|status|restart
#
#   up       start nats-server on free ports of 127.0.0.1 (client port and HTTP
#            monitoring port), JetStream on, its store under
#            build/brokers/nats/store (emptied at each up); wait until
#            /healthz says ok; write build/brokers/nats/env (NATS_URL=...).
#            Does nothing if ours already runs, or if NATS_URL is set (your
#            own server).
#   down     stop exactly what `up` started, remove the env file.
#   restart  stop the server (SIGTERM: a clean shutdown) and start it again on
#            the same port with the same store; every client is disconnected.
#   status   say what runs and where; exit 3 when ours is not running.
#
# The server is started by a small supervisor (this script with the internal
# action `supervise`), not by `up` itself: `restart` asks the supervisor to
# start it again, so a restart requested from inside a test gives a server
# that does not belong to the test (the grader kills everything a test leaves
# behind). Everything lives under $WB_BUILD_DIR/brokers/nats (default: build/).
set -u

script_dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$script_dir/.." && pwd)
build=${WB_BUILD_DIR:-$root/build}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
BASE=$build/brokers/nats
STORE=$BASE/store
PORTS_FILE=$BASE/ports            # PORT and MONITOR_PORT of the current server
ENV_FILE=$BASE/env                # what the Makefile and the grader source
PID_FILE=$BASE/nats-server.pid    # written by the supervisor
SUPERVISOR_PID_FILE=$BASE/supervisor.pid
RESTART_FLAG=$BASE/restart-requested
LOG=$BASE/nats-server.log
READY_SECONDS=30
NATS_SERVER=${WB_NATS_SERVER:-nats-server}

say() { printf 'broker-nats: %s\n' "$*"; }
fail() { printf 'broker-nats: error: %s\n' "$*" >&2; exit 1; }

free_port() {
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# True when the monitoring port answers /healthz with status ok (JetStream included).
healthy() {
    python3 -c 'import sys, urllib.request
try:
    with urllib.request.urlopen("http://127.0.0.1:%s/healthz" % sys.argv[1], timeout=1) as r:
        sys.exit(0 if b"ok" in r.read() else 1)
except Exception:
    sys.exit(1)' "$1"
}

load_ports() {
    [ -f "$PORTS_FILE" ] || return 1
    . "$PORTS_FILE"
    [ -n "${PORT:-}" ] && [ -n "${MONITOR_PORT:-}" ]
}

# pid of our running server, or nothing: the pid file must name a live
# nats-server whose command line holds our store folder.
running_pid() {
    [ -f "$PID_FILE" ] || return 0
    pid=$(cat "$PID_FILE" 2>/dev/null)
    [ -n "$pid" ] || return 0
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$STORE"; then
        echo "$pid"
    fi
}

nats_url() { printf 'nats://127.0.0.1:%s' "$PORT"; }

# Runs the server, and runs it again each time `restart` asks; ends when the
# server stops without such a request (`down`, or a crash).
supervise() {
    load_ports || exit 1
    while :; do
        rm -f "$RESTART_FLAG"
        "$NATS_SERVER" -a 127.0.0.1 -p "$PORT" -m "$MONITOR_PORT" -js -sd "$STORE" \
            -n wirebook </dev/null &
        echo $! >"$PID_FILE"
        wait $!
        [ -f "$RESTART_FLAG" ] || break
        say "supervisor: starting nats-server again (restart requested)"
    done
    rm -f "$PID_FILE"
}

# wait_ready OLD_PID START: until a server other than OLD_PID runs and is
# healthy, or READY_SECONDS after START.
wait_ready() {
    while :; do
        pid=$(running_pid)
        if [ -n "$pid" ] && [ "$pid" != "$1" ] && healthy "$MONITOR_PORT"; then
            return 0
        fi
        if ! kill -0 "$(cat "$SUPERVISOR_PID_FILE" 2>/dev/null)" 2>/dev/null; then
            tail -n 15 "$LOG" >&2
            fail "nats-server exited during start-up; see $LOG"
        fi
        if [ $(($(date +%s) - $2)) -ge "$READY_SECONDS" ]; then
            tail -n 15 "$LOG" >&2
            fail "nats-server not healthy after ${READY_SECONDS}s; see $LOG"
        fi
        sleep 0.05
    done
}

# stop_pid PID: SIGTERM, then SIGKILL after 10 s.
stop_pid() {
    kill -TERM "$1" 2>/dev/null || return 0
    n=0
    while kill -0 "$1" 2>/dev/null && [ $n -lt 200 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    kill -0 "$1" 2>/dev/null && kill -KILL "$1" 2>/dev/null
    return 0
}

cmd_up() {
    if [ -n "${NATS_URL:-}" ]; then
        say "NATS_URL is set: using your server at $NATS_URL, not starting one"
        return 0
    fi
    if [ -n "$(running_pid)" ] && load_ports; then
        [ -f "$ENV_FILE" ] || printf 'NATS_URL=%s\n' "$(nats_url)" >"$ENV_FILE"
        say "already up: NATS_URL=$(nats_url)"
        return 0
    fi
    command -v "$NATS_SERVER" >/dev/null 2>&1 ||
        fail "$NATS_SERVER not found: install nats-server (scripts/packages.txt, group 05_nats)"
    cmd_down >/dev/null # leftovers of a crashed run, if any
    mkdir -p "$BASE" || fail "cannot create $BASE"
    rm -rf "$STORE" && mkdir -p "$STORE" || fail "cannot empty $STORE"
    PORT=$(free_port) && MONITOR_PORT=$(free_port) || fail "cannot find free ports (python3?)"
    while [ "$MONITOR_PORT" = "$PORT" ]; do MONITOR_PORT=$(free_port); done
    printf 'PORT=%s\nMONITOR_PORT=%s\n' "$PORT" "$MONITOR_PORT" >"$PORTS_FILE" ||
        fail "cannot write $PORTS_FILE"
    started=$(date +%s)
    # setsid: its own session, so a terminal's Ctrl-C does not reach it.
    setsid sh "$script_dir/broker-nats.sh" supervise >>"$LOG" 2>&1 </dev/null &
    echo $! >"$SUPERVISOR_PID_FILE"
    wait_ready "" "$started"
    printf 'NATS_URL=%s\n' "$(nats_url)" >"$ENV_FILE" || fail "cannot write $ENV_FILE"
    say "up: NATS_URL=$(nats_url) (pid $(running_pid), monitoring http://127.0.0.1:$MONITOR_PORT, log $LOG)"
}

cmd_down() {
    pid=$(running_pid)
    rm -f "$RESTART_FLAG" # so the supervisor ends with the server
    [ -n "$pid" ] && stop_pid "$pid"
    supervisor=$(cat "$SUPERVISOR_PID_FILE" 2>/dev/null)
    if [ -n "$supervisor" ] && [ -r "/proc/$supervisor/cmdline" ] &&
        tr '\0' ' ' <"/proc/$supervisor/cmdline" | grep -q 'broker-nats.sh supervise'; then
        stop_pid "$supervisor"
    fi
    rm -f "$PID_FILE" "$SUPERVISOR_PID_FILE" "$ENV_FILE"
    if [ -n "$pid" ]; then say "stopped (pid $pid)"; else say "not running"; fi
}

cmd_restart() {
    pid=$(running_pid)
    [ -n "$pid" ] && load_ports || fail "no nats-server of ours is running: run '$0 up' first"
    started=$(date +%s)
    say "restarting nats-server (pid $pid) on port $PORT, same store"
    touch "$RESTART_FLAG" || fail "cannot write $RESTART_FLAG"
    stop_pid "$pid"
    wait_ready "$pid" "$started"
    say "restarted (pid $(running_pid))"
}

cmd_status() {
    [ -n "${NATS_URL:-}" ] && say "NATS_URL is set: tests use your server at $NATS_URL"
    pid=$(running_pid)
    if [ -n "$pid" ] && load_ports; then
        say "up: NATS_URL=$(nats_url), pid $pid, monitoring http://127.0.0.1:$MONITOR_PORT, log $LOG"
        return 0
    fi
    say "down (state folder: $BASE)"
    return 3
}

case ${1:-} in
up) cmd_up ;;
down) cmd_down ;;
restart) cmd_restart ;;
# The grader heals a broker after an exercise that restarts it; the
# supervisor here starts nats-server again whoever asked for the restart.
heal) exit 0 ;;
status) cmd_status ;;
supervise) supervise ;;
*)
    echo "usage: $0 up|down|status|restart|heal" >&2
    exit 2
    ;;
esac

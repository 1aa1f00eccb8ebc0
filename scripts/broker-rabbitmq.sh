#!/bin/sh
# broker-rabbitmq.sh - a private RabbitMQ node for wirebook's chapter 03.
#
#   scripts/broker-rabbitmq.sh up|down|status|restart|heal
#
# The node is Debian's rabbitmq-server started directly (no systemd, no
# /var/lib/rabbitmq): its own node name, cookie, HOME, epmd port and folders,
# all under build/brokers/rabbitmq/ (or $WB_BUILD_DIR/brokers/rabbitmq/).
#
#   up       start the node on free ports, wait until it accepts AMQP logins,
#            write build/brokers/rabbitmq/env (AMQP_ADDR=...). Does nothing if
#            our node already runs, or if AMQP_ADDR is set (your own broker).
#   down     stop the node and its private epmd, remove the env file.
#   restart  restart the broker application in the running node (same port,
#            same data; every client connection is dropped). With
#            WB_RABBITMQ_RESTART_VHOST=NAME set, only virtual host NAME
#            restarts, as the whole broker would for its clients; the
#            node's other clients never notice (the grader gives each
#            restart test a virtual host of its own).
#   status   say what runs, where, and where the log is.
#   heal     start the broker application again when our node runs without
#            it (a restart killed half-way); nothing otherwise.
#   vhost-add NAME
#            create virtual host NAME for guest (the grader makes one per
#            grading run, named wirebook-run-PID-...); first delete those of
#            runs whose PID is gone (runs that were killed).
#   vhost-delete NAME
#            delete virtual host NAME and all it holds, in the background.
#
# restart, vhost-add and vhost-delete run Erlang code in the node. `up`
# starts a control server for that (rabbitmq-ctl-server.escript: one Erlang
# VM for all calls, on a UNIX socket only root can open); without it each
# call boots a VM of its own, as it did before (0.3 s a call).
set -u

RABBIT_BIN=/usr/lib/rabbitmq/bin
ERL=${WB_RABBITMQ_ERL:-/usr/bin/erl} # the bare VM of node_eval (tests set /bin/false)
PYTHON=/usr/bin/python3

script_dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$script_dir/.." && pwd)
build=${WB_BUILD_DIR:-$root/build}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
BASE=$build/brokers/rabbitmq

NODE=wirebook@localhost
PORTS_FILE=$BASE/ports           # AMQP_PORT, DIST_PORT, EPMD_PORT of the current node
ENV_FILE=$BASE/env               # what the Makefile and the grader source
PID_FILE=$BASE/rabbitmq.pid      # written by the node itself
LOG_DIR=$BASE/log
LAUNCH_LOG=$LOG_DIR/launch.log   # the server script's own stdout/stderr
CTL_DIR=$BASE/ctl                # the control server's socket and pid; mode 0700
CTL_SOCKET=$CTL_DIR/socket
CTL_PID_FILE=$CTL_DIR/pid
READY_TIMEOUT=60

say() { printf 'broker-rabbitmq: %s\n' "$*"; }
fail() { printf 'broker-rabbitmq: error: %s\n' "$*" >&2; exit 1; }

# A TCP port on 127.0.0.1 that nothing uses right now (the kernel picks it).
free_port() {
    "$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
    "$PYTHON" -c 'import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"
}

load_ports() {
    [ -f "$PORTS_FILE" ] || return 1
    . "$PORTS_FILE"
    [ -n "${AMQP_PORT:-}" ] && [ -n "${DIST_PORT:-}" ] && [ -n "${EPMD_PORT:-}" ]
}

# Everything the server and the CLI need to find our node and only ours.
export_node_env() {
    export HOME="$BASE/home"
    export RABBITMQ_NODENAME="$NODE"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT="$AMQP_PORT"
    export RABBITMQ_DIST_PORT="$DIST_PORT"
    export ERL_EPMD_PORT="$EPMD_PORT"
    export ERL_EPMD_ADDRESS=127.0.0.1
    # 0..0: each CLI call lets the kernel pick its own distribution port.
    export RABBITMQ_CTL_DIST_PORT_MIN=0
    export RABBITMQ_CTL_DIST_PORT_MAX=0
    export RABBITMQ_MNESIA_BASE="$BASE/mnesia"
    export RABBITMQ_LOG_BASE="$LOG_DIR"
    export RABBITMQ_PID_FILE="$PID_FILE"
    export RABBITMQ_CONFIG_FILE="$BASE/rabbitmq.conf"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$BASE/enabled_plugins"
    export RABBITMQ_PLUGINS_EXPAND_DIR="$BASE/plugins-expand"
    export RABBITMQ_CONF_ENV_FILE="$BASE/no-such-rabbitmq-env.conf"
    # +sbwt none...: an idle Erlang scheduler sleeps at once instead of
    # spinning for work first (the default suits a machine of its own; here
    # the node shares two cores with the graders and their tests).
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} \
+sbwt none +sbwtdcpu none +sbwtdio none"
    unset RABBITMQ_ADVANCED_CONFIG_FILE 2>/dev/null || true
}

ctl() { "$RABBIT_BIN/rabbitmqctl" -q -n "$NODE" "$@"; }

# Evaluates the Erlang expressions $1 in our node, as `rabbitmqctl eval`
# does: through the control server when it runs, else from a bare Erlang
# VM (rabbitmqctl boots Elixir and its CLI too: 0.3 s a call against 0.1 s
# for a bare VM, and a few ms through the server). Every check makes one
# call (vhost-add) and every restart test another. Fails when $1 raises or
# the node does not answer within 2 minutes.
node_eval() { node_eval_by "" "$1"; }

# The control server's client: sends stdin to the server at $1, prints the
# reason of a failure; exits 0 (done), 1 (failed) or 3 (no server there,
# or it cannot reach the node: the caller may run the call another way).
CTL_CLIENT='import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(150)
try:
    s.connect(sys.argv[1])
except OSError:
    sys.exit(3)
s.sendall(sys.stdin.buffer.read())
s.shutdown(socket.SHUT_WR)
reply = b"".join(iter(lambda: s.recv(65536), b"")).decode(errors="replace")
if reply in ("ok\n", "unreachable\n"):
    sys.exit(0 if reply == "ok\n" else 3)
sys.stderr.write(reply.partition("\n")[2] or "the control server closed without a reply\n")
sys.exit(1)'

# node_eval with a launcher before the client or erl ($1: setsid for a call
# that goes on in the background after this script ends; "" for none).
node_eval_by() {
    if [ -S "$CTL_SOCKET" ]; then
        printf '%s' "$2" | $1 "$PYTHON" -c "$CTL_CLIENT" "$CTL_SOCKET"
        rc=$?
        [ "$rc" -eq 3 ] || return "$rc"
    fi
    WB_EXPR=$2 ERL_CRASH_DUMP_SECONDS=0 $1 "$ERL" -noinput -hidden -sname "wirebook-ctl-$$@localhost" \
        -kernel inet_dist_use_interface '{127,0,0,1}' -eval "
        {ok, Tokens, _} = erl_scan:string(os:getenv(\"WB_EXPR\")),
        {ok, Exprs} = erl_parse:parse_exprs(Tokens),
        case rpc:call('$NODE', erl_eval, exprs, [Exprs, []], 120000) of
            {value, _, _} -> halt(0);
            Failed -> io:format(standard_error, \"~p~n\", [Failed]), halt(1)
        end."
}

# True when our control server's process runs and its socket exists.
ctl_server_alive() {
    [ -S "$CTL_SOCKET" ] && [ -f "$CTL_PID_FILE" ] || return 1
    ctl_pid=$(cat "$CTL_PID_FILE" 2>/dev/null)
    [ -n "$ctl_pid" ] && kill -0 "$ctl_pid" 2>/dev/null
}

# Starts the control server for our running node (its environment exported)
# unless it runs already. A server that does not come up is only slower
# calls: node_eval then boots a VM per call, so this says so and goes on.
start_ctl_server() {
    ctl_server_alive && return 0
    stop_ctl_server
    (umask 077 && mkdir -p "$CTL_DIR") && chmod 700 "$CTL_DIR" || {
        say "cannot create $CTL_DIR: no control server (each call boots an Erlang VM)"
        return 0
    }
    setsid escript "$script_dir/rabbitmq-ctl-server.escript" "$NODE" "$CTL_SOCKET" \
        >>"$LAUNCH_LOG" 2>&1 </dev/null &
    printf '%s\n' "$!" >"$CTL_PID_FILE"
    tries=0
    until [ -S "$CTL_SOCKET" ]; do
        tries=$((tries + 1))
        if [ "$tries" -ge 100 ] || ! kill -0 "$!" 2>/dev/null; then
            stop_ctl_server
            say "the control server did not start (see $LAUNCH_LOG): each call boots an Erlang VM"
            return 0
        fi
        sleep 0.1
    done
}

stop_ctl_server() {
    if [ -f "$CTL_PID_FILE" ]; then
        ctl_pid=$(cat "$CTL_PID_FILE" 2>/dev/null)
        [ -n "$ctl_pid" ] && kill "$ctl_pid" 2>/dev/null
    fi
    rm -f "$CTL_SOCKET" "$CTL_PID_FILE"
}

amqp_url() { printf 'amqp://guest:guest@127.0.0.1:%s/%s' "$AMQP_PORT" "${1:-%2f}"; }

# A real AMQP login + channel + queue.delete of a name nobody uses, in
# virtual host $1 (default: /).
amqp_ok() {
    amqp-delete-queue --url="$(amqp_url "${1:-}")" --queue=wirebook-readiness-check \
        >/dev/null 2>&1
}

# Waits until AMQP logins to virtual host $1 ("": /) work, looking every
# $2 s, 40 times; then fails saying "$3 but AMQP logins fail".
wait_logins() {
    tries=0
    until amqp_ok "$1"; do
        tries=$((tries + 1))
        [ "$tries" -ge 40 ] && fail "$3 but AMQP logins fail; see $LOG_DIR/*.log"
        sleep "$2"
    done
}

# Our node answers the CLI (quick check: no Erlang start unless files exist).
node_running() {
    load_ports || return 1
    [ -f "$PID_FILE" ] || return 1
    pid=$(cat "$PID_FILE" 2>/dev/null)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    export_node_env
    ctl status >/dev/null 2>&1
}

write_files() {
    mkdir -p "$BASE/home" "$BASE/mnesia" "$LOG_DIR" "$BASE/plugins-expand" || return 1
    if [ ! -f "$BASE/home/.erlang.cookie" ]; then
        cookie=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
        (umask 077 && printf '%s' "$cookie" >"$BASE/home/.erlang.cookie") || return 1
        chmod 400 "$BASE/home/.erlang.cookie" || return 1
    fi
    printf '%s\n' \
        "listeners.tcp.default = 127.0.0.1:$AMQP_PORT" \
        "loopback_users.guest = true" \
        "log.console = false" \
        "log.file.level = info" \
        >"$BASE/rabbitmq.conf" || return 1
    printf '[].\n' >"$BASE/enabled_plugins" || return 1
}

# Starts the node on the ports in $PORTS_FILE and waits until AMQP logins work.
start_node() {
    export_node_env
    if port_open "$AMQP_PORT"; then
        fail "port 127.0.0.1:$AMQP_PORT is already taken by another program; run '$0 down' and try again (new ports are chosen at up)"
    fi
    write_files || fail "cannot write the node's files under $BASE"
    rm -f "$PID_FILE"
    started=$(date +%s)
    say "starting node $NODE on 127.0.0.1:$AMQP_PORT (log: $LOG_DIR)"
    setsid "$RABBIT_BIN/rabbitmq-server" >>"$LAUNCH_LOG" 2>&1 </dev/null &
    # rabbitmqctl wait: returns once the node has booted (or the pid dies).
    if ! "$RABBIT_BIN/rabbitmqctl" -q -n "$NODE" wait --timeout "$READY_TIMEOUT" "$PID_FILE" \
        >>"$LAUNCH_LOG" 2>&1; then
        tail -n 15 "$LAUNCH_LOG" >&2
        stop_node >/dev/null 2>&1
        fail "the node did not start within ${READY_TIMEOUT}s; see $LAUNCH_LOG and $LOG_DIR/*.log"
    fi
    tries=0
    until amqp_ok; do
        tries=$((tries + 1))
        if [ "$tries" -ge 40 ]; then
            stop_node >/dev/null 2>&1
            fail "node booted but AMQP login as guest on 127.0.0.1:$AMQP_PORT fails; see $LOG_DIR/*.log"
        fi
        sleep 0.25
    done
    printf 'AMQP_ADDR=%s\n' "$(amqp_url)" >"$ENV_FILE" || fail "cannot write $ENV_FILE"
    start_ctl_server
    say "ready after $(($(date +%s) - started))s: AMQP_ADDR=$(amqp_url)"
}

# Stops our node (if any) and our private epmd (if any). Quiet when nothing runs.
stop_node() {
    stop_ctl_server
    load_ports || return 0
    export_node_env
    if [ -f "$PID_FILE" ]; then
        pid=$(cat "$PID_FILE" 2>/dev/null)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            ctl stop "$PID_FILE" >/dev/null 2>&1 || kill "$pid" 2>/dev/null
            n=0
            while kill -0 "$pid" 2>/dev/null && [ $n -lt 60 ]; do
                sleep 0.25; n=$((n + 1))
            done
            kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
        fi
        rm -f "$PID_FILE"
    fi
    # The private epmd outlives the node: stop it too (only ours: our port).
    if port_open "$EPMD_PORT"; then
        epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true
    fi
    return 0
}

cmd_up() {
    if [ -n "${AMQP_ADDR:-}" ]; then
        say "AMQP_ADDR is set: using your broker at $AMQP_ADDR, not starting one"
        return 0
    fi
    (cmd_heal) || say "could not heal the running node; starting a new one"
    if node_running; then
        [ -f "$ENV_FILE" ] || printf 'AMQP_ADDR=%s\n' "$(amqp_url)" >"$ENV_FILE"
        start_ctl_server # a node started by an older copy of this script has none
        say "already up: AMQP_ADDR=$(amqp_url)"
        return 0
    fi
    stop_node   # leftovers of a crashed run (stale epmd), if any
    mkdir -p "$BASE" || fail "cannot create $BASE"
    AMQP_PORT=$(free_port) && DIST_PORT=$(free_port) && EPMD_PORT=$(free_port) ||
        fail "cannot find free ports (is $PYTHON installed?)"
    printf 'AMQP_PORT=%s\nDIST_PORT=%s\nEPMD_PORT=%s\n' "$AMQP_PORT" "$DIST_PORT" "$EPMD_PORT" \
        >"$PORTS_FILE" || fail "cannot write $PORTS_FILE"
    start_node
}

cmd_down() {
    if load_ports; then
        say "stopping node $NODE"
        stop_node
    else
        say "not running (nothing of ours to stop)"
    fi
    rm -f "$ENV_FILE"
}

# Restarts one virtual host as a node restart would, for its clients only:
# from the first step new logins are refused ("vhost is down"); stopping its
# supervisor sends its connections connection.close (CONNECTION_FORCED, as
# at a shutdown) and stops its queues, which write durable queues and
# persistent messages to disk; then the connections' sockets close, as a
# stopping node's do (left alone, each would wait 10 s for a close-ok that
# a client blocked in another call never sends); what a restart forgets,
# non-durable and exclusive queues, is deleted; 300 ms later the vhost
# starts again and recovers from disk. Every other vhost, and so every other
# test on the node, runs on undisturbed: a whole restart would have to wait
# until no one else used the node.
# The connections are listed after logins are refused, and again before the
# start: one that logged in just as the vhost stopped is not in the first
# list, and it held a client (a test's submit) for those 10 s, 1 run in 12.
# RabbitMQ 3.10's own internals (Debian 12): rabbitmqctl has no such command.
# Called by cmd_restart, in our running node's environment.
restart_vhost() {
    vhost_name_ok "$1"
    say "restarting virtual host $1 in node $NODE"
    node_eval "VH = <<\"$1\">>,
        Readers = fun() -> [element(6, C) || C <- rabbit_connection_tracking:list(VH)] end,
        Kill = fun(Rs) -> [exit(R, kill) || R <- Rs, is_pid(R)] end,
        case ets:lookup(rabbit_vhost_sup_sup, VH) of
            [{vhost_sup, VH, _Sup, Wrapper, _Process}] ->
                true = ets:delete(rabbit_vhost_sup_sup, VH),
                Listed = Readers(),
                ok = supervisor2:terminate_child(rabbit_vhost_sup_sup, Wrapper),
                Kill(Listed);
            [] -> ok %% down already: a restart cut short
        end,
        Kill(Readers()),
        [rabbit_amqqueue:internal_delete(amqqueue:get_name(Q), <<\"wirebook\">>)
         || Q <- rabbit_amqqueue:list(VH),
            not amqqueue:is_durable(Q) orelse amqqueue:get_exclusive_owner(Q) =/= none],
        timer:sleep(300),
        Kill(Readers()),
        {ok, _} = rabbit_vhost_sup_sup:start_vhost(VH)." >>"$LAUNCH_LOG" 2>&1 ||
        fail "restarting virtual host $1 in node $NODE failed; see $LAUNCH_LOG"
    wait_logins "$1" 0.1 "virtual host $1 restarted"
}

# Restarts the broker inside the running node: stop_app closes every client
# connection and stops all queues, start_app recovers durable queues and
# persistent messages from disk, as after a reboot. The Erlang VM itself keeps
# running, on purpose: tests call this from inside the grader, which kills
# every process a test leaves behind, so a new VM started here would not
# outlive the test.
cmd_restart() {
    if [ -n "${AMQP_ADDR:-}" ] && ! load_ports; then
        fail "AMQP_ADDR is set and no node of ours exists: cannot restart your broker"
    fi
    vm_alive || fail "no node of ours is running: run '$0 up' first"
    export_node_env
    if [ -n "${WB_RABBITMQ_RESTART_VHOST:-}" ]; then
        restart_vhost "$WB_RABBITMQ_RESTART_VHOST"
        return
    fi
    say "restarting the broker in node $NODE on the same port $AMQP_PORT"
    started=$(date +%s)
    # What `rabbitmqctl stop_app` and `start_app` run, in one call: each
    # call boots an Erlang VM of its own, and tests restart the broker on
    # every grading.
    node_eval 'ok = rabbit:stop(), ok = rabbit:start().' >>"$LAUNCH_LOG" 2>&1 ||
        fail "rabbit:stop() then rabbit:start() in node $NODE failed; see $LAUNCH_LOG"
    wait_logins "" 0.25 "broker restarted"
    say "restarted in $(($(date +%s) - started))s"
}

# After a test that restarts the broker was killed between stop_app and
# start_app, the VM runs but the broker does not: start it again. A no-op
# when our VM is not running or its broker answers. Only the VM's process is
# required here, not a quick `rabbitmqctl status`: in the middle of a
# stop_app that may time out, and `up` would then replace a node that only
# needed its broker started. The grader calls this after every exercise that
# restarts the broker; `up` calls it first.
vm_alive() {
    load_ports && [ -f "$PID_FILE" ] || return 1
    pid=$(cat "$PID_FILE" 2>/dev/null)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

cmd_heal() {
    vm_alive || return 0
    export_node_env
    amqp_ok && return 0
    say "node $NODE runs but its broker does not answer (a restart cut short?): start_app"
    tries=0
    until ctl start_app >>"$LAUNCH_LOG" 2>&1; do # a stop_app may still be finishing
        tries=$((tries + 1))
        [ "$tries" -ge 20 ] && fail "rabbitmqctl start_app failed; see $LAUNCH_LOG"
        sleep 0.5
    done
    wait_logins "" 0.25 "broker started"
}

# Queues and exchanges that tests declare outlive them (durable ones on disk),
# and every broker restart recovers them all: after a few dozen gradings a
# restart took seconds more. So each grading run declares everything inside
# a virtual host of its own, deleted when the run ends.
vhost_name_ok() {
    case ${1:-} in
    '' | *[!A-Za-z0-9._-]*) fail "vhost name '${1:-}' must be letters, digits, '.', '_' or '-'" ;;
    esac
}

cmd_vhost_add() {
    vhost_name_ok "$1"
    vm_alive || fail "no node of ours is running: run '$0 up' first"
    export_node_env
    # One call (each boots an Erlang VM): sweep the vhosts of runs that no
    # longer exist, add ours, let guest use it.
    node_eval "Me = <<\"$1\">>,
        Gone = fun(V) ->
            case re:run(V, \"^wirebook-run-([0-9]+)-\", [{capture, all_but_first, list}]) of
                {match, [Pid]} -> V =/= Me andalso not filelib:is_dir(\"/proc/\" ++ Pid);
                _ -> false
            end
        end,
        %% catch: a run beside us may sweep the same one first
        [catch rabbit_vhost:delete(V, <<\"wirebook\">>) || V <- rabbit_vhost:list_names(), Gone(V)],
        ok = rabbit_vhost:add(Me, <<\"wirebook\">>),
        ok = rabbit_auth_backend_internal:set_permissions(<<\"guest\">>, Me,
            <<\".*\">>, <<\".*\">>, <<\".*\">>, <<\"wirebook\">>)." >>"$LAUNCH_LOG" 2>&1 ||
        fail "cannot create virtual host $1 in node $NODE; see $LAUNCH_LOG"
}

cmd_vhost_delete() {
    vhost_name_ok "$1"
    vm_alive || return 0 # nothing left to delete
    export_node_env
    # In the background: the run that ends need not wait for it.
    node_eval_by setsid "catch rabbit_vhost:delete(<<\"$1\">>, <<\"wirebook\">>)." \
        >>"$LAUNCH_LOG" 2>&1 </dev/null &
}

cmd_status() {
    [ -n "${AMQP_ADDR:-}" ] && say "AMQP_ADDR is set: tests use your broker at $AMQP_ADDR"
    if node_running; then
        say "up: node $NODE, pid $(cat "$PID_FILE"), AMQP_ADDR=$(amqp_url), epmd port $EPMD_PORT"
        say "log: $LOG_DIR"
        if ctl_server_alive; then
            say "control server: pid $(cat "$CTL_PID_FILE"), socket $CTL_SOCKET"
        else
            say "control server: not running (each call boots an Erlang VM; 'up' starts it)"
        fi
        return 0
    fi
    say "down (state folder: $BASE, log: $LOG_DIR)"
    return 3
}

[ -x "$RABBIT_BIN/rabbitmq-server" ] ||
    fail "$RABBIT_BIN/rabbitmq-server not found: install rabbitmq-server (scripts/packages.txt, group 03_amqp)"

case ${1:-} in
up) cmd_up ;;
down) cmd_down ;;
restart) cmd_restart ;;
heal) cmd_heal ;;
status) cmd_status ;;
vhost-add) cmd_vhost_add "${2:-}" ;;
vhost-delete) cmd_vhost_delete "${2:-}" ;;
*)
    echo "usage: $0 up|down|status|restart|heal|vhost-add NAME|vhost-delete NAME" >&2
    exit 2
    ;;
esac

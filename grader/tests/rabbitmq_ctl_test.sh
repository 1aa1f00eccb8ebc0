#!/bin/sh
# rabbitmq_ctl_test.sh - the control server of our RabbitMQ node
# (scripts/rabbitmq-ctl-server.escript, started by broker-rabbitmq.sh up).
#
# Checks, on the running node:
#   - `up` started it and `status` says so; its socket's folder is root's
#     alone, and a user other than root cannot connect;
#   - vhost-add, a vhost restart and vhost-delete work through it with no
#     bare Erlang VM to fall back on (WB_RABBITMQ_ERL=/bin/false), and the
#     restarted vhost takes AMQP logins again;
#   - a call that fails in the node fails the command, with the reason in
#     the launch log;
#   - without the server (killed), the same calls still work, each from a
#     VM of its own, and the next `up` starts the server again.
#
# Usage: sh grader/tests/rabbitmq_ctl_test.sh   (needs our node up; skips
# when AMQP_ADDR names a broker of your own)
set -u
cd "$(dirname "$0")/../.."
B=scripts/broker-rabbitmq.sh
BASE=${WB_BUILD_DIR:-$PWD/build}/brokers/rabbitmq
failed=0
fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
}

if [ -n "${AMQP_ADDR:-}" ] && [ ! -f "$BASE/ports" ]; then
    echo "skip: AMQP_ADDR names your own broker"
    exit 0
fi
sh "$B" up >/dev/null || { echo "FAIL: broker-rabbitmq.sh up"; exit 1; }
. "$BASE/ports"
vh=wirebook-ctl-test-$$
logins_ok() { # the vhost $1 takes an AMQP login
    amqp-delete-queue --url="amqp://guest:guest@127.0.0.1:$AMQP_PORT/$1" \
        --queue=wirebook-ctl-test >/dev/null 2>&1
}
# The three calls, with only the server to run them when $1 is /bin/false.
calls_work() { # calls_work ERL WHAT
    WB_RABBITMQ_ERL=$1 sh "$B" vhost-add "$vh" >/dev/null 2>&1 || fail "$2: vhost-add"
    logins_ok "$vh" || fail "$2: no AMQP login to the new vhost"
    WB_RABBITMQ_ERL=$1 WB_RABBITMQ_RESTART_VHOST=$vh sh "$B" restart >/dev/null 2>&1 ||
        fail "$2: vhost restart"
    logins_ok "$vh" || fail "$2: no AMQP login after the vhost restart"
    WB_RABBITMQ_ERL=$1 sh "$B" vhost-delete "$vh" >/dev/null 2>&1 || fail "$2: vhost-delete"
    tries=0 # vhost-delete runs in the background
    while logins_ok "$vh" && [ "$tries" -lt 50 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    logins_ok "$vh" && fail "$2: the vhost still takes logins after vhost-delete"
}

sh "$B" status | grep -q '^broker-rabbitmq: control server: pid ' ||
    fail "status does not show a running control server after up"
[ "$(stat -c '%a %U' "$BASE/ctl")" = "700 root" ] ||
    fail "$BASE/ctl is $(stat -c '%a %U' "$BASE/ctl"), not 700 root"
if runuser -u nobody -- /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])' "$BASE/ctl/socket" 2>/dev/null; then
    fail "user nobody could connect to the control server"
fi

calls_work /bin/false "through the server"

WB_RABBITMQ_ERL=/bin/false WB_RABBITMQ_RESTART_VHOST=wirebook-no-such-vhost-$$ sh "$B" restart \
    >/dev/null 2>&1 && fail "restarting a vhost that does not exist succeeded"
grep -q 'no_such_vhost\|badmatch' "$BASE/log/launch.log" ||
    fail "the failed call's reason is not in $BASE/log/launch.log"

ctl_pid=$(cat "$BASE/ctl/pid")
kill "$ctl_pid" || fail "cannot stop the control server"
tries=0
while kill -0 "$ctl_pid" 2>/dev/null && [ "$tries" -lt 100 ]; do
    sleep 0.1
    tries=$((tries + 1))
done
sh "$B" status | grep -q 'control server: not running' ||
    fail "status does not say the control server is gone"
calls_work /usr/bin/erl "without the server"
WB_RABBITMQ_ERL=/bin/false sh "$B" vhost-add "$vh" >/dev/null 2>&1 &&
    fail "without the server, vhost-add ran with no Erlang VM"
sh "$B" vhost-delete "$vh" >/dev/null 2>&1

sh "$B" up >/dev/null || fail "up after the server stopped"
sh "$B" status | grep -q '^broker-rabbitmq: control server: pid ' ||
    fail "up did not start the control server again"
calls_work /bin/false "through the restarted server"

[ "$failed" -eq 0 ] && echo "rabbitmq_ctl_test: all passed"
[ "$failed" -eq 0 ]

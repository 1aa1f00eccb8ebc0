#!/bin/sh
# selftest.sh - the project's own test suite, run by `make test` (and CI).
#
# What it proves, step by step:
#   1. the grader's own unit tests pass (Criterion binaries in build/grader-tests/);
#   2. chapters/ holds exactly what the generator makes from solutions/, and
#      the quizzes work in a real browser (HTML export) and terminal (tmux),
#      and so does the student's loop (list, check, watch, progress, reset);
#   3. the reference solutions score full marks, built with -Werror;
#   4. the untouched skeletons compile, finish and score zero;
#      chapter 07 does both again with BROKER=kafka (mock Kafka cluster);
#   5. the reference solutions pass under ASan + UBSan, and valgrind finds
#      no memory error or definite leak in them;
#   6. a broken exercise (compile error, crash, endless loop, missing file)
#      costs that exercise only;
#      hostile submissions (grader/tests/hostile/) are graded right, leak
#      nothing and leave no process behind, with screening and (for the
#      cases screening stops) without it, so the sandbox is proven alone;
#      the Gradescope zip works in a fake /autograder;
#      the student edition gives nothing away and works on its own; what goes
#      to platforms (Gradescope, JUnit, CSV, Canvas/Moodle, GIFT, the GitHub
#      Classroom workflow) is checked by their real consumers;
#      chapter 07's hop events draw the document's five arrows in order;
#      chapter 02's greeter_server program serves both methods of its proto
#      to an independent client (Python grpcio);
#   7. chapter 04 scores the same against a real Kafka node, and so does
#      chapter 07 with BROKER=kafka (its trace diagram too);
#   8. no broker process is left behind.
# Every step runs even when an earlier one failed; the last line counts them.
# Brokers the chapters need are started once here and stopped at the end.
set -u
cd "$(dirname "$0")/.."
WB=build/bin/wirebook
OUT=build/selftest
passed=0
failed=0
failures=""

# Each step's output also goes to build/selftest/steps/N.log, so that the
# end of the run can repeat what a failed step said: CI often keeps only
# the last lines of a long log.
step_no=0
step() { # step NAME COMMAND...
    name=$1
    shift
    step_no=$((step_no + 1))
    log=$OUT/steps/$step_no.log
    mkdir -p "$OUT/steps"
    printf '\n=== %s\n' "$name"
    # no pipe into tee: a step may set variables that later steps read
    "$@" >"$log" 2>&1
    rc=$?
    cat "$log"
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        printf -- '--- ok: %s\n' "$name"
    else
        failed=$((failed + 1))
        failures="$failures
  - $name (output: $log)"
        failed_logs="${failed_logs:-} $log"
        printf -- '--- FAILED: %s\n' "$name"
    fi
}

# What the failed steps said, short: their failing lines, then their end.
repeat_failures() {
    for log in ${failed_logs:-}; do
        printf '\n--- from %s:\n' "$log"
        # a mistakes variant that kept its points says so on one line
        grep -E 'KEPT: |^FAIL: ' "$log" | head -20
        grep -E -A1 '^[[:space:]]*(FAIL|not ok)|FAILED|[Ee]rror|expected' "$log" | head -40
        echo '    [...] last lines:'
        tail -12 "$log"
    done
}

unit_tests() {
    ok=0
    for t in build/grader-tests/*; do
        [ -x "$t" ] || continue
        "$t" -j1 || ok=1
    done
    return $ok
}

# A copy of the solutions with one file changed by a perl expression.
broken_copy() { # broken_copy DIR FILE PERL-EXPRESSION
    rm -rf "$1" && cp -r solutions "$1" && perl -0pi -e "$3" "$1/$2"
}

breakage_a() {
    d=$OUT/broken-a
    broken_copy "$d" 01_rest/http_client.c 's/\z/\nthis is not C;\n/' &&
        broken_copy "$d.tmp" 01_rest/hello_server.c \
            's/(struct hello_server \*hello_server_start\([^)]*\)\s*\{)/$1 *(volatile int *)0 = 0;/' &&
        cp "$d.tmp/01_rest/hello_server.c" "$d/01_rest/" && rm -rf "$d.tmp" &&
        grep -q 'volatile int' "$d/01_rest/hello_server.c" &&
        $WB grade --submission "$d" --only 01_rest --out "$d.out" \
            --expect '01_rest=full,01_rest/http_client=zero,01_rest/hello_server=zero'
}

breakage_b() {
    d=$OUT/broken-b
    broken_copy "$d" 01_rest/items_server.c \
        's/(struct items_server \*items_server_start\([^)]*\)\s*\{)/$1 for (;;) {}/' &&
        grep -q 'for (;;) {}' "$d/01_rest/items_server.c" &&
        rm "$d/01_rest/retry_client.c" &&
        $WB grade --submission "$d" --only 01_rest --out "$d.out" --test-timeout 2 \
            --expect '01_rest=full,01_rest/items_server=zero,01_rest/retry_client=zero'
}

# Sanitized first (a whole grading): a correct exercise that leaks is
# scored from its one sanitized run, and the leak costs memory_safety alone.
# (The mistakes corpus grades with --tests, in a student's order.)
leak_costs_memory_safety_only() {
    d=$OUT/leaky
    rm -rf "$d" && mkdir -p "$d" && cp -r solutions/01_rest "$d/" &&
        patch -s --batch -p1 -d "$d/01_rest" -i "$PWD/solutions/01_rest/mistakes/items_server/body_never_freed.patch" &&
        $WB grade --submission "$d" --only 01_rest/items_server --no-quiz --out "$d.out" \
            >/dev/null || return 1
    python3 - "$d.out/results.json" <<'PY' || return 1
import json, sys
tests = json.load(open(sys.argv[1]))["tests"]
failed = [t["name"].split(": ")[1] for t in tests if t["status"] != "passed"]
print("not passed:", failed)
sys.exit(0 if failed == ["memory_safety"] else 1)
PY
    # Scored from the sanitized run alone: the plain-first order gives the
    # same score, so only the missing plain build shows which order ran.
    ex=$d.out/01_rest/items_server
    if [ ! -f "$ex/sanitize/tests.bin" ] || [ -e "$ex/tests.bin" ]; then
        echo "a plain tests.bin was built, or no sanitized one: not scored sanitized first"
        return 1
    fi
}

# Under valgrind the tests run 10-50x slower, so a test with a time bound
# (a Kafka group join, say) may fail on time; what must not appear is a test
# that valgrind itself failed.
valgrind_clean() {
    $WB grade --submission solutions --valgrind --no-quiz --out $OUT/valgrind >/dev/null &&
        if grep -q "valgrind found" $OUT/valgrind/results.json; then
            grep -B4 "valgrind found" $OUT/valgrind/results.json | grep '"name"'
            return 1
        fi
}

# A wrong AMQP_ADDR is the grader's problem: the chapter is reported as not
# graded, with the reason, instead of every test failing on the student.
broker_down_reported() {
    AMQP_ADDR='amqp://guest:guest@127.0.0.1:1/%2f' $WB grade --submission solutions \
        --only 03_amqp/producer --no-quiz --out $OUT/broker-down >/dev/null &&
        grep -q '"state": "broker not available"' $OUT/broker-down/results.json
}

# redis-server renames itself "redis-server HOST:PORT": ours are the ones
# whose working folder (their --dir) lies in this tree.
redis_left() {
    for pid in $(pgrep -x redis-server); do
        cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || continue
        case $cwd in "$(pwd)"/*) echo "$pid redis-server (data in $cwd)" ;; esac
    done
}

no_broker_left() {
    for _ in 1 2 3 4 5 6 7 8 9 10; do # processes may take a moment to exit
        left=$({
            pgrep -a -f 'beam.smp|epmd|kafka.Kafka|broker-kafka.sh supervise|nats-server|broker-nats.sh supervise' |
                grep -F "$(pwd)/"
            redis_left
        } || true)
        [ -z "$left" ] && return 0
        sleep 0.5
    done
    echo "left running:"
    echo "$left"
    return 1
}

# One RabbitMQ node for the whole run (the grader would otherwise start and
# stop one per grade), stopped again however the run ends.
if [ -z "${AMQP_ADDR:-}" ]; then
    trap 'sh scripts/broker-rabbitmq.sh down >/dev/null 2>&1' EXIT INT TERM
    step "RabbitMQ node starts" sh scripts/broker-rabbitmq.sh up
    step "RabbitMQ control server: calls go through it, only root reaches it, calls work without it" \
        sh grader/tests/rabbitmq_ctl_test.sh
fi

step "grader unit tests" unit_tests
step "skeletons match solutions" $WB skeletons --check
step "02's tests call once more after gRPC 1.51's stale connect errno (preloaded shim)" \
    sh grader/tests/grpc_stale_errno_test.sh
step "C sources follow .clang-format" make --no-print-directory -s format-check
step "exported HTML quiz checks itself in headless Chromium" sh grader/tests/quiz_html_test.sh
step "make quiz in a real terminal (tmux) saves and resumes" sh grader/tests/quiz_tmux_test.sh
step "student loop in tmux: list, check, watch sees a save and moves on, progress, reset" \
    sh grader/tests/student_tmux_test.sh
step "solutions score full marks (-Werror)" \
    $WB grade --submission solutions --werror --out $OUT/solutions --expect '*=full'
step "solutions score full marks in a student's order (--plain-first)" \
    $WB grade --submission solutions --plain-first --no-quiz --out $OUT/solutions-plain-first \
    --expect '*=full'
step "skeletons compile and score zero" \
    $WB grade --submission chapters --out $OUT/skeletons --expect '*=zero'
# Chapter 07 again with its events on Kafka (BROKER=kafka): each test hosts
# a mock Kafka cluster and hands its address to the services.
orders_on_kafka() { # orders_on_kafka SUBMISSION EXPECT
    BROKER=kafka $WB grade --submission "$1" --only 07_orders --no-quiz \
        --out "$OUT/orders-kafka-$1" --expect "$2"
}
step "07_orders solutions score full marks with BROKER=kafka" orders_on_kafka solutions '*=full'
step "07_orders skeletons score zero with BROKER=kafka" orders_on_kafka chapters '*=zero'
step "mistakes corpus: every variant loses points where its comment says" \
    $WB mistakes -j 4 --out $OUT/mistakes
step "solutions pass under ASan+UBSan" \
    $WB grade --submission solutions --sanitize --no-quiz --out $OUT/asan --expect '*=full'
step "solutions are valgrind-clean (no definite leak, no memory error)" valgrind_clean
step "compile error and crash cost one exercise each" breakage_a
step "endless loop and missing file cost one exercise each" breakage_b
step "a leak costs memory_safety alone, found in the sanitized-first run" \
    leak_costs_memory_safety_only
step "an unreachable AMQP_ADDR is reported as broker not available" broker_down_reported
step "hostile submissions (overridden runner functions, IFUNC, raw syscalls, escapes, late writers, stopped keeper, bombs, links, unsafe archives) gain nothing, leak nothing, leave nothing running" \
    sh grader/tests/hostile_test.sh
step "Gradescope autograder zip writes a valid results.json (fake /autograder)" \
    sh gradescope/test.sh
# Issue 16: editions and the platforms instructors use.
step "student edition: no solutions, hidden tests or quiz keys; builds; its skeletons score 0" \
    sh grader/tests/release_test.sh
step "platforms: results.json/results.xml valid whatever a student prints (JUnit XSD), Gradescope fields, submission shapes, batch CSV (Python csv), Canvas/Moodle, GIFT (gift-pegjs)" \
    sh grader/tests/platforms_test.sh
step "GitHub Classroom workflow passes actionlint; its reporter payload adds up to the grade" \
    sh grader/tests/workflow_test.sh
# Chapter 07's hop events drawn as the document's diagram (five arrows, in order).
trace_diagram() {
    AMQP_ADDR=${AMQP_ADDR:-$(sed -n 's/^AMQP_ADDR=//p' build/brokers/rabbitmq/env)} \
        sh scripts/test-wirebook-trace.sh "$OUT/trace"
}
step "wirebook-trace draws one order's five arrows (Mermaid, SVG, PNG)" trace_diagram
step "greeter_server program serves SayHello and SayHelloStream to Python grpcio (also on [::1]); greeter_stream serves and calls" \
    sh scripts/test-greeter-program.sh "$OUT/greeter-program"
# Chapter 04 again, against a real Apache Kafka node instead of the mock.
real_kafka() { # real_kafka SUBMISSION EXPECT
    WB_KAFKA=real $WB grade --submission "$1" --only 04_kafka --no-quiz \
        --out "$OUT/kafka-real-$1" --expect "$2"
}
if [ -z "${KAFKA_BROKERS:-}" ]; then
    trap 'sh scripts/broker-kafka.sh down >/dev/null 2>&1; sh scripts/broker-rabbitmq.sh down >/dev/null 2>&1' EXIT INT TERM
    step "Kafka node starts (jars from Maven Central)" sh scripts/broker-kafka.sh up
fi
step "04_kafka solutions score full marks on real Kafka" real_kafka solutions '*=full'
step "04_kafka skeletons score zero on real Kafka" real_kafka chapters '*=zero'
# Chapter 07 with its events on the real node too, and its diagram.
orders_real_kafka() { # orders_real_kafka SUBMISSION EXPECT
    BROKER=kafka WB_KAFKA=real $WB grade --submission "$1" --only 07_orders --no-quiz \
        --out "$OUT/orders-kafka-real-$1" --expect "$2"
}
step "07_orders solutions score full marks with BROKER=kafka on real Kafka" \
    orders_real_kafka solutions '*=full'
kafka_trace_diagram() {
    BROKER=kafka KAFKA_BROKERS=${KAFKA_BROKERS:-$(sed -n 's/^KAFKA_BROKERS=//p' build/brokers/kafka/env)} \
        sh scripts/test-wirebook-trace.sh "$OUT/trace-kafka"
}
step "wirebook-trace draws one order's five arrows with the event on Kafka" kafka_trace_diagram
if [ -z "${KAFKA_BROKERS:-}" ]; then
    step "Kafka node stops" sh scripts/broker-kafka.sh down
fi

if [ -z "${AMQP_ADDR:-}" ]; then
    step "RabbitMQ node stops" sh scripts/broker-rabbitmq.sh down
fi
trap - EXIT INT TERM
step "no broker process left running" no_broker_left

printf '\nselftest: %d passed, %d failed\n' "$passed" "$failed"
if [ "$failed" -ne 0 ]; then
    repeat_failures
    printf '\nfailed steps:%s\n' "$failures"
    exit 1
fi

#!/bin/sh
# grpc_stale_errno_test.sh - chapter 02's tests do not blame the student's
# client for gRPC 1.51's stale connect errno.
#
# gRPC 1.51 (Debian's) now and then fails a first connection to a server that
# listens with UNAVAILABLE "... No such file or directory" (it reads
# connect()'s errno after other calls). The tests where the student's client
# calls a server known to be up make such a call once more. Here the
# reference solutions' plain test binaries run with stale_errno_connect.c
# preloaded, which fails each test process's first TCP connect that way: every
# test listed must still pass, and the shim must have fired in each.
#
# Usage: sh grader/tests/grpc_stale_errno_test.sh   (after make tool)
set -u
cd "$(dirname "$0")/../.."
WB=build/bin/wirebook
TMP=$(mktemp -d /tmp/wb-stale-errno-XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
failed=0

cc -shared -fPIC -Wall -Wextra -Werror -o "$TMP/shim.so" grader/tests/stale_errno_connect.c \
    -ldl || { echo "FAIL: cannot build the shim"; exit 1; }

# exercise, then the tests whose client calls a server that listens
check() {
    ex=$1
    shift
    out=$TMP/$ex
    # --plain-first: the plain test binary ($out/02_grpc/$ex/tests.bin) is
    # not sanitized, so the shim can be preloaded on its own.
    $WB grade --submission solutions --only "02_grpc/$ex" --plain-first --no-quiz --out "$out" \
        >"$TMP/$ex.log" 2>&1 || {
        echo "FAIL: grading 02_grpc/$ex"
        cat "$TMP/$ex.log"
        failed=$((failed + 1))
        return
    }
    for t in "$@"; do
        (cd "$out/02_grpc/src" && env LD_PRELOAD="$TMP/shim.so" WB_CHAPTER_DIR="$PWD" \
            "../$ex/tests.bin" --filter="*/$t") >"$TMP/run.log" 2>&1
        rc=$?
        if ! grep -q 'stale-errno shim' "$TMP/run.log"; then
            echo "FAIL: $ex/$t: the shim never fired (no TCP connect?)"
            failed=$((failed + 1))
        elif [ $rc -ne 0 ]; then
            echo "FAIL: $ex/$t failed after one stale-errno connect:"
            grep -E 'expected|Synthesis' "$TMP/run.log" | head -4
            failed=$((failed + 1))
        else
            echo "ok: $ex/$t"
        fi
    done
}

check greeter_client reply_from_python_server error_status_and_message \
    deadline_exceeded_against_slow_server
check greeter_stream client_and_server_together client_collects_from_python_server \
    client_cancels_half_way

[ $failed -eq 0 ] || { echo "$failed failed"; exit 1; }

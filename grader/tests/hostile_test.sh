#!/bin/sh
# hostile_test.sh - grades the corpus of hostile submissions and checks that
# each is graded right, leaks nothing, ends within its bound and leaves no
# process behind.
#
# Each case in grader/tests/hostile/CASE/ holds the file(s) a student would
# hand in that differ from the reference solution (laid over a copy of
# solutions/01_rest; @COURSE@ and @OUT@ in them become the course's and this
# run's folders) and case.conf:
#   only=CH[/EX]        what is graded (default 01_rest/http_client)
#   expect=...          the --expect of the grade (default ONLY=zero)
#   says=TEXT           results.json must contain TEXT
#   unscreened=yes|no   grade it again with screening off
#                       (WIREBOOK_UNSCREENED_FOR_TESTS=1): the sandbox alone
#                       must hold; unscreened_says=TEXT is checked then
#   forbid=A B          none of these words may appear in results.json
#                       (ESCAPED is what probes write when an attack worked)
#   limit=SECONDS       the grade must end within this bound
#   test_timeout=S      each test's cap (default 2 s, so endless cases stay
#                       short; a case that expects full marks for tests that
#                       take a second or more of real work needs more)
#   host_listener=yes   a listener on a free port of the host's 127.0.0.1
#                       (@HOST_PORT@ in the case's files) must get no
#                       connection: the run may reach its broker, nothing else
# Tests are capped at 2 s each (test_timeout) so endless cases stay short. Leftovers are
# found by executable (/proc/PID/exe) and working folder (/proc/PID/cwd)
# under the case's output folder, since Criterion's workers are all called
# boxfort-worker. A few cases are made here: symlinked files and folders,
# archives (sound, `..`, symlink, a zip bomb, too many files), a Makefile
# argument with a command in it, and a keeper stopped from outside.
#
# Cases run JOBS at a time (default 3). Usage:
#   sh grader/tests/hostile_test.sh [CASE...]    (from anywhere)
set -u
cd "$(dirname "$0")/../.."
WB=$PWD/build/bin/wirebook
CORPUS=grader/tests/hostile
OUT=$PWD/build/hostile
JOBS=${JOBS:-3}

# ---- one case ----------------------------------------------------------------

conf() { # conf CASE KEY [DEFAULT]
    v=$(sed -n "s/^$2=//p" "$CORPUS/$1/case.conf" 2>/dev/null | head -1)
    [ -n "$v" ] && printf '%s' "$v" || printf '%s' "${3:-}"
}

# The submission of a case: solutions/01_rest (and the chapter it grades)
# with the case's files over it.
make_submission() { # make_submission CASE DIR [HOST_PORT]
    chapter=$(conf "$1" only 01_rest)
    rm -rf "$2" && mkdir -p "$2" && cp -r solutions/01_rest "$2/" && rm -rf "$2/01_rest/mistakes" || return 1
    [ "${chapter%%/*}" = 01_rest ] || cp -r "solutions/${chapter%%/*}" "$2/" || return 1
    [ -d "$CORPUS/$1" ] || return 0
    cp -r "$CORPUS/$1/." "$2/" && rm -f "$2/case.conf" &&
        find "$2" -name '*.c' -exec sed -i \
            "s|@COURSE@|$PWD|g; s|@OUT@|$OUT|g; s|@HOST_PORT@|${3:-0}|g" {} +
}

# A listener on a free port of the host's loopback that notes each
# connection in FILE; prints its port once it listens.
start_host_listener() { # start_host_listener FILE
    python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    with open(sys.argv[1], "a") as f:
        f.write("connected\n")
    c.close()
' "$1" &
}

leftovers() { # leftovers DIR: processes whose executable or folder is in DIR
    for p in /proc/[0-9]*; do
        exe=$(readlink "$p/exe" 2>/dev/null) || continue
        cwd=$(readlink "$p/cwd" 2>/dev/null)
        case "$exe|$cwd" in *"$1"/*) echo "${p#/proc/} exe=$exe cwd=$cwd" ;; esac
    done
}

no_process_left() { # no_process_left DIR
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        left=$(leftovers "$1")
        [ -z "$left" ] && return 0
        sleep 0.3
    done
    echo "left running:"
    echo "$left"
    return 1
}

# check NAME OUT RC TOOK LIMIT SAYS FORBID: prints ok/FAIL for one graded case
check() {
    name=$1 out=$2 rc=$3 took=$4 limit=$5 says=$6 forbid=$7
    if [ "$rc" -ne 0 ]; then
        echo "FAIL $name: not graded as expected (exit $rc); see $OUT/$name.log"
        tail -5 "$OUT/$name.log"
    elif [ -n "$says" ] && ! grep -qF -- "$says" "$out/results.json"; then
        echo "FAIL $name: the report does not say '$says' ($out/results.json)"
    elif [ "$took" -gt "$limit" ]; then
        echo "FAIL $name: grading took ${took}s, over its ${limit}s bound"
    elif ! no_process_left "$out"; then
        echo "FAIL $name: processes left behind"
    else
        for word in $forbid; do
            if grep -qF -- "$word" "$out/results.json"; then
                echo "FAIL $name: '$word' reached the report ($out/results.json)"
                return
            fi
        done
        scratch_litter=$(find "$out" -path '*/scratch/*' 2>/dev/null | head -1)
        if [ -n "$scratch_litter" ]; then
            echo "FAIL $name: the run left files in its scratch folder ($scratch_litter)"
            return
        fi
        echo "ok   $name (${took}s, bound ${limit}s)${says:+: says '$says'}"
    fi
}

# run_case CASE [unscreened]
run_case() {
    case=$1 mode=${2:-}
    name=$case${mode:++$mode}
    # every job has its own copy: a case and its +unscreened twin run side
    # by side, and one must never grade the other's half-made folder
    sub=$OUT/sub-$name
    out=$OUT/grade-$name
    only=$(conf "$case" only 01_rest/http_client)
    expect=$(conf "$case" expect "$only=zero")
    [ "$case" = control ] && expect="$only=full"
    says=$(conf "$case" says)
    [ "$case" = control ] && says=passed
    [ -n "$mode" ] && says=$(conf "$case" unscreened_says)
    forbid=$(conf "$case" forbid ESCAPED)
    limit=$(conf "$case" limit 120)
    test_timeout=$(conf "$case" test_timeout 2)
    [ "$case" = control ] && test_timeout=10 # full marks: real work, no endless loop
    listener="" port=""
    if [ "$(conf "$case" host_listener no)" = yes ]; then
        rm -rf "$sub" "$OUT/listener-$name".*
        start_host_listener "$OUT/listener-$name.hits" >"$OUT/listener-$name.port"
        listener=$!
        for _ in $(seq 1 100); do
            port=$(head -1 "$OUT/listener-$name.port")
            [ -n "$port" ] && break
            sleep 0.1
        done
    fi
    make_submission "$case" "$sub" "$port" || {
        echo "FAIL $name: cannot make the submission"
        return
    }
    start=$(date +%s)
    if [ -n "$mode" ]; then
        WIREBOOK_UNSCREENED_FOR_TESTS=1 "$WB" grade --submission "$sub" --only "$only" --no-quiz \
            --test-timeout "$test_timeout" --out "$out" --expect "$expect" >"$OUT/$name.log" 2>&1
    else
        "$WB" grade --submission "$sub" --only "$only" --no-quiz --test-timeout "$test_timeout" \
            --out "$out" --expect "$expect" >"$OUT/$name.log" 2>&1
    fi
    rc=$?
    check "$name" "$out" "$rc" $(($(date +%s) - start)) "$limit" "$says" "$forbid"
    if [ -n "$listener" ]; then
        kill "$listener"
        if [ -z "$port" ]; then
            echo "FAIL $name: the host listener did not start"
        elif [ -s "$OUT/listener-$name.hits" ]; then
            echo "FAIL $name: the run reached port $port of the host"
        else
            echo "ok   $name: nothing reached port $port of the host"
        fi
    fi
}

# ---- cases made here ------------------------------------------------------------

# grade_special NAME SUBMISSION EXPECT SAYS LIMIT
grade_special() {
    out=$OUT/grade-$1
    start=$(date +%s)
    "$WB" grade --submission "$2" --only 01_rest/http_client --no-quiz --test-timeout 2 \
        --out "$out" --expect "$3" >"$OUT/$1.log" 2>&1
    check "$1" "$out" $? $(($(date +%s) - start)) "$5" "$4" ESCAPED
}

special_symlinks() {
    d=$OUT/links
    rm -rf "$d" && mkdir -p "$d/file/01_rest" "$d/chapter" "$d/checkout" || return 1
    # a student file that is a link to the solution
    cp solutions/01_rest/*.c "$d/file/01_rest/" && rm "$d/file/01_rest/http_client.c" &&
        ln -s "$PWD/solutions/01_rest/http_client.c" "$d/file/01_rest/http_client.c" &&
        grade_special symlink_file "$d/file" '01_rest/http_client=zero' 'symbolic link' 60
    # the chapter folder is a link to the solutions' one
    ln -s "$PWD/solutions/01_rest" "$d/chapter/01_rest" &&
        grade_special symlink_chapter "$d/chapter" '01_rest/http_client=zero' 'symbolic link' 60
    # a checkout whose chapters/ is a link to solutions/
    ln -s "$PWD/solutions" "$d/checkout/chapters" &&
        grade_special symlink_chapters "$d/checkout" '01_rest/http_client=zero' 'symbolic link' 60
}

refused() { # refused NAME ARCHIVE: the grade must refuse it and leave nothing unpacked
    out=$OUT/grade-$1
    start=$(date +%s)
    "$WB" grade --submission "$2" --only 01_rest/http_client --no-quiz --out "$out" \
        >"$OUT/$1.log" 2>&1
    rc=$?
    took=$(($(date +%s) - start))
    if [ $rc -ne 2 ] || ! grep -q refused "$OUT/$1.log"; then
        echo "FAIL $1: expected the archive to be refused (exit $rc); see $OUT/$1.log"
    elif [ -e "$OUT/escaped.c" ] || [ -e "$PWD/build/escaped.c" ]; then
        echo "FAIL $1: a file was written outside the unpack folder"
    elif [ -n "$(find "$out/unpacked" -type f 2>/dev/null | head -1)" ]; then
        echo "FAIL $1: the refused archive's files were left in $out/unpacked"
    elif [ "$took" -gt 60 ]; then
        echo "FAIL $1: refusing took ${took}s, over its 60s bound"
    else
        echo "ok   $1 refused (${took}s): $(grep -o 'refused.*' "$OUT/$1.log" | head -1 | cut -c1-100)"
    fi
}

special_archives() {
    a=$OUT/archives
    rm -rf "$a" && mkdir -p "$a/student/01_rest" && cp solutions/01_rest/*.c "$a/student/01_rest/" ||
        return 1
    (cd "$a" && tar czf sound.tar.gz student && zip -qr sound.zip student) || return 1
    grade_special zip "$a/sound.zip" '01_rest/http_client=full' passed 90
    grade_special tar_gz "$a/sound.tar.gz" '01_rest/http_client=full' passed 90
    python3 - "$a" <<'EOF' || return 1
import io, sys, tarfile, zipfile
a = sys.argv[1]
with zipfile.ZipFile(a + "/dotdot.zip", "w") as z:
    z.writestr("01_rest/http_client.c", "int x;\n")
    z.writestr("../../escaped.c", "int y;\n")
with zipfile.ZipFile(a + "/symlink.zip", "w") as z:
    info = zipfile.ZipInfo("01_rest/http_client.c")
    info.external_attr = (0o120777 << 16)  # a symlink
    z.writestr(info, "/etc/passwd")
with tarfile.open(a + "/dotdot.tar.gz", "w:gz") as t:
    data = b"int y;\n"
    info = tarfile.TarInfo("../escaped.c"); info.size = len(data)
    t.addfile(info, io.BytesIO(data))
with tarfile.open(a + "/symlink.tar.gz", "w:gz") as t:
    info = tarfile.TarInfo("01_rest/http_client.c"); info.type = tarfile.SYMTYPE
    info.linkname = "/etc/passwd"
    t.addfile(info)
# a bomb: 256 MB of zeros in a small zip whose headers say 1000 bytes, so
# only the bytes really written can tell
real = 256 << 20
with zipfile.ZipFile(a + "/bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("01_rest/http_client.c", "int x;\n")
    info = zipfile.ZipInfo("01_rest/padding.bin")
    info.external_attr = 0o100644 << 16  # a plain file
    info.compress_type = zipfile.ZIP_DEFLATED
    with z.open(info, "w") as f:
        block = bytes(1 << 20)
        for _ in range(real >> 20):
            f.write(block)
import struct
data = bytearray(open(a + "/bomb.zip", "rb").read())
for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
    i = data.find(sig)
    while i >= 0:
        if struct.unpack_from("<I", data, i + off)[0] == real:
            struct.pack_into("<I", data, i + off, 1000)
        i = data.find(sig, i + 4)
open(a + "/bomb.zip", "wb").write(data)
with zipfile.ZipFile(a + "/many.zip", "w") as z:
    for i in range(6000):
        z.writestr("01_rest/f%d.txt" % i, "")
EOF
    for bad in dotdot.zip symlink.zip dotdot.tar.gz symlink.tar.gz bomb.zip many.zip; do
        refused "$bad" "$a/$bad"
    done
}

# A command in a Makefile variable must stay a string.
special_makefile() {
    marker=$OUT/makefile-injected
    rm -f "$marker"
    make --no-print-directory grade SUBMISSION="x\`touch $marker\`\$(touch $marker).zip" \
        ONLY='01_rest/http_client' >"$OUT/makefile.log" 2>&1
    if [ -e "$marker" ]; then
        echo "FAIL makefile_quoting: a command in SUBMISSION ran"
    else
        echo "ok   makefile_quoting: SUBMISSION with \` and \$() stays a file name"
    fi
}

# A keeper stopped from outside (SIGSTOP): the grade must still end, with a
# message saying so, and leave nothing.
special_keeper_stopped() {
    sub=$OUT/sub-keeper_stopped
    make_submission infinite_loop "$sub" || return 1
    out=$OUT/grade-keeper_stopped
    start=$(date +%s)
    "$WB" grade --submission "$sub" --only 01_rest/http_client --no-quiz --test-timeout 2 \
        --out "$out" --expect '01_rest/http_client=zero' >"$OUT/keeper_stopped.log" 2>&1 &
    grader=$!
    keeper=""
    # the keeper of the test run: the grader's child named wb-keeper once the
    # test binary is linked (compiles are over by then; the sanitized build
    # beside it is named wb-sanbuild)
    for _ in $(seq 1 300); do
        if [ -e "$out/01_rest/http_client/tests.bin" ]; then
            keeper=$(pgrep -x wb-keeper -P "$grader" | head -1)
            [ -n "$keeper" ] && break
        fi
        sleep 0.1
    done
    [ -n "$keeper" ] && kill -STOP "$keeper"
    wait "$grader"
    check keeper_stopped "$out" $? $(($(date +%s) - start)) 150 'stopped or killed' ESCAPED
    [ -n "$keeper" ] || echo "FAIL keeper_stopped: could not find the keeper to stop"
}

# ---- main -------------------------------------------------------------------------

if [ "${1:-}" = --job ]; then # one job of the parallel run: CASE or CASE+unscreened
    case $2 in
    *+unscreened) run_case "${2%+unscreened}" unscreened ;;
    special:*) "special_${2#special:}" ;;
    *) run_case "$2" ;;
    esac >"$OUT/result-$(echo "$2" | tr ':+/' '___')" 2>&1
    exit 0
fi

rm -rf "$OUT" && mkdir -p "$OUT" || exit 1
begin=$(date +%s)
jobs="control"
for d in "$CORPUS"/*/; do
    c=$(basename "$d")
    jobs="$jobs $c"
    [ "$(conf "$c" unscreened no)" = yes ] && jobs="$jobs $c+unscreened"
done
jobs="$jobs special:symlinks special:archives special:makefile special:keeper_stopped"
if [ $# -gt 0 ]; then jobs="$*"; fi
# the slowest first, so the parallel run ends sooner
printf '%s\n' $jobs | sort -r -t: -k1,1 | xargs -P "$JOBS" -I{} sh "$0" --job {}
cat "$OUT"/result-*
failed=$(cat "$OUT"/result-* | grep -c '^FAIL')
total=$(cat "$OUT"/result-* | grep -c '^ok\|^FAIL')
echo "hostile corpus: $total checks in $(($(date +%s) - begin)) s, $JOBS at a time"
if [ "$failed" -ne 0 ]; then
    echo "hostile corpus: $failed check(s) FAILED"
    exit 1
fi
echo "hostile corpus: every case graded as expected, nothing leaked, nothing left running"

#!/bin/sh
# hostile_test.sh - grades the corpus of hostile submissions and checks that
# each is graded right, that grading ends within its limits and that no
# process is left behind.
#
# Each case in grader/tests/hostile/CASE/ holds the file(s) a student would
# hand in that differ from the reference solution; the submission graded is a
# copy of solutions/01_rest with those files laid over it. Only exercise
# http_client is graded (it is the one the cases replace), with a 2 s cap per
# test so endless cases stay short. A few more cases are made here: a symlink
# in place of a student file, and archives (a sound one, one with a `..`
# entry, one with a symlink).
#
# Usage: sh grader/tests/hostile_test.sh [CASE...]   (from anywhere)
set -u
cd "$(dirname "$0")/../.."
WB=$PWD/build/bin/wirebook
CORPUS=grader/tests/hostile
OUT=$PWD/build/hostile
LIMIT_S=60 # no case may take longer than this to grade
failed=0

rm -rf "$OUT" && mkdir -p "$OUT" || exit 1

fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
}

# The submission of a case: solutions/01_rest with the case's files over it.
make_submission() { # make_submission CASE DIR
    mkdir -p "$2" && cp -r solutions/01_rest "$2/" &&
        if [ -d "$CORPUS/$1" ]; then cp -r "$CORPUS/$1/." "$2/"; fi
}

no_process_left() { # no_process_left DIR: nothing running from DIR
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        left=$(pgrep -a -f "$1" | grep -v pgrep || true)
        [ -z "$left" ] && return 0
        sleep 0.3
    done
    echo "left running:"
    echo "$left"
    return 1
}

# grade_case NAME SUBMISSION EXPECT WORD: grades, checks score, the word in
# the report, the time taken and that nothing is left running.
grade_case() {
    name=$1 sub=$2 expect=$3 word=$4
    out=$OUT/grade-$name
    start=$(date +%s)
    "$WB" grade --submission "$sub" --only 01_rest/http_client --no-quiz --test-timeout 2 \
        --out "$out" --expect "$expect" >"$OUT/$name.log" 2>&1
    rc=$?
    took=$(($(date +%s) - start))
    if [ $rc -ne 0 ]; then
        fail "$name: expected 01_rest/http_client $expect (exit $rc); see $OUT/$name.log"
        tail -5 "$OUT/$name.log"
    elif [ -n "$word" ] && ! grep -q -- "$word" "$out/results.json"; then
        fail "$name: the report does not say '$word' ($out/results.json)"
    elif [ "$took" -gt "$LIMIT_S" ]; then
        fail "$name: grading took ${took}s, over the ${LIMIT_S}s bound"
    elif ! no_process_left "$out"; then
        fail "$name: processes left behind"
    else
        echo "ok   $name (${took}s): $expect${word:+, says '$word'}"
    fi
}

# expected: CASE|WORD the report must contain
cases="control|passed
infinite_loop|timed out after 2 s
fork_bomb|
memory_hog|
segfault|SIGSEGV
exit_call|calls exit()
exit_hidden|without checking anything
fake_output|
fake_report|not written yet
constructor|constructor or destructor
test_edit|not written yet
symlink|missing file"

want=" $* "
echo "$cases" | while IFS='|' read -r name word; do
    case "$want" in "  " | *" $name "*) ;; *) continue ;; esac
    sub=$OUT/sub-$name
    make_submission "$name" "$sub" || { fail "$name: cannot make the submission"; continue; }
    expect='01_rest/http_client=zero'
    [ "$name" = control ] && expect='01_rest/http_client=full'
    if [ "$name" = symlink ]; then # a link to the (correct) solution: never followed
        rm "$sub/01_rest/http_client.c" &&
            ln -s "$PWD/solutions/01_rest/http_client.c" "$sub/01_rest/http_client.c"
    fi
    grade_case "$name" "$sub" "$expect" "$word"
    echo "$failed" >"$OUT/failed"
done
[ -f "$OUT/failed" ] && failed=$(cat "$OUT/failed")

# Archives: a sound one grades like the folder; unsafe ones are refused.
archive_cases() {
    a=$OUT/archives
    mkdir -p "$a/student/01_rest" && cp solutions/01_rest/*.c "$a/student/01_rest/" || return 1
    (cd "$a" && tar czf sound.tar.gz student && zip -qr sound.zip student) || return 1
    grade_case zip "$a/sound.zip" '01_rest/http_client=full' passed
    grade_case tar_gz "$a/sound.tar.gz" '01_rest/http_client=full' passed
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
EOF
    for bad in dotdot.zip symlink.zip dotdot.tar.gz symlink.tar.gz; do
        "$WB" grade --submission "$a/$bad" --only 01_rest/http_client --no-quiz \
            --out "$OUT/grade-$bad" >"$OUT/$bad.log" 2>&1
        rc=$?
        if [ $rc -ne 2 ] || ! grep -q refused "$OUT/$bad.log"; then
            fail "$bad: expected the archive to be refused (exit $rc); see $OUT/$bad.log"
        elif [ -e "$OUT/escaped.c" ] || [ -e "$PWD/build/escaped.c" ]; then
            fail "$bad: a file was written outside the unpack folder"
        else
            echo "ok   $bad refused: $(grep -o 'refused.*' "$OUT/$bad.log" | head -1)"
        fi
    done
}
case "$want" in "  " | *" archives "*) archive_cases || fail "archives: cannot make them" ;; esac

if [ "$failed" -ne 0 ]; then
    echo "hostile corpus: $failed case(s) FAILED"
    exit 1
fi
echo "hostile corpus: every case graded as expected, nothing left running"

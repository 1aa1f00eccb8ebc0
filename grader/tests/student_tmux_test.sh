#!/bin/sh
# student_tmux_test.sh - the student's loop in a real terminal (tmux), the
# way a new student meets it, in a throw-away copy of the course:
#   wirebook list -> wirebook check 01_rest/http_client (fails) -> wirebook
#   watch -> the solution is copied over the file -> watch sees the save,
#   reports the pass and moves on -> q -> wirebook progress shows it passed ->
#   wirebook reset restores the skeleton and keeps the edited file as a backup.
# The real checkout's chapters/ is only read.
#
# Usage: sh grader/tests/student_tmux_test.sh   (from the course root; needs tmux)
set -u
command -v tmux >/dev/null 2>&1 || { echo "student_tmux_test: tmux not found" >&2; exit 2; }
src=$(pwd)
[ -f "$src/manifest.json" ] || { echo "student_tmux_test: run from the course root" >&2; exit 2; }
work=$(mktemp -d /tmp/wb-student.XXXXXX) || exit 2
session="wbstudent$$"
# A tmux server of our own, its socket in a folder of ours: no other tmux
# user, nor the test before or after, meets it while it exits.
tmux_dir=$(mktemp -d /tmp/wb-tmux.XXXXXX) || exit 2
tm() { tmux -S "$tmux_dir/socket" "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$work" "$tmux_dir"' EXIT INT TERM

fail() {
    echo "student_tmux_test: $*" >&2
    exit 1
}

# The course as a student gets it: everything but build/ and .git/.
tar -C "$src" --exclude=./build --exclude=./.git -cf - . | tar -C "$work" -xf - ||
    fail "cannot copy the course to $work"
make -C "$work" --no-print-directory tool >"$work/make.log" 2>&1 ||
    { cat "$work/make.log" >&2; fail "make tool failed in the copy"; }

screen() { tm capture-pane -p -J -t "$session"; }

# wait_for TEXT [SECONDS]: until the screen shows TEXT (default 60 s)
wait_for() {
    n=$((${2:-60} * 10))
    while [ "$n" -gt 0 ]; do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
        n=$((n - 1))
    done
    echo "student_tmux_test: timed out waiting for '$1'. Screen:" >&2
    screen >&2
    return 1
}

type_line() { tm send-keys -t "$session" "$1" Enter; }

tm new-session -d -s "$session" -x 160 -y 50 -c "$work" "env -u WB_COURSE sh" ||
    fail "cannot start tmux"
type_line "PS1='$ '; WB=\$PWD/build/bin/wirebook"

type_line '$WB list; echo LIST-EXIT=$?'
wait_for "LIST-EXIT=0" && wait_for "[ ] http_client" || exit 1
wait_for "next: 01_rest/http_client" || exit 1

type_line 'clear; $WB check 01_rest/http_client >check.out 2>&1; echo CHECK-EXIT=$?'
wait_for "CHECK-EXIT=1" || { cat "$work/check.out" >&2; exit 1; }
grep -q "FAIL" "$work/check.out" || { cat "$work/check.out" >&2; fail "check did not show failing tests"; }

# Two names: both are checked, each one's results before the next one's
# progress line even through a pipe.
# (the marker is printed as CHECK2-DONE-0: the typed line itself shows $?)
type_line 'clear; $WB check 01_rest/http_client 01_rest/hello_server 2>&1 | cat >check2.out; echo CHECK2-DONE-$?'
wait_for "CHECK2-DONE-0" || exit 1
grep -q "01_rest/hello_server does not pass yet" "$work/check2.out" ||
    { cat "$work/check2.out" >&2; fail "check A B did not check B"; }
order=$(grep -n "grading 01_rest/hello_server\|01_rest/http_client does not pass yet" "$work/check2.out" |
    cut -d: -f2- | head -n 1)
case $order in
*"http_client does not pass yet"*) ;;
*) cat "$work/check2.out" >&2; fail "check A B printed B's progress line before A's results" ;;
esac
# A save after the last check makes the recorded result stale.
touch -d '+2 seconds' "$work/chapters/01_rest/http_client.c"
type_line 'clear; $WB list | grep http_client'
wait_for "changed since last check" || exit 1

type_line 'clear; $WB watch; echo WATCH-EXIT=$?'
wait_for "watching 01_rest/http_client" || exit 1
wait_for "save to check again" || exit 1
sleep 0.5 # the watch is set up once the footer is drawn; a little margin anyway

# The student "edits" the file into the solution: cp writes it in place.
cp "$work/solutions/01_rest/http_client.c" "$work/chapters/01_rest/http_client.c" ||
    fail "cannot copy the solution"
wait_for "01_rest/http_client passes!" 30 || exit 1
wait_for "watching 01_rest/hello_server" || exit 1
tm send-keys -t "$session" q
wait_for "WATCH-EXIT=0" || exit 1

type_line 'clear; $WB progress; echo PROGRESS-EXIT=$?'
exercises=$(python3 -c 'import json; m = json.load(open("manifest.json"))
print(sum(len(c["exercises"]) for c in m["chapters"]))') || fail "cannot count the exercises"
wait_for "PROGRESS-EXIT=0" && wait_for "1 of $exercises exercises pass" || exit 1
wait_for "next: 01_rest/hello_server" || exit 1
type_line 'clear; $WB list | grep http_client'
wait_for "[x] http_client" || exit 1

type_line 'clear; $WB reset 01_rest/http_client; echo RESET-EXIT=$?'
wait_for "RESET-EXIT=0" && wait_for "skeleton restored" || exit 1
cmp -s "$work/chapters/01_rest/http_client.c" "$src/chapters/01_rest/http_client.c" ||
    fail "reset did not restore the skeleton"
backup=$(ls "$work"/build/student/backups/01_rest/http_client.c.* 2>/dev/null | head -n 1)
[ -n "$backup" ] || fail "reset kept no backup in build/student/backups/01_rest/"
cmp -s "$backup" "$work/solutions/01_rest/http_client.c" ||
    fail "the backup $backup is not the edited file"
type_line 'clear; $WB list | grep http_client'
wait_for "[ ] http_client" || exit 1

echo "student_tmux_test: list, check (fails), watch (saw the save, passed, moved on), progress, reset (backup kept) work in tmux"
exit 0

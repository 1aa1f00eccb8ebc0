#!/bin/sh
# quiz_tmux_test.sh - takes the document's quiz through `make quiz` in a real
# terminal (tmux), the way a student does: answers three questions, stops
# with q, starts again (it must resume at question 4), answers the rest, and
# checks the saved answers file scores 10/10. WB_QUIZ_SEED=canonical shows
# the choices in the quiz file's order, so the keys typed are the file's.
#
# Usage: sh grader/tests/quiz_tmux_test.sh   (from the course root; needs tmux)
set -u
command -v tmux >/dev/null 2>&1 || { echo "quiz_tmux_test: tmux not found" >&2; exit 2; }
work=$(mktemp -d /tmp/quiz-tmux.XXXXXX) || exit 2
# A tmux server of our own, its socket in a folder of ours: no other tmux
# user, nor the test before or after, meets it while it exits.
tmux_dir=$(mktemp -d /tmp/wb-tmux.XXXXXX) || exit 2
tm() { tmux -S "$tmux_dir/socket" "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$work" "$tmux_dir"' EXIT INT TERM
answers=$work/answers.txt
session=
runs=0

screen() { tm capture-pane -p -t "$session"; }

# wait_for TEXT: until the screen shows TEXT (at most 10 s)
wait_for() {
    for _ in $(seq 100); do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    echo "quiz_tmux_test: timed out waiting for '$1'. Screen:" >&2
    screen >&2
    return 1
}

# start: a fresh `make quiz` in a new tmux session. The old session goes
# only once the new one runs: a server left without sessions exits, and a
# new-session that reaches it meanwhile fails ("server exited unexpectedly").
start() {
    old=$session
    runs=$((runs + 1))
    session="quiz$runs"
    tm new-session -d -s "$session" -x 150 -y 50 \
        "WB_QUIZ_SEED=canonical make --no-print-directory quiz QUIZ=document ANSWERS=$answers; echo QUIZ-EXIT=\$?; sleep 60" ||
        { echo "quiz_tmux_test: cannot start tmux" >&2; exit 1; }
    [ -z "$old" ] || tm kill-session -t "$old"
}

answer() { # answer QUESTION-NUMBER KEYS
    wait_for "Question $1 of 13" && tm send-keys -t "$session" "$2" Enter
}

start
answer 1 a && answer 2 a && answer 3 a || exit 1
wait_for "Question 4 of 13" && tm send-keys -t "$session" q Enter
wait_for "QUIZ-EXIT=" || exit 1

start
wait_for "Question 4 of 13" || { echo "quiz_tmux_test: did not resume at question 4" >&2; exit 1; }
for n in 4 5 6 7 8 9; do answer $n a || exit 1; done
answer 10 f || exit 1
for n in 11 12 13; do
    wait_for "Question $n of 13" && tm send-keys -t "$session" Enter &&
        wait_for "(y/n" && tm send-keys -t "$session" y Enter || exit 1
    tm send-keys -t "$session" "" # let the next question draw
    sleep 0.2
done
wait_for "QUIZ-EXIT=0" || exit 1

result=$(build/bin/wirebook quiz document --answers "$answers" 2>&1)
if printf '%s\n' "$result" | grep -q "10/10"; then
    echo "quiz_tmux_test: make quiz in tmux saved answers scoring 10/10 (resumed after q)"
    exit 0
fi
echo "quiz_tmux_test: saved answers did not score 10/10:" >&2
printf '%s\n' "$result" >&2
exit 1

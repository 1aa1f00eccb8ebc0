#!/bin/sh
# quiz_html_test.sh - answers the exported HTML quiz in headless Chromium.
#
# Exports quiz/document.md and quiz/01_rest.md with `wirebook quiz --export
# html`, opens each page in headless Chromium with answers in the address
# (page.html#answers=q01:a,...&check: the page ticks them and presses "Check
# answers" itself), and reads the score the page wrote into its DOM.
#
# Usage: grader/tests/quiz_html_test.sh        (from the course root)
#   WIREBOOK=path/to/wirebook   the command to export with (default build/bin/wirebook)
#   CHROMIUM=path/to/chromium   the browser (default: chromium)
# Needs Debian's chromium package. Prints "N passed, N failed".
set -u

WIREBOOK=${WIREBOOK:-build/bin/wirebook}
CHROMIUM=${CHROMIUM:-chromium}
passed=0
failed=0

if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
    echo "quiz_html_test: $CHROMIUM not found (apt-get install chromium)" >&2
    exit 2
fi
if [ ! -x "$WIREBOOK" ]; then
    echo "quiz_html_test: $WIREBOOK not found or not executable (build it, or set WIREBOOK)" >&2
    exit 2
fi

work=$(mktemp -d /tmp/quiz-html.XXXXXX) || exit 2
trap 'rm -rf "$work"' EXIT INT TERM

export_page() { # NAME -> $work/NAME.html
    "$WIREBOOK" quiz "$1" --export html --out "$work/$1.html" 2>"$work/export.err" || {
        echo "quiz_html_test: export of $1 failed: $(cat "$work/export.err")" >&2
        exit 2
    }
}

# score NAME ANSWERS -> prints "earned/points" as the page computed it
score() {
    timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$work/profile" --virtual-time-budget=5000 \
        --dump-dom "file://$work/$1.html#answers=$2&check" 2>"$work/chromium.err" >"$work/dom.html"
    sed -n 's/.*id="score"[^>]*data-earned="\([0-9]*\)" data-points="\([0-9]*\)".*/\1\/\2/p' "$work/dom.html" | head -n 1
}

check() { # NAME ANSWERS EXPECTED WHAT
    got=$(score "$1" "$2")
    if [ "$got" = "$3" ]; then
        passed=$((passed + 1))
        echo "ok   $4: $got"
    else
        failed=$((failed + 1))
        echo "FAIL $4: expected score $3, the page showed '${got:-nothing}' (answers $2)"
    fi
}

export_page document
export_page 01_rest

key="q01:a,q02:a,q03:a,q04:a,q05:a,q06:a,q07:a,q08:a,q09:a,q10:f"
check document "$key" 10/10 "document quiz, the document's answers"
check document "$(echo "$key" | sed 's/q01:a/q01:b/')" 9/10 "document quiz, q01 changed"
check document "$(echo "$key" | sed 's/q06:a/q06:d/')" 9/10 "document quiz, q06 changed"
check document "$(echo "$key" | sed 's/q10:f/q10:t/')" 9/10 "document quiz, q10 changed"
check document "none:x" 0/10 "document quiz, nothing answered"
check 01_rest "q01:c,q02:ab,q03:b,q04:a,q05:t,q06:b,q07:b" 7/7 "01_rest, multiple choice ticked as two boxes"
check 01_rest "q01:c,q02:a,q03:b,q04:a,q05:t,q06:b,q07:b" 6/7 "01_rest, multiple choice half right"

# Each student sees the choices in an order of their own (#seed=...); the
# answers in the address are the quiz file's letters, so the score is the same.
check document "$key&seed=student-42" 10/10 "document quiz, shuffled for one student"
order() { # order NAME SEED: the texts of q01's choices as shown
    timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$work/profile" --virtual-time-budget=5000 \
        --dump-dom "file://$work/$1.html#seed=$2" 2>/dev/null |
        sed 's/<label>/\n<label>/g' | sed -n 's/^<label><input[^>]*id="q01-\([a-z]\)"> \([a-z]\)).*/\2=\1/p' | tr '\n' ' '
}
a=$(order document canonical) b=$(order document student-1) c=$(order document student-2)
if [ -n "$a" ] && [ "$b" = "$(order document student-1)" ] && { [ "$a" != "$b" ] || [ "$a" != "$c" ]; }; then
    passed=$((passed + 1))
    echo "ok   choices shuffled per student, stable for one: [$a] [$b] [$c]"
else
    failed=$((failed + 1))
    echo "FAIL shuffled order: canonical [$a], student-1 [$b], student-2 [$c]"
fi

# A student edition's page checks answers against salted hashes, not keys.
"$WIREBOOK" release --out "$work/edition" --salt htmltest >/dev/null 2>&1 &&
    "$WIREBOOK" quiz 01_rest --course "$work/edition" --export html --out "$work/keyed.html" \
        >/dev/null 2>&1 || { echo "quiz_html_test: cannot export the edition's quiz" >&2; exit 2; }
if grep -q '"correct": \[$' "$work/keyed.html"; then
    failed=$((failed + 1))
    echo "FAIL the student edition's page holds the key"
else
    check keyed "q01:c,q02:ab,q03:b,q04:a,q05:t,q06:b,q07:b" 7/7 "student edition: right answers score in full"
    check keyed "q01:a,q02:a,q03:b,q04:a,q05:t,q06:b,q07:b" 5/7 "student edition: wrong answers do not"
fi

# axe-core (npm, kept in build/tools/npm) in the same browser: no violations,
# before answering and after checking (feedback shown).
NPM=$PWD/build/tools/npm
[ -f "$NPM/node_modules/axe-core/axe.min.js" ] ||
    npm install --prefix "$NPM" --no-audit --no-fund --silent axe-core gift-pegjs >/dev/null 2>&1
if [ ! -f "$NPM/node_modules/axe-core/axe.min.js" ]; then
    failed=$((failed + 1))
    echo "FAIL axe-core did not install from npm"
else
    cp "$NPM/node_modules/axe-core/axe.min.js" "$work/axe.min.js"
    for page in document 01_rest keyed; do
        sed 's#</body>#<script src="axe.min.js"></script><script>axe.run(document).then(function (r) { var p = document.createElement("pre"); p.id = "axe-result"; p.textContent = "AXE " + JSON.stringify(r.violations.map(function (v) { return v.id + " (" + v.impact + "): " + v.help; })); document.body.appendChild(p); });</script></body>#' \
            "$work/$page.html" >"$work/axe-$page.html"
        for hash in "" "#answers=q01:a,q02:b&check"; do
            result=$(timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
                --user-data-dir="$work/profile" --virtual-time-budget=10000 \
                --dump-dom "file://$work/axe-$page.html$hash" 2>/dev/null | sed -n 's/.*AXE \(\[.*\]\).*/\1/p')
            if [ "$result" = "[]" ]; then
                passed=$((passed + 1))
                echo "ok   axe-core: no violations in $page${hash:+ after checking}"
            else
                failed=$((failed + 1))
                echo "FAIL axe-core on $page$hash: ${result:-no result}"
            fi
        done
    done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/sh
# release_test.sh - the student edition (`wirebook release`) gives nothing
# away and works on its own.
#
# Checks, on a fresh edition:
#   - no solutions/ and no line of a solution region (the reference code
#     between @student-begin and @student-stub that no public file of the
#     course - chapters, lessons, hints, test kit - holds) anywhere in it;
#   - no hidden test: not in its manifest, no tests/hidden/, the hidden
#     tests' names nowhere;
#   - no quiz key: no [x] in its quizzes, every choice question keyed;
#   - it builds with its own Makefile; its own tool scores its skeletons
#     zero, scores the reference answers file full on its keyed quizzes, and
#     `wirebook solution` says the solutions are not part of it.
#
# Usage: sh grader/tests/release_test.sh      (from anywhere)
#   RELEASE_ONLY=01_rest   grade only that chapter's skeletons (quicker)
set -u
cd "$(dirname "$0")/../.."
WB=$PWD/build/bin/wirebook
OUT=$PWD/build/release-test
REL=$OUT/wirebook
failed=0
fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
}

rm -rf "$OUT" && mkdir -p "$OUT" || exit 1
"$WB" release --out "$REL" --salt selftest >"$OUT/release.log" 2>&1 ||
    { cat "$OUT/release.log"; exit 1; }

[ -e "$REL/solutions" ] && fail "the edition has solutions/"
find "$REL" -path '*/tests/hidden*' | grep -q . && fail "the edition has tests/hidden/"

# Lines of the reference code that the skeletons do not contain.
python3 - "$REL" >"$OUT/leaks.txt" <<'PY'
import json, os, sys
rel = sys.argv[1]
edition = []
for d, _, files in os.walk(rel):
    for f in files:
        try:
            edition.append(open(os.path.join(d, f), errors="replace").read())
        except OSError:
            pass
text = "\n".join(edition)
public = []
for top in ("chapters", "testkit", "docs", "quiz", "grader/src"):
    for d, _, files in os.walk(top):
        for f in files:
            public.append(open(os.path.join(d, f), errors="replace").read())
public = "\n".join(public)
checked = 0
for d, dirs, files in os.walk("solutions"):
    dirs[:] = [x for x in dirs if x != "mistakes"]
    for f in files:
        if not f.endswith(".c"):
            continue
        path = os.path.join(d, f)
        inside = False
        for line in open(path):
            if "@student-begin" in line:
                inside = True
            elif "@student-stub" in line or "@student-end" in line:
                inside = False
            elif inside:
                s = line.strip()
                if len(s) >= 20 and s not in public:
                    checked += 1
                    if s in text:
                        print("solution line in the edition: %s: %s" % (path, s))
manifest = json.load(open("manifest.json"))
for ch in manifest["chapters"]:
    for ex in ch["exercises"]:
        for t in ex["tests"]:
            if t.get("hidden") and t["name"] in text:
                print("hidden test %s/%s named in the edition" % (ex["id"], t["name"]))
sys.stderr.write("%d distinctive solution lines looked for\n" % checked)
PY
[ -s "$OUT/leaks.txt" ] && fail "$(head -5 "$OUT/leaks.txt")"

python3 - "$REL" <<'PY' || fail "quiz keys in the edition"
import json, re, sys
rel = sys.argv[1]
bad = 0
for q in json.load(open(rel + "/manifest.json"))["quizzes"]:
    text = open(rel + "/" + q["file"]).read()
    if re.search(r"^\s*([-*+]|\d+[.)])\s+\[[xX]\]", text, re.M):
        print("%s: a choice is still marked [x]" % q["file"]); bad += 1
    keyed = len(re.findall(r"<!--.*key: [0-9a-f]{64}", text))
    asked = len(re.findall(r"<!--\s*id:", text)) - len(re.findall(r"kind: open", text))
    if keyed != asked:
        print("%s: %d keyed questions of %d" % (q["file"], keyed, asked)); bad += 1
sys.exit(1 if bad else 0)
PY

make -C "$REL" --no-print-directory tool >"$OUT/build.log" 2>&1 || fail "the edition does not build (see $OUT/build.log)"
RWB=$REL/build/bin/wirebook
if [ -x "$RWB" ]; then
    "$RWB" grade --course "$REL" --submission "$REL/chapters" --no-quiz --out "$OUT/grade" \
        ${RELEASE_ONLY:+--only "$RELEASE_ONLY"} --expect '*=zero' >"$OUT/grade.log" 2>&1 ||
        fail "the edition's skeletons do not score zero with its own tool (see $OUT/grade.log)"
    "$RWB" quiz --course "$REL" --answers solutions/quiz-answers.txt >"$OUT/quiz.log" 2>&1
    total=$(sed -n 's/^total *\([0-9]*\)\/\([0-9]*\).*/\1 \2/p' "$OUT/quiz.log")
    set -- $total
    [ "$#" -eq 2 ] && [ "$1" = "$2" ] && [ "$1" -gt 0 ] ||
        fail "the reference answers do not score full on the keyed quizzes: ${total:-no total}"
    (cd "$REL" && "$RWB" solution 01_rest/http_client) >"$OUT/solution.log" 2>&1
    grep -q "not part of this student edition" "$OUT/solution.log" ||
        fail "wirebook solution in the edition: $(head -3 "$OUT/solution.log")"
fi
[ "$failed" -eq 0 ] && echo "release: nothing of solutions/, hidden tests or keys; builds; skeletons 0"
[ "$failed" -eq 0 ]

#!/bin/sh
# workflow_test.sh - the GitHub Classroom workflow passes actionlint, and the
# payload it hands to GitHub's autograding reporter adds up to the grade.
#
# actionlint is built once from the Go module proxy into build/tools (kept
# there, so later runs use it as is). The payload check grades one exercise
# of the reference solutions and decodes what classroom_results.py made of
# its results.json: the reporter sums the tests' scores, so they must add
# up to the score, against max_score.
#
# Usage: sh grader/tests/workflow_test.sh     (from anywhere)
set -u
cd "$(dirname "$0")/../.."
TOOLS=$PWD/build/tools
OUT=$PWD/build/workflow-test
ACTIONLINT_VERSION=v1.7.12
mkdir -p "$TOOLS" "$OUT" || exit 1

if [ ! -x "$TOOLS/actionlint" ]; then
    GOBIN=$TOOLS GOFLAGS=-mod=mod go install \
        "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" >"$OUT/install.log" 2>&1 ||
        { echo "workflow_test: cannot build actionlint (see $OUT/install.log)"; exit 1; }
fi
"$TOOLS/actionlint" gradescope/github-classroom.yml || exit 1
echo "ok   actionlint: gradescope/github-classroom.yml"

build/bin/wirebook grade --submission solutions --only 01_rest/http_client --no-quiz \
    --out "$OUT/grade" >"$OUT/grade.log" 2>&1 || { echo "FAIL grading (see $OUT/grade.log)"; exit 1; }
python3 gradescope/classroom_results.py "$OUT/grade/results.json" >"$OUT/payload.b64" || exit 1
python3 - "$OUT/payload.b64" "$OUT/grade/results.json" <<'PY' || exit 1
import base64, json, sys
p = json.loads(base64.b64decode(open(sys.argv[1]).read()))
r = json.load(open(sys.argv[2]))
assert p["status"] == "pass" and p["max_score"] == r["max_score"], (p["status"], p["max_score"])
assert abs(sum(t["score"] for t in p["tests"]) - r["score"]) < 1e-9
assert all(t["status"] in ("pass", "fail", "error") and "name" in t for t in p["tests"])
hidden = [t["name"] for t in r["tests"] if t["visibility"] != "visible"]
assert hidden and not any(t["name"] in hidden for t in p["tests"]), "a hidden test shown"
print("ok   reporter payload: scores add up to %g/%g, hidden tests not shown" % (r["score"], r["max_score"]))
PY

#!/bin/sh
# test.sh - the Gradescope autograder zip, run against a fake /autograder
# layout in a temporary folder: unpack, setup.sh, a submission, run_autograder,
# then check results.json is valid and scores what it should.
# Usage: sh gradescope/test.sh [WIREBOOK-GRADE-OPTIONS]  (default: --only 01_rest)
set -eu
cd "$(dirname "$0")/.."
args=${*:---only 01_rest --test-timeout 2 --no-quiz}
root=$(mktemp -d "${TMPDIR:-/tmp}/fake-autograder.XXXXXX")
trap 'rm -rf "$root"' EXIT INT TERM
sh gradescope/make-zip.sh build/gradescope/autograder.zip >/dev/null
mkdir -p "$root/source" "$root/submission" "$root/results"
unzip -q build/gradescope/autograder.zip -d "$root/source"
WB_AUTOGRADER_ROOT=$root sh "$root/source/setup.sh" >"$root/setup.log" 2>&1 ||
    { tail -20 "$root/setup.log"; exit 1; }
cp -r solutions/01_rest "$root/submission/"
cp grader/tests/hostile/segfault/01_rest/http_client.c "$root/submission/01_rest/"
# shellcheck disable=SC2086
WB_AUTOGRADER_ROOT=$root WB_GRADE_ARGS="$args" sh "$root/source/run_autograder" >/dev/null
python3 - "$root/results/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert isinstance(r["score"], (int, float)) and isinstance(r["tests"], list), "shape"
for t in r["tests"]:
    assert {"name", "score", "max_score", "status", "output"} <= set(t), t
ex = {(e["chapter"], e["exercise"]): e["score"] for e in r["extra_data"]["exercises"]}
assert ex[("01_rest", "http_client")] == 0, ex        # the segfaulting file
m = json.load(open("manifest.json"))
full = {e["id"]: sum(t["points"] for t in e["tests"])
        for c in m["chapters"] if c["id"] == "01_rest" for e in c["exercises"]}
assert ex[("01_rest", "retry_client")] == full["retry_client"], ex  # the rest: full marks
print("results.json valid: score %g/%g, %d tests" % (r["score"], r["max_score"], len(r["tests"])))
PY

#!/bin/sh
# platforms_test.sh - what wirebook hands to the platforms instructors use,
# checked by the real consumers where one installs here:
#   - results.json (Gradescope's fields, a hidden test's visibility, one entry
#     for a compile error, the late policy) and results.xml against the JUnit
#     schema (lxml), both valid whatever bytes a student's code prints;
#   - submissions as they arrive: loose files, a wrapping folder, a nested
#     archive, Moodle's folders, a Classroom repository (symlinks ignored);
#   - batch: gradebook.csv read back with Python's csv module (quoting,
#     formulas neutralised, a broken answers file), --only merged, Canvas and
#     Moodle columns, feedback files;
#   - GIFT export parsed by gift-pegjs (npm), keys and specials intact.
#
# Usage: sh grader/tests/platforms_test.sh     (from anywhere)
# Needs python3-lxml (Debian) and node/npm; npm packages go to build/tools/npm.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
WB=$ROOT/build/bin/wirebook
OUT=$ROOT/build/platforms
PY=/usr/bin/python3 # Debian's, which has python3-lxml
# Points of 01_rest/http_client (every test, the hidden one included), from
# the manifest: the checks below compare against it, not a number that goes
# stale when the exercise gains a test.
HC_MAX=$($PY -c 'import json
m = json.load(open("manifest.json"))
print(sum(t["points"] for c in m["chapters"] if c["id"] == "01_rest"
          for e in c["exercises"] if e["id"] == "http_client" for t in e["tests"]))') || exit 1
export HC_MAX
failed=0
fail() {
    echo "FAIL $*"
    failed=$((failed + 1))
}
ok() { echo "ok   $*"; }

rm -rf "$OUT" && mkdir -p "$OUT" || exit 1
grade() { # grade NAME SUBMISSION ONLY [more options]: OUT/NAME/results.json
    name=$1 sub=$2 only=$3
    shift 3
    "$WB" grade --submission "$sub" --only "$only" --no-quiz --test-timeout 5 \
        --out "$OUT/$name" "$@" >"$OUT/$name.log" 2>&1
}

# ---- any bytes a student prints ------------------------------------------
mkdir -p "$OUT/sub-bytes/01_rest"
cat >"$OUT/sub-bytes/01_rest/http_client.c" <<'C'
/* prints bytes that are not UTF-8 (and a control character) into its error */
#include "http_client.h"
#include <stdlib.h>
int http_get(const char *url, long timeout_ms, struct http_response *out)
{
    (void)timeout_ms;
    memset(out, 0, sizeof *out);
    out->result = CURLE_COULDNT_CONNECT;
    snprintf(out->error, sizeof out->error, "%s: \xff\xfe bad \xc3\x28 \xed\xa0\x80 \x01 end", url);
    return -1;
}
void http_response_free(struct http_response *r)
{
    free(r->body);
    free(r->content_type);
    memset(r, 0, sizeof *r);
}
C
grade bytes "$OUT/sub-bytes" 01_rest/http_client
$PY - "$OUT/bytes" "$ROOT/grader/tests/schemas/junit-10.xsd" <<'PY' && ok "invalid UTF-8 from a student: results.json and results.xml valid, tests graded" || fail "invalid UTF-8 from a student (see $OUT/bytes.log)"
import json, sys
from lxml import etree
out, xsd = sys.argv[1], sys.argv[2]
raw = open(out + "/results.json", "rb").read()
raw.decode("utf-8")  # strict
r = json.loads(raw)
ex = r["extra_data"]["exercises"][0]
assert ex["state"] == "graded", ex
assert any("\ufffd" in t["output"] for t in r["tests"]), "no U+FFFD in any output"
schema = etree.XMLSchema(etree.parse(xsd))
doc = etree.parse(out + "/results.xml")
assert schema.validate(doc), schema.error_log
PY

# ---- Gradescope: hidden test, fields, compile error, late policy ----------
mkdir -p "$OUT/course"
for f in chapters testkit quiz grader scripts build; do ln -s "$ROOT/$f" "$OUT/course/$f"; done
$PY - "$ROOT/manifest.json" "$OUT/course/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["late"] = {"penalty_per_day": 0.1}
m["gradescope"] = {"stdout_visibility": "hidden"}
json.dump(m, open(sys.argv[2], "w"), indent=1)
PY
cat >"$OUT/metadata.json" <<'J'
{"created_at": "2026-03-03T10:00:00.000000-08:00",
 "assignment": {"due_date": "2026-03-01T23:59:00.000000-08:00", "late_due_date": null},
 "users": [{"email": "s@example.org", "name": "S", "assignment": {"due_date": null}}]}
J
grade gradescope "$ROOT/solutions" 01_rest/http_client --course "$OUT/course" \
    --submission-metadata "$OUT/metadata.json"
mkdir -p "$OUT/sub-broken/01_rest" && echo 'this is not C;' >"$OUT/sub-broken/01_rest/http_client.c"
grade gradescope-broken "$OUT/sub-broken" 01_rest/http_client
$PY - "$OUT" "$ROOT/grader/tests/schemas/junit-10.xsd" <<'PY' && ok "Gradescope results: hidden test, number, tags, output_format, one compile-error entry, late penalty" || fail "Gradescope results (see $OUT/gradescope/results.json)"
import json, os, sys
from lxml import etree
out = sys.argv[1]
VIS = {"visible", "hidden", "after_due_date", "after_published"}
TOP = {"score", "max_score", "execution_time", "output", "output_format", "stdout_visibility",
       "tests", "extra_data", "visibility", "leaderboard", "test_output_format",
       "test_name_format"}
TEST = {"score", "max_score", "status", "name", "name_format", "number", "output",
        "output_format", "tags", "visibility", "extra_data"}
r = json.load(open(out + "/gradescope/results.json"))
assert set(r) <= TOP, set(r) - TOP
assert r["stdout_visibility"] == "hidden", r["stdout_visibility"]
for t in r["tests"]:
    assert set(t) <= TEST, set(t) - TEST
    assert t["visibility"] in VIS and t["output_format"] == "text" and t["tags"] == ["01_rest"]
    assert isinstance(t["number"], str) and t["status"] in ("passed", "failed")
hidden = [t for t in r["tests"] if t["name"].endswith("server_error_keeps_status_and_body")]
assert len(hidden) == 1 and hidden[0]["visibility"] == "after_due_date", hidden
# submitted 1 day and 10 hours late: 2 started days at 10% a day
late = r["extra_data"]["late"]
assert late["late"] and late["days"] == 2, late
HC = float(os.environ["HC_MAX"])
assert abs(r["score"] - HC * 0.8) < 1e-9 and r["max_score"] == HC, (r["score"], r["max_score"])
b = json.load(open(out + "/gradescope-broken/results.json"))
assert len(b["tests"]) == 1 and "did not compile" in b["tests"][0]["name"], b["tests"]
assert b["tests"][0]["max_score"] == HC
schema = etree.XMLSchema(etree.parse(sys.argv[2]))
for d in ("gradescope", "gradescope-broken"):
    doc = etree.parse(out + "/" + d + "/results.xml")
    assert schema.validate(doc), (d, schema.error_log)
PY

# ---- submissions as they arrive -------------------------------------------
L=$OUT/layouts
sol=$ROOT/solutions/01_rest/http_client.c
mkdir -p "$L/loose/deep/er" "$L/wrap/repo-main/chapters/01_rest" "$L/moodle/Ann Lee_4242_assignsubmission_file_" \
    "$L/classroom/.github/classroom" "$L/classroom/chapters/01_rest" "$L/nest/w/01_rest" "$L/nest/outer"
cp "$sol" "$L/loose/deep/er/" && ln -s /etc/passwd "$L/loose/retry_client.c"
cp "$sol" "$L/wrap/repo-main/chapters/01_rest/"
cp "$sol" "$L/moodle/Ann Lee_4242_assignsubmission_file_/"
cp "$sol" "$L/classroom/chapters/01_rest/" && echo '{}' >"$L/classroom/.github/classroom/autograding.json"
cp "$sol" "$L/nest/w/01_rest/" && (cd "$L/nest" && zip -qr outer/inner.zip w && cd outer && zip -q ../outer.zip inner.zip)
for shape in "loose:loose files" "wrap:one wrapping folder 'repo-main'" \
    "moodle:Moodle's submission folder" "classroom:GitHub Classroom repository" \
    "nest/outer.zip:the archive 'inner.zip' inside"; do
    dir=${shape%%:*} word=${shape#*:}
    name=layout-$(echo "$dir" | tr '/.' '--')
    if grade "$name" "$L/$dir" 01_rest/http_client --expect '*=full' &&
        grep -q "recognised.*$word" "$OUT/$name.log"; then
        ok "submission shape $dir: recognised, full marks"
    else
        fail "submission shape $dir (see $OUT/$name.log)"
    fi
done
grade layout-symlink "$L/loose" 01_rest/retry_client --expect '*=zero' ||
    fail "a symlink named like a student file was followed (see $OUT/layout-symlink.log)"

# ---- batch: CSV, merge, Canvas, Moodle, feedback ----------------------------
S=$OUT/batch-subs
mkdir -p "$S"
cp -r "$ROOT/solutions" "$S/alice" && rm -rf "$S"/alice/*/mistakes
mkdir -p "$S/=HYPERLINK(\"evil\",\"x\")/01_rest"
cp -r "$S/alice" "$S/Bob Smith_12345_assignsubmission_file_"
printf 'document.q01 = a\nthis line is broken\n' >"$S/Bob Smith_12345_assignsubmission_file_/quiz-answers.txt"
printf 'id,name,email,login\n12345,"Smith, Bob",bob@example.org,bobs\n777,Alice A,alice@example.org,alice\n' >"$OUT/roster.csv"
B=$OUT/batch
"$WB" batch "$S" -j 2 --only 01_rest/http_client --out "$B" --roster "$OUT/roster.csv" >"$OUT/batch1.log" 2>&1
"$WB" batch "$S" -j 2 --only quiz --out "$B" --roster "$OUT/roster.csv" >"$OUT/batch2.log" 2>&1
cp "$B/gradebook.csv" "$OUT/gradebook-wirebook.csv"
"$WB" batch "$S" --only quiz --out "$B" --roster "$OUT/roster.csv" --format canvas >"$OUT/batch3.log" 2>&1
cp "$B/gradebook.csv" "$OUT/gradebook-canvas.csv"
"$WB" batch "$S" --only quiz --out "$B" --roster "$OUT/roster.csv" --format moodle >"$OUT/batch4.log" 2>&1
cp "$B/gradebook.csv" "$OUT/gradebook-moodle.csv"
$PY - "$OUT" <<'PY' && ok "batch: CSV per RFC 4180 (Python csv), formula neutralised, --only merged, broken answers keep the maximum, Canvas and Moodle columns, feedback files" || fail "batch gradebooks (see $OUT/gradebook-*.csv)"
import csv, os, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(out + "/gradebook-wirebook.csv", newline="")))
by = {r["student"]: r for r in rows}
assert len({len(r) for r in rows}) == 1
evil = [s for s in by if "HYPERLINK" in s][0]
assert evil.startswith("'="), evil
a = by["alice"]
HC = float(os.environ["HC_MAX"])
assert float(a["01_rest/http_client"]) == HC, a
assert float(a["total"]) == HC + float(a["quiz"]) and float(a["quiz"]) > 0, a  # merged
bob = by["Bob Smith_12345_assignsubmission_file_"]
assert bob["name"] == "Smith, Bob", bob
assert bob["max_score"] == a["max_score"], (bob["max_score"], a["max_score"])
assert "could not be graded" in bob["note"] and ":2:" in bob["note"], bob  # says why, and where
canvas = list(csv.reader(open(out + "/gradebook-canvas.csv", newline="")))
assert canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"], canvas[0]
assert canvas[1][0].strip() == "Points Possible" and float(canvas[1][5]) == float(a["max_score"])
moodle = list(csv.DictReader(open(out + "/gradebook-moodle.csv", newline="")))
ids = {r["Identifier"] for r in moodle}
assert "Participant 12345" in ids, ids
for who in ("alice", "Bob Smith_12345_assignsubmission_file_"):
    text = open(out + "/batch/" + who + "/feedback.txt").read()
    html = open(out + "/batch/" + who + "/feedback.html").read()
    assert text.startswith("wirebook: ") and "<main>" in html
PY

# ---- GIFT through a real parser ---------------------------------------------
NPM=$ROOT/build/tools/npm
[ -d "$NPM/node_modules/gift-pegjs" ] ||
    npm install --prefix "$NPM" --no-audit --no-fund --silent gift-pegjs axe-core >"$OUT/npm.log" 2>&1
cat >"$OUT/specials.md" <<'Q'
### Specials: 50% of {a} = b # c ~ d
<!-- id: q1 -->

1. [ ] %100% wrong, though it starts like a weight
1. [x] right: a = b
1. [ ] ~tilde #hash {brace}

### Two of three
<!-- id: q2 -->

- [x] one
- [ ] two
- [x] three
Q
for q in document 01_rest 02_grpc 03_amqp 04_kafka; do
    "$WB" quiz "$q" --export gift --out "$OUT/$q.gift" >/dev/null 2>&1 || fail "GIFT export of $q"
done
(cd "$OUT" && "$WB" quiz --course "$ROOT" specials.md --export gift --out "$OUT/specials.gift") >/dev/null 2>&1 ||
    "$WB" quiz "$OUT/specials.md" --export gift --out "$OUT/specials.gift" >/dev/null 2>&1
NODE_PATH=$NPM/node_modules node - "$OUT" "$ROOT/solutions/quiz-answers.txt" <<'JS' && ok "GIFT parsed by gift-pegjs: single choice keeps its key, multiple choice all-or-nothing, specials and % intact" || fail "GIFT through gift-pegjs"
const fs = require("fs"), { parse } = require("gift-pegjs");
const [out, answersFile] = process.argv.slice(2);
const key = {};
for (const line of fs.readFileSync(answersFile, "utf8").split("\n")) {
  const m = /^\s*([\w.-]+)\s*=\s*([a-z ,]+)/.exec(line);
  if (m) key[m[1]] = m[2].replace(/[ ,]/g, "");
}
let checked = 0;
for (const q of ["document", "01_rest", "02_grpc", "03_amqp", "04_kafka"]) {
  for (const item of parse(fs.readFileSync(`${out}/${q}.gift`, "utf8"))) {
    if (item.type === "Category" || !(item.title in key)) continue;
    const want = key[item.title];
    if (item.type === "MC") {
      const right = item.choices.map((c, i) => c.isCorrect ? String.fromCharCode(97 + i) : "").join("");
      if (right !== want) throw new Error(`${item.title}: right ${right}, key ${want}`);
      if (item.choices.some(c => c.weight !== null)) throw new Error(`${item.title}: a weight`);
    } else if (item.type === "Short") {
      if (item.choices.length !== 1 || item.choices[0].text.text !== want)
        throw new Error(`${item.title}: short answer ${JSON.stringify(item.choices)} for ${want}`);
    } else if (item.type === "TF") {
      if (item.isTrue !== (want === "t" || want === "a")) throw new Error(`${item.title}: TF`);
    } else throw new Error(`${item.title}: unexpected type ${item.type}`);
    checked++;
  }
}
if (checked < 30) throw new Error(`only ${checked} questions checked`);
const sp = parse(fs.readFileSync(`${out}/specials.gift`, "utf8")).filter(i => i.type !== "Category");
const mc = sp[0];
if (mc.type !== "MC" || !mc.choices[1].isCorrect || mc.choices[0].isCorrect || mc.choices[0].weight !== null)
  throw new Error("specials: " + JSON.stringify(mc.choices));
if (!mc.stem.text.includes("50&#37; of {a} = b # c ~ d") || mc.choices[0].text.text !== "&#37;100&#37; wrong, though it starts like a weight" || mc.choices[2].text.text !== "~tilde #hash {brace}")
  throw new Error("specials text: " + JSON.stringify(mc));
if (sp[1].type !== "Short" || sp[1].choices[0].text.text !== "ac") throw new Error("q2 " + JSON.stringify(sp[1]));
JS

[ "$failed" -eq 0 ] && echo "platforms: all passed"
[ "$failed" -eq 0 ]

#!/usr/bin/env python3
"""classroom_results.py RESULTS_JSON - wirebook's results.json as the payload
GitHub Classroom's autograding reporter reads.

The reporter (classroom-resources/autograding-grading-reporter) takes, for
each runner named in its `runners` input, an environment variable
RUNNER_RESULTS holding base64 of a JSON object: a status ("pass", "fail" or
"error"), max_score and tests[] with name, status, score and message. It sums
the tests' scores against max_score and posts "Points N/M" to the Classroom.
Prints the base64 text on one line. A results.json that cannot be read gives
status "error" with the reason, never a crash: the student must see why.
"""
import base64
import json
import sys


def entry(name, passed, score, message):
    # messages are cut short: the payload travels in an environment variable
    return {"name": name, "status": "pass" if passed else "fail", "score": score,
            "message": message[:300], "line_no": 0, "execution_time": "0s",
            "test_code": "", "filename": ""}


def payload(path):
    try:
        with open(path, encoding="utf-8") as f:
            results = json.load(f)
    except (OSError, ValueError) as e:
        return {"version": 1, "status": "error", "max_score": 0,
                "tests": [{"name": "wirebook", "status": "error", "score": 0,
                           "message": "no results from wirebook: %s" % e}]}
    tests, not_shown, listed = [], 0.0, 0.0
    for t in results.get("tests", []):
        listed += t.get("score", 0)
        if t.get("visibility", "visible") != "visible":
            not_shown += t.get("score", 0)  # hidden tests stay hidden here too
            continue
        tests.append(entry(t.get("name", "?"), t.get("status") == "passed", t.get("score", 0),
                           t.get("output", "")))
    score, max_score = results.get("score", 0), results.get("max_score", 0)
    # The reporter adds up the tests' scores: the hidden tests' points and a
    # late penalty go in as entries of their own so that the sum is the score.
    if not_shown > 0:
        tests.append(entry("tests not shown yet", True, not_shown, ""))
    if abs(score - listed) > 1e-9:
        late = results.get("extra_data", {}).get("late", {})
        tests.append(entry("late penalty" if late.get("late") else "adjustment", False,
                           score - listed, results.get("output", "")))
    status = "pass" if max_score > 0 and score >= max_score else "fail"
    return {"version": 1, "status": status, "max_score": max_score, "tests": tests}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: classroom_results.py RESULTS_JSON")
    text = json.dumps(payload(sys.argv[1]), ensure_ascii=True)
    print(base64.b64encode(text.encode("ascii")).decode("ascii"))

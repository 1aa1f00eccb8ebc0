#!/bin/sh
# setup.sh - Gradescope runs this once when it builds the autograder image.
# The course is in source/wirebook beside this script: install the Debian
# packages it needs and build the grader and the test kit.
# WB_AUTOGRADER_ROOT (default /autograder) lets a test run it elsewhere.
set -eu
ROOT=${WB_AUTOGRADER_ROOT:-/autograder}
COURSE=$ROOT/source/wirebook
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && ! command -v make >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends make
fi
sh "$COURSE/scripts/install-deps.sh"
make -C "$COURSE" --no-print-directory tool
# The instructor's objects (tests, fixtures, generated code), compiled once
# into the image: each submission's grade then compiles only its own files.
# Not fatal: grading compiles whatever the cache lacks.
(cd "$COURSE" && build/bin/wirebook cache) || echo "setup.sh: the object cache could not be filled; grading will compile it"

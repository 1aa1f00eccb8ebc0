#!/bin/sh
# make-zip.sh OUT.zip - builds the Gradescope autograder zip (`make gradescope`):
# setup.sh and run_autograder at the top, the course (its git files, without
# build/ and without solutions/: grading never needs the reference solutions,
# and what ships can be read by whoever controls the container) in
# wirebook/. Gradescope unpacks it into /autograder/source.
set -eu
cd "$(dirname "$0")/.."
out=$1
stage=$(dirname "$out")/stage
rm -rf "$stage" "$out" && mkdir -p "$stage/wirebook"
cp gradescope/setup.sh gradescope/run_autograder "$stage/"
chmod +x "$stage/setup.sh" "$stage/run_autograder"
# Tracked and new (not ignored) files: what a checkout of the course holds.
git ls-files -co --exclude-standard | grep -v -e '^build/' -e '^solutions/' | while IFS= read -r f; do
    [ -f "$f" ] || continue
    mkdir -p "$stage/wirebook/$(dirname "$f")" && cp -p "$f" "$stage/wirebook/$f"
done
out_abs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
(cd "$stage" && zip -qr "$out_abs" setup.sh run_autograder wirebook)
rm -rf "$stage"
echo "autograder: $out"

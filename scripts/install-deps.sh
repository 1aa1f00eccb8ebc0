#!/bin/sh
# install-deps.sh [GROUP...] - installs the Debian packages wirebook needs.
#
# Reads scripts/packages.txt ("group: package ..."); with no argument every
# group a student or grader needs, with --all the test-* and bench-* groups too.
# Quick when everything is there (one dpkg-query). Where it cannot
# install (not root, no apt-get) it prints the exact command and stops.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
list="$here/packages.txt"

wanted=""
if [ $# -eq 0 ]; then
    wanted=$(sed -n '/^test-/d; /^bench-/d; s/^[a-z0-9_-]*: *//p' "$list")
elif [ "$1" = "--all" ]; then
    wanted=$(sed -n 's/^[a-z0-9_-]*: *//p' "$list")
else
    for group in "$@"; do
        line=$(sed -n "s/^$group: *//p" "$list")
        if [ -z "$line" ]; then
            echo "install-deps: no group '$group' in $list" >&2
            exit 2
        fi
        wanted="$wanted $line"
    done
fi

missing=""
for pkg in $wanted; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
        *" installed") ;;
        *) missing="$missing $pkg" ;;
    esac
done
[ -z "$missing" ] && exit 0

command="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "wirebook needs these Debian packages:$missing" >&2
    echo "Install them as root, then run make again:" >&2
    echo "    apt-get update && $command" >&2
    exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing

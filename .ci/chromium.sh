#!/usr/bin/env bash
# Installs Chromium (Debian's `chromium` package) for the scorecard's browser test
# (tests/test_scorecard.py renders `goldenpath audit --format html` in headless Chromium and
# measures its charts). Idempotent: a chromium or chromium-browser already on PATH is used as it
# is; `apt-get update` runs only when apt knows no `chromium` candidate or the install fails
# on stale package lists. Runs apt-get as root, or through sudo when not root. The last line of
# standard output is the binary's path.
set -euo pipefail

find_chromium() {
    command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || true
}

bin="$(find_chromium)"
if [[ -z "$bin" ]]; then
    if [[ "$(id -u)" == 0 ]]; then
        as_root=()
    elif command -v sudo >/dev/null 2>&1; then
        as_root=(sudo -n)
    else
        echo "no chromium on PATH and not root (and no sudo) to install Debian's chromium package" >&2
        exit 2
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "no chromium on PATH and no apt-get to install it with (not a Debian-based system?)" >&2
        exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    started=$SECONDS
    apt_get() { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q "$@" >&2; }
    updated=no
    candidate="$(apt-cache policy chromium 2>/dev/null | awk '/Candidate:/ {print $2}')"
    if [[ -z "$candidate" || "$candidate" == "(none)" ]]; then
        echo "apt knows no chromium candidate; running apt-get update" >&2
        apt_get update
        updated=yes
    fi
    echo "installing Debian's chromium package (first time only)" >&2
    if ! apt_get install -y --no-install-recommends chromium; then
        # Package lists older than the mirror name .debs the mirror no longer has: refresh once.
        [[ "$updated" == no ]] || exit 2
        echo "install failed; running apt-get update and trying again" >&2
        apt_get update
        apt_get install -y --no-install-recommends chromium
    fi
    bin="$(find_chromium)"
    if [[ -z "$bin" ]]; then
        echo "the chromium package installed, but no chromium is on PATH" >&2
        exit 2
    fi
    echo "installed chromium in $((SECONDS - started)) s" >&2
fi
echo "$("$bin" --version 2>/dev/null || echo 'chromium (version unknown)') at:" >&2
echo "$bin"

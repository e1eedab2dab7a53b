#!/usr/bin/env bash
# Creates the virtualenv checkov runs from. checkov pins its own dependencies (pydantic, boto3,
# jsonschema, ...) tightly enough to clash with goldenpath's, so it never shares an environment
# with the project. Idempotent: an existing venv with a working checkov is kept.
#
#   CHECKOV_VENV  where to create it (default: <repo>/.venv-checkov, gitignored)
#   PYTHON        interpreter to build it from (default: python3)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${CHECKOV_VENV:-$repo/.venv-checkov}"
python="${PYTHON:-python3}"
spec='checkov>=3.2,<4'

if ! "$venv/bin/checkov" --version >/dev/null 2>&1; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet "$spec"
fi
echo "checkov $("$venv/bin/checkov" --version) in $venv"

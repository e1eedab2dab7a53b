"""Loading blueprint inputs from Pulumi stack config, with errors written for people.

A blueprint's knobs live in ``Pulumi.<env>.yaml`` under the project's namespace. Each top-level
field of the blueprint's pydantic model is one config key (camelCase, as Pulumi config keys are);
nested models are structured config objects. Validation happens before any resource is
registered, and a bad value raises :class:`ConfigError` naming the full key
(``payments-api:github.repository``), the value given and what is allowed.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar, get_args

import pulumi
from pulumi.runtime.config import CONFIG, get_config_env
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

ModelT = TypeVar("ModelT", bound=BaseModel)


class ConfigError(ValueError):
    """A stack config value that the blueprint cannot accept."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid stack configuration:\n" + "\n".join(f"  - {p}" for p in problems))


class ConfigModel(BaseModel):
    """Base for config-facing models: frozen, no unknown keys, camelCase keys as in Pulumi config."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        validate_default=True,
    )


def _decode(raw: Any) -> Any:
    # Pulumi hands structured config to the program as JSON text and scalars as plain text; a
    # scalar such as "1042" stays text (pydantic turns it into a number where a field wants one).
    if isinstance(raw, str) and raw[:1] in "{[":
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _describe(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _config_path(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> str:
    # A default that fails validation is located by field name; users write the config key.
    parts = []
    for part in loc:
        field = model.model_fields.get(part) if model is not None and isinstance(part, str) else None
        if field is not None:
            parts.append(field.alias or part)
            model = _nested_model(field.annotation)
        else:
            parts.append(str(part))
    return ".".join(parts)


def format_validation_error(
    error: ValidationError, namespace: str, model: type[BaseModel] | None = None
) -> ConfigError:
    """Turn pydantic's errors into one line per bad key: key, value given, what is allowed."""
    problems = []
    for item in error.errors(include_url=False):
        path = _config_path(model, item["loc"])
        key = f"{namespace}:{path}" if path else namespace
        if item["type"] == "extra_forbidden":
            problems.append(f"{key}: unknown key (given {_describe(item['input'])}); check its spelling")
            continue
        if item["type"] == "missing":
            problems.append(f"{key}: required, but not set")
            continue
        message = item["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        problems.append(f"{key}: {message} (given {_describe(item['input'])})")
    return ConfigError(problems)


def validate_config(model: type[ModelT], data: dict[str, Any], namespace: str) -> ModelT:
    """Validate ``data`` against ``model``; raise :class:`ConfigError` naming ``namespace:key``."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise format_validation_error(error, namespace, model) from None


def read_namespace(namespace: str) -> dict[str, Any]:
    """Every config value of ``namespace`` in the running stack, structured values decoded."""
    prefix = f"{namespace}:"
    # The engine may hand config over in PULUMI_CONFIG rather than setting it in-process.
    merged = {**get_config_env(), **CONFIG.get()}
    values: dict[str, Any] = {}
    for key, raw in merged.items():
        if key.startswith(prefix):
            values[key[len(prefix) :]] = _decode(raw)
    return values


def load_config(model: type[ModelT], namespace: str | None = None) -> ModelT:
    """Read and validate ``model`` from the stack's config (the project namespace by default)."""
    namespace = namespace or pulumi.get_project()
    return validate_config(model, read_namespace(namespace), namespace)

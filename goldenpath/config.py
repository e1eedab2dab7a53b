"""Loading blueprint inputs from Pulumi stack config, with errors written for people.

A blueprint's knobs live in ``Pulumi.<env>.yaml`` under the project's namespace. Each top-level
field of the blueprint's pydantic model is one config key (camelCase, as Pulumi config keys are);
nested models are structured config objects. Validation happens before any resource is
registered, and a bad value raises :class:`ConfigError` naming the full key
(``payments-api:github.repository``), the value given and what is allowed.

A value that may be secret is never given back: not for a key Pulumi holds as a secret (set with
``pulumi config set --secret``, ``{secure: …}`` in the stack file), nor for a field that withholds
its values (typed ``SecretStr``, or ``Annotated[…, WITHHELD]`` such as environment variables; see
:mod:`goldenpath.models`). Such errors name the key and what is allowed, and say the value is not
shown. Keys under a misspelt project name (``payment-api:team`` for project ``payments-api``) are
named as such rather than reported as missing.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import re
from collections.abc import Collection, Mapping
from typing import Any, TypeVar

import pulumi
from pulumi.runtime.config import CONFIG, get_config_env, get_config_secret_keys_env
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from goldenpath.models import WITHHELD_INPUT, field_named, leaves, locate, nested_model, redact

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


_NOT_SHOWN = "value not shown: it may be secret"
# Shorter values are not worth a secret's name, and scrubbing them would garble messages.
_SCRUB_MIN_LENGTH = 4


def _scrub(message: str, hidden: Collection[str]) -> str:
    """``message`` with every withheld text it quotes replaced by ``[withheld]``."""
    texts = sorted({t for t in hidden if len(t) >= _SCRUB_MIN_LENGTH}, key=len, reverse=True)
    for text in texts:
        for form in {text, repr(text)[1:-1], json.dumps(text)[1:-1]}:
            message = re.sub(rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])", WITHHELD_INPUT, message)
    return message


def _given(value: Any) -> str:
    return _NOT_SHOWN if value == WITHHELD_INPUT else f"given {_describe(value)}"


def _is_secret_key(key: str) -> bool:
    return pulumi.runtime.is_config_secret(key) or key in get_config_secret_keys_env()


def _config_path(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> str:
    # A default that fails validation is located by field name; users write the config key.
    parts = []
    for part in loc:
        field = field_named(model, part) if model is not None else None
        if field is not None:
            parts.append(field.alias or part)
            model = nested_model(field.annotation)
        else:
            parts.append(str(part))
    return ".".join(parts)


def format_validation_error(
    error: ValidationError,
    namespace: str,
    model: type[BaseModel] | None = None,
    data: Mapping[str, Any] | None = None,
    *,
    withheld_keys: Collection[str] = (),
) -> ConfigError:
    """Turn pydantic's errors into one line per bad key: key, value given, what is allowed.

    The values of ``withheld_keys``, of keys Pulumi holds as secrets and of withheld fields are
    not shown, and a message that quotes one has it replaced; ``data`` (what was validated) lets
    messages be scrubbed of secrets that reach them from another key.
    """
    items = error.errors(include_url=False)
    top_keys = {str(item["loc"][0]) for item in items if item["loc"]} | set(data or {})
    secret_keys = {key for key in top_keys if _is_secret_key(f"{namespace}:{key}")} | set(withheld_keys)
    secret_texts = [text for key in secret_keys if key in (data or {}) for text in leaves(data[key])]
    problems = []
    for item in items:
        path = _config_path(model, item["loc"])
        key = f"{namespace}:{path}" if path else namespace
        found_model, withheld = locate(model, item["loc"])
        withheld_texts = list(secret_texts)
        given = redact(
            item["input"],
            found_model,
            withheld=withheld or (bool(item["loc"]) and str(item["loc"][0]) in secret_keys),
            found=withheld_texts,
            withheld_keys=secret_keys if not item["loc"] else (),
        )
        if item["type"] == "extra_forbidden":
            problems.append(f"{key}: unknown key ({_given(given)}); check its spelling")
            continue
        if item["type"] == "missing":
            problems.append(f"{key}: required, but not set")
            continue
        message = item["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        problems.append(f"{key}: {_scrub(message, withheld_texts)} ({_given(given)})")
    return ConfigError(problems)


def validate_config(
    model: type[ModelT], data: dict[str, Any], namespace: str, *, withheld_keys: Collection[str] = ()
) -> ModelT:
    """Validate ``data`` against ``model``; raise :class:`ConfigError` naming ``namespace:key``.

    The values of ``withheld_keys`` (keys of ``data``), and of the keys Pulumi holds as secrets,
    are never repeated.
    """
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise format_validation_error(error, namespace, model, data, withheld_keys=withheld_keys) from None


def _stack_config() -> dict[str, Any]:
    # The engine may hand config over in PULUMI_CONFIG rather than setting it in-process.
    return {**get_config_env(), **CONFIG.get()}


def read_namespace(namespace: str) -> dict[str, Any]:
    """Every config value of ``namespace`` in the running stack, structured values decoded."""
    prefix = f"{namespace}:"
    values: dict[str, Any] = {}
    for key, raw in _stack_config().items():
        if key.startswith(prefix):
            values[key[len(prefix) :]] = _decode(raw)
    return values


# Namespaces that are never a project's: the engine's own and goldenpath's (pack settings).
_OWNED_NAMESPACES = frozenset({"pulumi", "goldenpath"})
# How alike a namespace and the project name must be to count as a misspelling of it.
_NEAR_MISS_RATIO = 0.75


def _is_package_namespace(namespace: str) -> bool:
    """Whether ``namespace`` configures a package (``aws:region`` → pulumi_aws), not a project."""
    if namespace in _OWNED_NAMESPACES:
        return True
    module = "pulumi_" + namespace.replace("-", "_")
    if not module.isidentifier():
        return False
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def stray_keys(model: type[BaseModel], namespace: str) -> list[tuple[str, str]]:
    """Config keys meant for ``namespace`` but written under another one, as ``(namespace, key)``.

    A namespace counts when it is no package's, holds a key that is a field of ``model``, and is
    either spelt like the project (``payment-api`` for ``payments-api``) or the only place those
    fields are set (the project's own namespace holds none of them).
    """
    fields = {f.alias or name for name, f in model.model_fields.items()}
    by_namespace: dict[str, list[str]] = {}
    own: list[str] = []
    for full_key in _stack_config():
        other, sep, key = full_key.partition(":")
        if not sep:
            continue
        if other == namespace:
            own.append(key)
        else:
            by_namespace.setdefault(other, []).append(key)
    project_sets_fields = any(key in fields for key in own)
    strays = []
    for other, keys in sorted(by_namespace.items()):
        meant = sorted(key for key in keys if key in fields)
        if not meant or _is_package_namespace(other):
            continue
        if difflib.SequenceMatcher(None, other, namespace).ratio() >= _NEAR_MISS_RATIO:
            strays.extend((other, key) for key in sorted(keys))
        elif not project_sets_fields:
            strays.extend((other, key) for key in meant)
    return strays


def load_config(model: type[ModelT], namespace: str | None = None) -> ModelT:
    """Read and validate ``model`` from the stack's config (the project namespace by default).

    Keys that :func:`stray_keys` finds under another namespace are errors naming them; the other
    problems reported are those that would remain once they are moved to the project's namespace.
    """
    namespace = namespace or pulumi.get_project()
    data = read_namespace(namespace)
    strays = stray_keys(model, namespace)
    if not strays:
        return validate_config(model, data, namespace)
    problems = [
        f"{other}:{key}: not a key of project {namespace}; did you mean {namespace}:{key}?"
        for other, key in strays
    ]
    config = _stack_config()
    moved = {key: _decode(config[f"{other}:{key}"]) for other, key in strays if key not in data}
    secret = {key for other, key in strays if _is_secret_key(f"{other}:{key}")}
    try:
        validate_config(model, {**moved, **data}, namespace, withheld_keys=secret)
    except ConfigError as error:
        problems.extend(error.problems)
    raise ConfigError(problems)

"""What the ECS task definition policies share: reading ``containerDefinitions``.

The container definitions arrive as one JSON string (a list of container objects, in the ECS API's
camelCase). Four policies read the same string, so parsing is cached by its text.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import get_path, note_unknown

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"


class MalformedDefinitions(ValueError):
    """containerDefinitions that are not a JSON list of container objects."""


@functools.lru_cache(maxsize=256)
def _parse_text(text: str) -> tuple[Mapping[str, Any], ...]:
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise MalformedDefinitions(
            f"containerDefinitions is not valid JSON ({error.msg} at line {error.lineno})"
        ) from None
    return _containers(parsed)


def _containers(parsed: Any) -> tuple[Mapping[str, Any], ...]:
    if isinstance(parsed, Mapping):
        parsed = [parsed]
    if not isinstance(parsed, Sequence) or isinstance(parsed, str):
        raise MalformedDefinitions("containerDefinitions is not a JSON list of containers")
    items = []
    for index in range(len(parsed)):
        try:
            items.append(parsed[index])
        except UnknownValueError as error:
            note_unknown(error)
            continue  # a container not known until apply: the known ones beside it are still judged
    containers = tuple(c for c in items if isinstance(c, Mapping))
    if len(containers) != len(items):
        raise MalformedDefinitions("containerDefinitions holds entries that are not container objects")
    return containers


def containers(props: Mapping[str, Any]) -> tuple[Mapping[str, Any], ...]:
    """The task definition's containers (none when ``containerDefinitions`` is absent).

    Raises :class:`MalformedDefinitions` for a document that is not a list of containers; the
    callers must not mutate what they get (it is shared through the cache).
    """
    value = get_path(props, "containerDefinitions")
    if value is None:
        return ()
    if isinstance(value, str):
        return _parse_text(value)
    return _containers(value)


def known_containers(props: Mapping[str, Any]) -> tuple[Mapping[str, Any], ...]:
    """:func:`containers`, or none while ``containerDefinitions`` is unknown (preview): nothing to judge yet."""
    try:
        return containers(props)
    except UnknownValueError as error:
        note_unknown(error)
        return ()


def known(container: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """``container[key]``, or ``default`` when it is missing or unknown, so other fields are still judged."""
    try:
        value = container.get(key, default)
    except UnknownValueError as error:
        note_unknown(error)
        return default
    return default if value is None else value


_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def image_reference(image: str) -> tuple[str | None, bool]:
    """``(tag, pinned by digest)`` of an image reference; the tag is None when it has none.

    A registry port (``registry:5000/app``) is not a tag: only the last path segment can carry one.
    """
    digest = bool(_DIGEST.search(image))
    last_segment = image.split("@", 1)[0].rsplit("/", 1)[-1]
    tag = last_segment.rsplit(":", 1)[1] if ":" in last_segment else None
    return tag, digest


def name(container: Mapping[str, Any], index: int) -> str:
    """How a message names a container: its name, or its position."""
    value = known(container, "name")
    return f"container {value!r}" if isinstance(value, str) and value else f"container #{index + 1}"

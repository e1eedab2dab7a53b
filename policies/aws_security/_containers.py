"""What the ECS task definition policies share: reading ``containerDefinitions``.

The container definitions arrive as one JSON string (a list of container objects, in the ECS API's
camelCase). Four policies read the same string, so parsing is cached by its text.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any

from goldenpath.policy import get_path

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
    containers = tuple(c for c in parsed if isinstance(c, Mapping))
    if len(containers) != len(parsed):
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


def name(container: Mapping[str, Any], index: int) -> str:
    """How a message names a container: its name, or its position."""
    value = container.get("name")
    return f"container {value!r}" if isinstance(value, str) and value else f"container #{index + 1}"

"""What the CloudFront policies share: reading a distribution's origins."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import get_path, note_unknown

from ._iam import known_items


def named_origins(props: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """``(name, origin)`` for each known origin: its originId, or its position when that is not known.

    Origins not known until apply are skipped and noted (see note_unknown), as is an unknown list.
    """
    try:
        origins = get_path(props, "origins")
    except UnknownValueError as error:
        note_unknown(error)
        return
    for index, origin in enumerate(known_items(origins)):
        try:
            name = get_path(origin, "originId") or f"#{index + 1}"
        except UnknownValueError:
            name = f"#{index + 1}"  # the id only names the origin in the message
        yield name, origin

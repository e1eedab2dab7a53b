"""Linking resources that manage a part of another resource (a role's policies, a security group's rules)
to the resource they manage, for the stack checks that find two owners of the same part.

A manager names its target through one property, as a string or a list of strings (``role``,
``roles``, ``securityGroupId``): it depends on the target (``role=role.name``), or holds one of
the target's known ``keys`` (its name or id). A value unknown until apply that depends on none of
the targets links to nothing: it is computed from another resource, not from these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import as_list

from ._s3 import UNKNOWN, read


def known_items(value: Any) -> tuple[list[Any], bool]:
    """The known items of a list-like value (a single value is one item), and whether any is unknown."""
    if value is UNKNOWN:
        return [], True
    items: list[Any] = []
    unknown = False
    if isinstance(value, Sequence) and not isinstance(value, str):
        for index in range(len(value)):
            try:
                items.append(value[index])
            except UnknownValueError:
                unknown = True
        return items, unknown
    return as_list(value), False


class Targets:
    """The stack's resources of one type, by URN and by their known name/id values."""

    def __init__(self, resources: Iterable[Any], resource_type: str, keys: Sequence[str] = ("id", "name")):
        self.resources = [r for r in resources if r.resource_type == resource_type]
        self.urns = {r.urn for r in self.resources}
        self._by_key: dict[str, str] = {}
        for r in self.resources:
            for key in keys:
                value = read(r.props, key)
                if isinstance(value, str) and value:
                    self._by_key[value] = r.urn

    def linked(self, manager: Any, prop: str) -> set[str]:
        """The URNs of the targets ``manager`` certainly points at through ``prop``."""
        urns = {d.urn for d in manager.property_dependencies.get(prop, ()) if d.urn in self.urns}
        values, _ = known_items(read(manager.props, prop))
        urns.update(self._by_key[v] for v in values if isinstance(v, str) and v in self._by_key)
        return urns

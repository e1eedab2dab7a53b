"""Whether address ranges, as written in rules and conditions, let in every address.

Ranges are parsed, never compared as text: ``::/0``, ``0:0:0:0:0:0:0:0/0`` and
``0000:0000:0000:0000:0000:0000:0000:0000/0`` are one network, and so are ``0.0.0.0/0`` and
``10.0.0.0/0`` (a /0 keeps no bits of its address). Ranges are read per family and merged first,
so ``0.0.0.0/1`` with ``128.0.0.0/1`` covers every IPv4 address just as ``0.0.0.0/0`` does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def network(value: Any) -> Network | None:
    """The network a CIDR (or a bare address) names, or None when the value is not one."""
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def is_anywhere(value: Any) -> bool:
    """True for a range that alone holds every address of its family (any /0)."""
    parsed = network(value)
    return parsed is not None and parsed.prefixlen == 0


def anywhere(values: Iterable[Any]) -> tuple[str, ...]:
    """The ranges among ``values`` that together hold every address of a family, as written.

    Empty when, for both IPv4 and IPv6, some address is outside every range given.
    """
    by_family: dict[int, list[tuple[str, Network]]] = {}
    for value in values:
        parsed = network(value)
        if parsed is not None:
            by_family.setdefault(parsed.version, []).append((value.strip(), parsed))
    found: list[str] = []
    for ranges in by_family.values():
        alone = [text for text, n in ranges if n.prefixlen == 0]
        if alone:
            found += alone
        elif any(n.prefixlen == 0 for n in ipaddress.collapse_addresses(n for _, n in ranges)):
            found += [text for text, _ in ranges]
    return tuple(dict.fromkeys(found))

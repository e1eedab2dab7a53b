"""The rule lists of the peer tools a security reviewer compares the packs with.

Each list is data in ``goldenpath/peers/<peer>.yaml``, read from the peer's own source at a named
commit (its ``source``), restricted to the services a golden path touches (its ``scope``). A policy
names its equivalents in ``PolicySpec.peers``; the catalog counts a peer rule as covered when some
policy names it, so every coverage figure is a count of the peer's own rule ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from goldenpath.policy import PEERS, PolicySpec

PEER_DIR = Path(__file__).parent / "peers"

# The service a policy belongs to, from the second word of its id (aws-<service>-…), where our word
# differs from the canonical service name the peer lists use.
_SERVICE_ALIASES = {
    "alb": "elb",
    "nlb": "elb",
    "lb": "elb",
    "sg": "vpc",
    "ebs": "ec2",
    "elasticsearch": "opensearch",
}


@dataclass(frozen=True)
class PeerRule:
    id: str
    service: str
    title: str


@dataclass(frozen=True)
class PeerList:
    peer: str
    title: str
    repository: str
    commit: str
    paths: tuple[str, ...]
    scope: str
    rules: tuple[PeerRule, ...]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(r.id for r in self.rules)


@cache
def peer_lists() -> dict[str, PeerList]:
    """Every peer's rule list that is shipped, keyed as in :data:`goldenpath.policy.PEERS`."""
    lists = {}
    for key in PEERS:
        path = PEER_DIR / f"{key}.yaml"
        if not path.is_file():
            continue
        data = yaml.safe_load(path.read_text())
        source = data["source"]
        lists[key] = PeerList(
            peer=key,
            title=data["title"],
            repository=source["repository"],
            commit=source["commit"],
            paths=tuple(source.get("paths", ())),
            scope=" ".join(str(data.get("scope", "")).split()),
            rules=tuple(PeerRule(str(r["id"]), r["service"], str(r.get("title", ""))) for r in data["rules"]),
        )
    return lists


def service_of(spec: PolicySpec) -> str:
    """The canonical service a policy judges: ``kubernetes`` for the k8s pack, else from its id."""
    words = spec.id.split("-")
    if words[0] == "k8s":
        return "kubernetes"
    if words[0] != "aws":
        return "platform"
    return _SERVICE_ALIASES.get(words[1], words[1])


def unknown_peer_ids(specs: Iterable[PolicySpec]) -> list[tuple[str, str, str]]:
    """``(policy, peer, rule id)`` for every peer id a policy names that its peer's list lacks."""
    lists = peer_lists()
    missing = []
    for spec in specs:
        for peer, ids in spec.peers.items():
            known = lists[peer].ids if peer in lists else frozenset()
            missing += [(spec.id, peer, rule) for rule in ids if rule not in known]
    return missing


def covered(specs: Iterable[PolicySpec]) -> Mapping[str, set[str]]:
    """The peer rule ids each peer has covered by some policy."""
    result: dict[str, set[str]] = {key: set() for key in PEERS}
    for spec in specs:
        for peer, ids in spec.peers.items():
            result[peer].update(ids)
    return result

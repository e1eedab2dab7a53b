"""What the security group policies share: every rule, whichever of the three ways it is written.

A rule can be an inline ``ingress``/``egress`` block of ``aws.ec2.SecurityGroup``, an
``aws.ec2.SecurityGroupRule`` (``type`` ingress or egress, ``protocol``, ``cidrBlocks``), or an
``aws.vpc.SecurityGroupIngressRule``/``EgressRule`` (``ipProtocol``, ``cidrIpv4``, ``cidrIpv6``).
Rules are read one at a time, so one rule whose values are unknown during preview does not hide a
definite problem in another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import as_list, get_path

from ._cidr import anywhere

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
VPC_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
INGRESS_TYPES = (SECURITY_GROUP, SECURITY_GROUP_RULE, VPC_INGRESS_RULE)

LOWEST_PORT, HIGHEST_PORT = 0, 65535
ALL = "all"
_PROTOCOLS = {"-1": ALL, "all": ALL, "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
_PORTED = ("tcp", "udp")


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule, normalised: protocol name, port range (None when the protocol has none), world sources."""

    where: str
    direction: str | None  # "ingress", "egress", or None when the resource type says (vpc rules)
    protocol: str
    ports: tuple[int, int] | None
    world: tuple[str, ...]  # the sources that together hold every address of a family, as written
    description: Any

    @property
    def is_ingress(self) -> bool:
        return self.direction != "egress"

    @property
    def all_ports(self) -> bool:
        """Every protocol, or every port of TCP or UDP."""
        return self.protocol == ALL or (
            self.ports is not None and self.ports[0] <= LOWEST_PORT + 1 and self.ports[1] >= HIGHEST_PORT
        )

    def opens(self, port: int) -> bool:
        return self.ports is not None and self.ports[0] <= port <= self.ports[1]

    @property
    def traffic(self) -> str:
        """The traffic the rule lets through, for messages: "tcp port 22", "all traffic", …"""
        if self.protocol == ALL:
            return "all traffic"
        if self.ports is None:
            return f"protocol {self.protocol}"
        low, high = self.ports
        return f"{self.protocol} port {low}" if low == high else f"{self.protocol} ports {low}-{high}"


def _protocol(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    text = str(value).strip().lower()
    return _PROTOCOLS.get(text, text)


def _port(value: Any, default: int) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _world(get: Callable[[str], Any], sources: Iterable[str]) -> tuple[str, ...]:
    """The sources that reach every address, from the known ones alone.

    A rule's CIDR fields are read one by one: a known ``0.0.0.0/0`` opens the rule to the world
    whatever an unknown ``ipv6CidrBlocks`` beside it turns out to be. Only when the known sources
    prove nothing does an unknown one leave the rule undecided (the error is raised).
    """
    known: list[Any] = []
    unknown: UnknownValueError | None = None
    for key in sources:
        try:
            values = get(key)
        except UnknownValueError as error:
            unknown = unknown or error
            continue
        if not isinstance(values, Sequence) or isinstance(values, str):
            values = as_list(values)
        for index in range(len(values)):  # by index: iterating stops at the first unknown element
            try:
                known.append(values[index])
            except UnknownValueError as error:
                unknown = unknown or error
    world = anywhere(known)
    if not world and unknown is not None:
        raise unknown
    return world


def _rule(
    where: str, direction: str | None, props: Mapping[str, Any], protocol_key: str, sources: Iterable[str]
) -> Rule:
    get = props.get if isinstance(props, Mapping) else {}.get  # an unknown value raises UnknownValueError
    protocol = _protocol(get(protocol_key) or ALL)
    if protocol == ALL:
        ports: tuple[int, int] | None = (LOWEST_PORT, HIGHEST_PORT)
    elif protocol in _PORTED:
        ports = (_port(get("fromPort"), LOWEST_PORT), _port(get("toPort"), HIGHEST_PORT))
    else:
        ports = None
    world = _world(get, sources)
    try:
        description = get("description")
    except UnknownValueError:
        description = True  # computed from another value: it will be set
    return Rule(where, direction, protocol, ports, world, description)


def _read_rules(props: Mapping[str, Any]) -> Iterable[Callable[[], Rule]]:
    """One reader per rule of the resource; each may raise UnknownValueError on its own."""
    keys = set(props)  # iterating keys never touches (possibly unknown) values
    if "ipProtocol" in keys:
        yield lambda: _rule("security group rule", None, props, "ipProtocol", ("cidrIpv4", "cidrIpv6"))
    elif "type" in keys or "securityGroupId" in keys:

        def rule() -> Rule:
            direction = get_path(props, "type")
            return _rule(
                f"security group {direction} rule" if direction else "security group rule",
                direction,
                props,
                "protocol",
                ("cidrBlocks", "ipv6CidrBlocks"),
            )

        yield rule
    else:
        for direction in ("ingress", "egress"):
            blocks = get_path(props, direction)
            if blocks is None:
                continue
            if not isinstance(blocks, Sequence) or isinstance(blocks, str):
                blocks = [blocks]
            for i in range(len(blocks)):
                yield lambda d=direction, b=blocks, i=i: _rule(
                    f"security group {d}[{i}]", d, b[i], "protocol", ("cidrBlocks", "ipv6CidrBlocks")
                )


def judge(
    props: Mapping[str, Any], problem: Callable[[Rule], str | None], *, ingress_only: bool = True
) -> list[str]:
    """The problems ``problem`` finds in the resource's rules.

    A rule whose values are unknown is skipped; if no rule has a definite problem and some rule was
    unknown, the UnknownValueError is raised so that the engine reports the policy could not run.
    """
    problems: list[str] = []
    unknown: UnknownValueError | None = None
    for read in list(_read_rules(props)):
        try:
            rule = read()
        except UnknownValueError as error:
            unknown = unknown or error
            continue
        if ingress_only and not rule.is_ingress:
            continue
        found = problem(rule)
        if found:
            problems.append(found)
    if unknown is not None and not problems:
        raise unknown
    return problems

"""Drift: a stack's AWS resources as they stand in the account, against what its Pulumi state says.

For a core subset of resource types (:data:`COVERED_FIELDS`), each resource is read with boto3 by
the id in state, in its own region (pulumi-aws v7's per-resource ``region``, else its provider's
``region``, else the region given), and the fields that matter for security are compared with the
state, named as pulumi-aws v7 names them. Each field that differs is a drift entry. The live
values, put back into the state resource's own shape (``inputs`` and ``outputs`` under the same
property names), make a resource the same policy packs can judge; :func:`live_view` puts them in
place of their state counterparts for a whole stack. Nothing is ever written to the account.

How values are compared:

- A field's state value is the input the program gave, else the output the provider recorded,
  else what the provider means by leaving it unset (``imageTagMutability`` MUTABLE, a KMS key's
  usage ENCRYPT_DECRYPT, …).
- Values equal in meaning are equal: policy documents are parsed and canonicalised (key order,
  one-item lists, the order of actions and resources, a bare account id as principal); security
  group rules are compared as sets of one-source rules (protocol, ports, one CIDR, prefix list,
  group or ``self``, description), whichever way they were grouped.
- A security group's rules that a rule resource of the same stack owns
  (``aws.vpc.SecurityGroupIngressRule``/``EgressRule``, ``aws.ec2.SecurityGroupRule``) belong to
  that resource, not to the group, so each live rule is judged once and a group managed through
  rule resources is not drift. What is left of a group's live rules is compared with its inline
  ``ingress``/``egress`` inputs, or, when the program gave none, with the rules the provider last
  recorded in its outputs.
- A state value that is a secret (:data:`goldenpath.backends.SECRET`) is neither compared nor
  printed, and the live resource keeps it masked.

A resource gone from the account is one entry with field ``"*"``, state ``"present"`` and live
``None``, and has no live resource. What cannot be read — access denied, no credentials, an
unreachable endpoint — is a problem line naming the resource, never an exception; an endpoint is
tried with a 3 s connect timeout and one retry, and once found unreachable is not tried again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import unquote, urlsplit

from goldenpath.backends import Secret

__all__ = [
    "COVERED_FIELDS",
    "GONE_FIELD",
    "PRESENT",
    "live_drift",
    "live_view",
]

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
VPC_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
KMS_KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
IAM_ROLE = "aws:iam/role:Role"
ECR_REPOSITORY = "aws:ecr/repository:Repository"

# The field and state value of the drift entry of a resource that is gone from the account.
GONE_FIELD = "*"
PRESENT = "present"

# An audit of many stacks must not hang on one endpoint: a short connect timeout, one retry.
CONNECT_TIMEOUT_SECONDS = 3.0
READ_TIMEOUT_SECONDS = 10.0
MAX_ATTEMPTS = 2
# IAM is global; its client still needs a region to sign with.
_GLOBAL_REGION = "us-east-1"

_MISSING: Any = object()
# A live value that could not be read (a disabled key's rotation): kept from state, not compared.
_UNREAD: Any = object()


class _Gone(Exception):
    """The resource no longer exists in the account."""


class _Unreadable(Exception):
    """The resource could not be read; the message says why, for a person."""


class _AwsError(_Unreadable):
    """AWS answered an error code."""

    def __init__(self, service: str, operation: str, code: str):
        api = "".join(part.capitalize() for part in operation.split("_"))
        super().__init__(f"{service}:{api} answered {code}")
        self.code = code


# --- Normalising values ---------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, Sequence) and not isinstance(value, str):
        return list(value)
    return [value]


def _has_secret(value: Any) -> bool:
    if isinstance(value, Secret):
        return True
    if isinstance(value, Mapping):
        return any(_has_secret(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_secret(v) for v in value)
    return False


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _number(value: Any) -> int | None:
    """A count where 0 and nothing both mean "not set" (a log group's retention)."""
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    return number or None


def _integer(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _port(value: Any) -> int | None:
    # -1 is how AWS says "no port" (all protocols, all ICMP types); a state may leave it out.
    number = _integer(value)
    return None if number == -1 else number


def _sorted_texts(value: Any) -> list[str]:
    return sorted({str(v) for v in _as_list(value) if v not in (None, "")})


_PROTOCOLS = {"-1": "-1", "all": "-1", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def _protocol(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    text = "" if value is None else str(value).strip().lower()
    return _PROTOCOLS.get(text, text)


def _document(value: Any) -> Any:
    """A policy document as parsed JSON in one canonical form; text that is not JSON stays text."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return value.strip()
    return _canonical(value, "", in_condition=False)


def _canonical(value: Any, key: str, *, in_condition: bool) -> Any:
    if isinstance(value, Mapping):
        return {
            k: _canonical(v, k, in_condition=in_condition or k == "Condition")
            for k, v in sorted(value.items(), key=lambda item: str(item[0]))
        }
    if isinstance(value, list | tuple):
        items = [_canonical(v, key, in_condition=in_condition) for v in value]
        # IAM and S3 read Action, Resource, principals and condition values as sets, and store a
        # one-item list as the bare value.
        if all(isinstance(i, str) for i in items):
            items = sorted(set(items))
        else:
            items = sorted(items, key=lambda i: json.dumps(i, sort_keys=True, default=str))
        return items[0] if len(items) == 1 else items
    if key == "AWS" and isinstance(value, str) and len(value) == 12 and value.isdigit():
        return f"arn:aws:iam::{value}:root"  # IAM stores an account id principal as its root ARN
    if in_condition and isinstance(value, bool | int | float):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return value


# --- Security group rules -------------------------------------------------------------------

# One rule with one source: (direction, protocol, from port, to port, source kind, source). The
# source kinds are the pulumi-aws inline block's property names.
_Rule = tuple[str, str, int | None, int | None, str, Any]
_SOURCE_KINDS = ("cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "securityGroups")


def _ports(protocol: str, low: Any, high: Any) -> tuple[int | None, int | None]:
    return (None, None) if protocol == "-1" else (_port(low), _port(high))


def _block_rules(direction: str, block: Mapping[str, Any], group_id: str | None) -> dict[_Rule, str]:
    """The one-source rules of an inline ``ingress``/``egress`` block, with their description."""
    protocol = _protocol(block.get("protocol"))
    low, high = _ports(protocol, block.get("fromPort"), block.get("toPort"))
    description = _text(block.get("description")) or ""
    rules: dict[_Rule, str] = {}
    for kind in _SOURCE_KINDS:
        for source in _as_list(block.get(kind)):
            if kind == "securityGroups" and group_id and source == group_id:
                rules[(direction, protocol, low, high, "self", True)] = description
            else:
                rules[(direction, protocol, low, high, kind, str(source))] = description
    if _flag(block.get("self")):
        rules[(direction, protocol, low, high, "self", True)] = description
    return rules


def _permission_rules(direction: str, permission: Mapping[str, Any], group_id: str) -> dict[_Rule, str]:
    """The one-source rules of an EC2 IpPermission, with their description."""
    protocol = _protocol(permission.get("IpProtocol"))
    low, high = _ports(protocol, permission.get("FromPort"), permission.get("ToPort"))
    rules: dict[_Rule, str] = {}
    for listing, kind, key in (
        ("IpRanges", "cidrBlocks", "CidrIp"),
        ("Ipv6Ranges", "ipv6CidrBlocks", "CidrIpv6"),
        ("PrefixListIds", "prefixListIds", "PrefixListId"),
        ("UserIdGroupPairs", "securityGroups", "GroupId"),
    ):
        for item in permission.get(listing) or []:
            source = item.get(key)
            description = item.get("Description") or ""
            if kind == "securityGroups" and source == group_id:
                rules[(direction, protocol, low, high, "self", True)] = description
            elif source:
                rules[(direction, protocol, low, high, kind, source)] = description
    return rules


def _block(rule: _Rule, description: str) -> dict[str, Any]:
    """A one-source rule as pulumi-aws records an inline block."""
    _direction, protocol, low, high, kind, source = rule
    block: dict[str, Any] = {
        "protocol": protocol,
        "fromPort": 0 if low is None else low,
        "toPort": 0 if high is None else high,
        **{k: [] for k in _SOURCE_KINDS},
        "self": False,
        "description": description,
    }
    if kind == "self":
        block["self"] = True
    else:
        block[kind] = [source]
    return block


def _blocks(rules: Mapping[_Rule, str]) -> list[dict[str, Any]]:
    return [_block(rule, rules[rule]) for rule in sorted(rules, key=_rule_order)]


def _rule_order(rule: _Rule) -> str:
    return json.dumps(rule, default=str)


def _rule_set(blocks: Any) -> list[dict[str, Any]]:
    """Inline blocks as the sorted list of their one-source rules, each shown with what it has."""
    shown = []
    for block in _as_list(blocks):
        if not isinstance(block, Mapping):
            continue
        for rule, description in _block_rules("", block, None).items():
            _d, protocol, low, high, kind, source = rule
            entry: dict[str, Any] = {
                "protocol": protocol,
                "fromPort": 0 if low is None else low,
                "toPort": 0 if high is None else high,
            }
            entry[kind] = True if kind == "self" else [source]
            if description:
                entry["description"] = description
            shown.append(entry)
    unique = {json.dumps(e, sort_keys=True): e for e in shown}
    return [unique[k] for k in sorted(unique)]


# --- The resource types ---------------------------------------------------------------------


@dataclass
class _Resource:
    state: Mapping[str, Any]
    region: str | None

    @property
    def urn(self) -> str:
        return str(self.state.get("urn", ""))

    @property
    def type(self) -> str:
        return str(self.state.get("type", ""))

    @property
    def id(self) -> str:
        return str(self.state.get("id", ""))

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    @property
    def inputs(self) -> Mapping[str, Any]:
        inputs = self.state.get("inputs")
        return inputs if isinstance(inputs, Mapping) else {}

    @property
    def outputs(self) -> Mapping[str, Any]:
        outputs = self.state.get("outputs")
        return outputs if isinstance(outputs, Mapping) else {}

    def get(self, key: str) -> Any:
        """A top-level property: the input, else the recorded output."""
        for props in (self.inputs, self.outputs):
            if props.get(key) is not None:
                return props[key]
        return None

    def label(self) -> str:
        return f"{self.name} ({self.type}, id {self.id})"


@dataclass(frozen=True)
class _Field:
    path: str  # pulumi-aws v7 property path, dotted for nested objects
    normalise: Callable[[Any], Any] = _text
    default: Any = None  # what the provider means when the state leaves the field unset
    same: Callable[[Any, Any], bool] | None = None  # equal in meaning though normalised apart


@dataclass(frozen=True)
class _Handler:
    fields: tuple[_Field, ...]
    read: Callable[[_Reader, _Resource], dict[str, Any]]  # live values by field path; raises _Gone
    state: Callable[[_Reader, _Resource], dict[str, Any]] | None = None  # when not the plain lookup
    claims: Callable[[_Resource], tuple[str | None, set[_Rule]]] | None = None  # rules it owns
    after_rules: bool = False  # read once every rule resource has claimed its rules
    regional: bool = True


class _Reader:
    """boto3 clients by service and region, and what one audit learned about the account."""

    def __init__(self, session: Any, endpoint_url: str | None):
        if session is None:
            import boto3

            session = boto3.Session()
        self.session = session
        self.endpoint_url = endpoint_url
        self._clients: dict[tuple[str, str], Any] = {}
        self._unreachable: dict[str, str] = {}
        self._groups: dict[tuple[str | None, str], Any] = {}
        self.owned: dict[tuple[str | None, str], set[_Rule]] = {}

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._clients:
            from botocore.config import Config

            config = Config(
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                read_timeout=READ_TIMEOUT_SECONDS,
                retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
                # An S3-compatible endpoint (moto, MinIO) serves buckets under the path.
                s3={"addressing_style": "path"} if self.endpoint_url else None,
            )
            self._clients[key] = self.session.client(
                service, region_name=region, endpoint_url=self.endpoint_url, config=config
            )
        return self._clients[key]

    def call(self, service: str, region: str | None, operation: str, **kwargs: Any) -> Any:
        from botocore import exceptions as bx

        if region is None:
            raise _Unreadable("no region: neither its state nor its provider names one, and none was given")
        try:
            client = self.client(service, region)
        except bx.BotoCoreError as error:
            raise _Unreadable(f"no {service} client for {region} ({type(error).__name__})") from None
        endpoint = _shown(client.meta.endpoint_url)
        if endpoint in self._unreachable:
            raise _Unreadable(self._unreachable[endpoint])
        try:
            return getattr(client, operation)(**kwargs)
        except bx.ClientError as error:
            raise _AwsError(service, operation, _code(error)) from None
        # Refused, timed out, no such host, TLS or proxy failure, connection dropped.
        except (bx.ConnectionError, bx.ConnectionClosedError) as error:
            self._unreachable[endpoint] = f"cannot reach the endpoint {endpoint} ({type(error).__name__})"
            raise _Unreadable(self._unreachable[endpoint]) from None
        except bx.ReadTimeoutError:
            raise _Unreadable(
                f"the endpoint {endpoint} did not answer within {READ_TIMEOUT_SECONDS:g} s"
            ) from None
        except (bx.NoCredentialsError, bx.PartialCredentialsError):
            raise _Unreadable(
                "no AWS credentials (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
            ) from None
        except bx.BotoCoreError as error:
            raise _Unreadable(f"{service} {operation}: {type(error).__name__}") from None

    def group(self, region: str | None, group_id: str) -> Mapping[str, Any] | None:
        """A security group as EC2 describes it (once per audit), or None if it is gone."""
        key = (region, group_id)
        if key not in self._groups:
            try:
                found = self.call("ec2", region, "describe_security_groups", GroupIds=[group_id])
            except _AwsError as error:
                if error.code not in ("InvalidGroup.NotFound", "InvalidGroupId.NotFound"):
                    raise
                found = {}
            groups = found.get("SecurityGroups") or []
            self._groups[key] = groups[0] if groups else None
        return self._groups[key]

    def own(self, region: str | None, group_id: Any, rules: Iterable[_Rule]) -> None:
        if isinstance(group_id, str) and group_id:
            self.owned.setdefault((region, group_id), set()).update(rules)


def _code(error: Any) -> str:
    response = getattr(error, "response", {}) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    if code and not code.isdigit():
        return code
    status = code or str(response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
    return {"403": "AccessDenied", "404": "NotFound"}.get(status, f"HTTP {status}" if status else "an error")


def _shown(url: str) -> str:
    """An endpoint as a problem line names it: scheme, host and port, never a user or password."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}:{parts.port}" if parts.port else f"{parts.scheme}://{host}"


def _not_found(error: _AwsError, *codes: str) -> NoReturn:
    if error.code in codes:
        raise _Gone from None
    raise error


# Security groups: the inline rules, compared as sets of one-source rules.


def _group_rules(group: Mapping[str, Any], group_id: str, direction: str) -> dict[_Rule, str]:
    key = "IpPermissions" if direction == "ingress" else "IpPermissionsEgress"
    rules: dict[_Rule, str] = {}
    for permission in group.get(key) or []:
        rules.update(_permission_rules(direction, permission, group_id))
    return rules


def _security_group_state(reader: _Reader, res: _Resource) -> dict[str, Any]:
    owned = reader.owned.get((res.region, res.id), set())
    values: dict[str, Any] = {}
    for direction in ("ingress", "egress"):
        blocks = res.inputs[direction] if direction in res.inputs else res.outputs.get(direction)
        if _has_secret(blocks):
            values[direction] = blocks
            continue
        rules: dict[_Rule, str] = {}
        for block in _as_list(blocks):
            if isinstance(block, Mapping):
                rules.update(_block_rules(direction, block, res.id))
        values[direction] = _blocks({r: d for r, d in rules.items() if r not in owned})
    return values


def _security_group_read(reader: _Reader, res: _Resource) -> dict[str, Any]:
    group = reader.group(res.region, res.id)
    if group is None:
        raise _Gone
    owned = reader.owned.get((res.region, res.id), set())
    live = {}
    for direction in ("ingress", "egress"):
        rules = _group_rules(group, res.id, direction)
        live[direction] = _blocks({r: d for r, d in rules.items() if r not in owned})
    return live


# aws.ec2.SecurityGroupRule: its id is the provider's own; the rule is found in its group.

_RULE_SOURCE_FIELDS = (
    ("cidrBlocks", "cidrBlocks"),
    ("ipv6CidrBlocks", "ipv6CidrBlocks"),
    ("prefixListIds", "prefixListIds"),
)


def _group_rule_rules(res: _Resource) -> list[tuple[str, _Rule]]:
    """(the state field it comes from, rule) for each one-source rule of an ec2 SecurityGroupRule."""
    direction = str(res.get("type") or "")
    group_id = res.get("securityGroupId")
    protocol = _protocol(res.get("protocol"))
    low, high = _ports(protocol, res.get("fromPort"), res.get("toPort"))
    found: list[tuple[str, _Rule]] = []
    for field, kind in _RULE_SOURCE_FIELDS:
        for source in _as_list(res.get(field)):
            found.append((field, (direction, protocol, low, high, kind, str(source))))
    source_group = res.get("sourceSecurityGroupId")
    if source_group:
        kind, source = ("self", True) if source_group == group_id else ("securityGroups", source_group)
        found.append(("sourceSecurityGroupId", (direction, protocol, low, high, kind, source)))
    if _flag(res.get("self")):
        found.append(("self", (direction, protocol, low, high, "self", True)))
    return found


def _group_rule_claims(res: _Resource) -> tuple[str | None, set[_Rule]]:
    if _has_secret([res.get(k) for k in ("securityGroupId", "type", "protocol", "fromPort", "toPort")]):
        return None, set()
    return res.get("securityGroupId"), {rule for _f, rule in _group_rule_rules(res)}


def _group_rule_read(reader: _Reader, res: _Resource) -> dict[str, Any]:
    identity = [res.get(k) for k in ("securityGroupId", "type", "protocol", "fromPort", "toPort")]
    if _has_secret(identity) or _has_secret([res.get(f) for f, _k in _RULE_SOURCE_FIELDS]):
        raise _Unreadable("its state holds secret values where the rule is identified")
    group_id = res.get("securityGroupId")
    group = reader.group(res.region, str(group_id)) if group_id else None
    if group is None:
        raise _Gone
    live_rules = _group_rules(group, str(group_id), str(res.get("type") or ""))
    found = [(field, rule) for field, rule in _group_rule_rules(res) if rule in live_rules]
    if not found:
        raise _Gone
    reader.own(res.region, group_id, (rule for _f, rule in found))
    sources = {field: [rule[5] for f, rule in found if f == field] for field, _k in _RULE_SOURCE_FIELDS}
    source_group = [rule for f, rule in found if f == "sourceSecurityGroupId"]
    return {
        **{field: values or None for field, values in sources.items()},
        "sourceSecurityGroupId": res.get("sourceSecurityGroupId") if source_group else None,
        "self": any(f == "self" for f, _r in found),
        "description": live_rules[found[0][1]] or None,
    }


# aws.vpc.SecurityGroupIngressRule / EgressRule: one AWS security group rule, by its sgr- id.


def _vpc_rule(direction: str, props: Mapping[str, Any]) -> _Rule | None:
    protocol = _protocol(props.get("ipProtocol"))
    low, high = _ports(protocol, props.get("fromPort"), props.get("toPort"))
    group_id = props.get("securityGroupId")
    for field, kind in (
        ("cidrIpv4", "cidrBlocks"),
        ("cidrIpv6", "ipv6CidrBlocks"),
        ("prefixListId", "prefixListIds"),
        ("referencedSecurityGroupId", "securityGroups"),
    ):
        source = props.get(field)
        if isinstance(source, str) and source:
            if kind == "securityGroups" and source == group_id:
                return (direction, protocol, low, high, "self", True)
            return (direction, protocol, low, high, kind, source)
    return None


def _direction(res: _Resource) -> str:
    return "egress" if res.type == VPC_EGRESS_RULE else "ingress"


def _vpc_rule_claims(res: _Resource) -> tuple[str | None, set[_Rule]]:
    props = {**res.outputs, **res.inputs}
    if _has_secret(props):
        return None, set()
    rule = _vpc_rule(_direction(res), props)
    return props.get("securityGroupId"), ({rule} if rule else set())


def _vpc_rule_read(reader: _Reader, res: _Resource) -> dict[str, Any]:
    try:
        found = reader.call("ec2", res.region, "describe_security_group_rules", SecurityGroupRuleIds=[res.id])
    except _AwsError as error:
        _not_found(error, "InvalidSecurityGroupRuleId.NotFound")
    rules = found.get("SecurityGroupRules") or []
    if not rules:
        raise _Gone
    rule = rules[0]
    every_port = _protocol(rule.get("IpProtocol")) == "-1"
    live = {
        "securityGroupId": rule.get("GroupId"),
        "ipProtocol": rule.get("IpProtocol"),
        "fromPort": None if every_port else rule.get("FromPort"),
        "toPort": None if every_port else rule.get("ToPort"),
        "cidrIpv4": rule.get("CidrIpv4"),
        "cidrIpv6": rule.get("CidrIpv6"),
        "prefixListId": rule.get("PrefixListId"),
        "referencedSecurityGroupId": (rule.get("ReferencedGroupInfo") or {}).get("GroupId"),
        "description": rule.get("Description") or None,
    }
    claimed = _vpc_rule(_direction(res), live)
    reader.own(res.region, live["securityGroupId"], [claimed] if claimed else [])
    return live


# S3 bucket settings: the public access block and the bucket policy, by bucket name (their id).


def _public_access_block_read(reader: _Reader, res: _Resource) -> dict[str, Any]:
    try:
        found = reader.call("s3", res.region, "get_public_access_block", Bucket=res.id)
    except _AwsError as error:
        _not_found(error, "NoSuchPublicAccessBlockConfiguration", "NoSuchBucket")
    config = found.get("PublicAccessBlockConfiguration") or {}
    return {
        "blockPublicAcls": bool(config.get("BlockPublicAcls")),
        "blockPublicPolicy": bool(config.get("BlockPublicPolicy")),
        "ignorePublicAcls": bool(config.get("IgnorePublicAcls")),
        "restrictPublicBuckets": bool(config.get("RestrictPublicBuckets")),
    }


def _bucket_policy_read(reader: _Reader, res: _Resource) -> dict[str, Any]:
    try:
        found = reader.call("s3", res.region, "get_bucket_policy", Bucket=res.id)
    except _AwsError as error:
        _not_found(error, "NoSuchBucketPolicy", "NoSuchBucket")
    return {"policy": found.get("Policy")}


# KMS keys: rotation, usage, spec and whether the key is enabled. A key pending deletion is gone,
# as the provider treats it.


def _kms_key_read(reader: _Reader, res: _Resource) -> dict[str, Any]:
    try:
        metadata = reader.call("kms", res.region, "describe_key", KeyId=res.id).get("KeyMetadata") or {}
    except _AwsError as error:
        _not_found(error, "NotFoundException")
    if metadata.get("KeyState") in ("PendingDeletion", "PendingReplicaDeletion"):
        raise _Gone
    try:
        status = reader.call("kms", res.region, "get_key_rotation_status", KeyId=res.id)
        rotation = bool(status.get("KeyRotationEnabled"))
    except _AwsError as error:
        if error.code == "UnsupportedOperationException":  # asymmetric, HMAC, imported material
            rotation = False
        elif error.code in ("DisabledException", "KMSInvalidStateException"):
            rotation = _UNREAD
        else:
            raise
    return {
        "enableKeyRotation": rotation,
        # An answer that leaves a field out (moto has no KeyUsage) says nothing about it.
        "keyUsage": metadata.get("KeyUsage", _UNREAD),
        "customerMasterKeySpec": metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec") or _UNREAD,
        "isEnabled": bool(metadata["Enabled"]) if "Enabled" in metadata else _UNREAD,
    }


# CloudWatch log groups, by name (their id).


def _log_group_read(reader: _Reader, res: _Resource) -> dict[str, Any]:
    token: str | None = None
    while True:
        args: dict[str, Any] = {"logGroupNamePrefix": res.id}
        if token:
            args["nextToken"] = token
        page = reader.call("logs", res.region, "describe_log_groups", **args)
        for group in page.get("logGroups") or []:
            if group.get("logGroupName") == res.id:
                return {"retentionInDays": group.get("retentionInDays"), "kmsKeyId": group.get("kmsKeyId")}
        token = page.get("nextToken")
        if not token:
            raise _Gone


# IAM roles, by name (their id).


def _role_read(reader: _Reader, res: _Resource) -> dict[str, Any]:
    try:
        role = reader.call("iam", res.region, "get_role", RoleName=res.id).get("Role") or {}
    except _AwsError as error:
        _not_found(error, "NoSuchEntity")
    document = role.get("AssumeRolePolicyDocument")
    # IAM sends the document URL-encoded; botocore usually decodes it into an object already.
    if isinstance(document, str):
        document = unquote(document)
    elif document is not None:
        document = json.dumps(document)
    return {"assumeRolePolicy": document, "maxSessionDuration": role.get("MaxSessionDuration")}


# ECR repositories, by name (their id).


def _repository_read(reader: _Reader, res: _Resource) -> dict[str, Any]:
    try:
        found = reader.call("ecr", res.region, "describe_repositories", repositoryNames=[res.id])
    except _AwsError as error:
        _not_found(error, "RepositoryNotFoundException")
    repositories = found.get("repositories") or []
    if not repositories:
        raise _Gone
    repository = repositories[0]
    encryption = repository.get("encryptionConfiguration") or {}
    configuration: dict[str, Any] = {"encryptionType": encryption.get("encryptionType") or "AES256"}
    if encryption.get("kmsKey"):
        configuration["kmsKey"] = encryption["kmsKey"]
    return {
        "imageTagMutability": repository.get("imageTagMutability"),
        "imageScanningConfiguration.scanOnPush": bool(
            (repository.get("imageScanningConfiguration") or {}).get("scanOnPush")
        ),
        "encryptionConfigurations": [configuration],
    }


def _encryption(value: Any) -> list[dict[str, Any]]:
    configurations = [c for c in _as_list(value) if isinstance(c, Mapping)] or [{}]
    return [
        {
            "encryptionType": _text(c.get("encryptionType")) or "AES256",
            "kmsKey": _text(c.get("kmsKey")),
        }
        for c in configurations
    ]


def _same_encryption(state: list[dict[str, Any]], live: list[dict[str, Any]]) -> bool:
    # KMS with no key named means the AWS managed key, which AWS then names.
    return len(state) == len(live) and all(
        ours["encryptionType"] == theirs["encryptionType"]
        and (ours["kmsKey"] is None or ours["kmsKey"] == theirs["kmsKey"])
        for ours, theirs in zip(state, live, strict=True)
    )


_SG_FIELDS = (_Field("ingress", _rule_set, default=[]), _Field("egress", _rule_set, default=[]))

_HANDLERS: dict[str, _Handler] = {
    SECURITY_GROUP: _Handler(_SG_FIELDS, _security_group_read, state=_security_group_state, after_rules=True),
    SECURITY_GROUP_RULE: _Handler(
        (
            _Field("cidrBlocks", _sorted_texts),
            _Field("ipv6CidrBlocks", _sorted_texts),
            _Field("prefixListIds", _sorted_texts),
            _Field("sourceSecurityGroupId"),
            _Field("self", _flag, default=False),
            _Field("description"),
        ),
        _group_rule_read,
        claims=_group_rule_claims,
    ),
    **{
        rule_type: _Handler(
            (
                _Field("securityGroupId"),
                _Field("ipProtocol", _protocol),
                _Field("fromPort", _port),
                _Field("toPort", _port),
                _Field("cidrIpv4"),
                _Field("cidrIpv6"),
                _Field("prefixListId"),
                _Field("referencedSecurityGroupId"),
                _Field("description"),
            ),
            _vpc_rule_read,
            claims=_vpc_rule_claims,
        )
        for rule_type in (VPC_INGRESS_RULE, VPC_EGRESS_RULE)
    },
    PUBLIC_ACCESS_BLOCK: _Handler(
        tuple(
            _Field(flag, _flag, default=False)
            for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        ),
        _public_access_block_read,
    ),
    BUCKET_POLICY: _Handler((_Field("policy", _document),), _bucket_policy_read),
    KMS_KEY: _Handler(
        (
            _Field("enableKeyRotation", _flag, default=False),
            _Field("keyUsage", default="ENCRYPT_DECRYPT"),
            _Field("customerMasterKeySpec", default="SYMMETRIC_DEFAULT"),
            _Field("isEnabled", _flag, default=True),
        ),
        _kms_key_read,
    ),
    LOG_GROUP: _Handler((_Field("retentionInDays", _number), _Field("kmsKeyId")), _log_group_read),
    IAM_ROLE: _Handler(
        (_Field("assumeRolePolicy", _document), _Field("maxSessionDuration", _integer, default=3600)),
        _role_read,
        regional=False,
    ),
    ECR_REPOSITORY: _Handler(
        (
            _Field("imageTagMutability", default="MUTABLE"),
            _Field("imageScanningConfiguration.scanOnPush", _flag, default=False),
            _Field("encryptionConfigurations", _encryption, same=_same_encryption),
        ),
        _repository_read,
    ),
}

COVERED_FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(f.path for f in handler.fields) for kind, handler in _HANDLERS.items()
}
"""The resource types read live, each with the pulumi-aws v7 property paths compared."""


# --- Comparing ------------------------------------------------------------------------------


def _lookup(props: Any, path: str) -> Any:
    value = props
    for part in path.split("."):
        # pulumi-aws v7 holds a nested block as an object; older states hold a one-item list.
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not isinstance(value, Mapping) or value.get(part) is None:
            return _MISSING
        value = value[part]
    return value


def _state_value(res: _Resource, field: _Field) -> Any:
    for props in (res.inputs, res.outputs):
        value = _lookup(props, field.path)
        if value is not _MISSING:
            return value
    return field.default


def _copy(value: Any) -> Any:
    # Not copy.deepcopy: SECRET must stay the one SECRET object, for `is SECRET` checks.
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _put(props: Any, path: str, value: Any) -> None:
    if not isinstance(props, dict):
        return
    *parents, last = path.split(".")
    target = props
    for part in parents:
        child = target.get(part)
        if isinstance(child, list) and len(child) == 1 and isinstance(child[0], dict):
            child = child[0]
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    if value is None:
        target.pop(last, None)
    else:
        target[last] = value


def _entry(res: _Resource, field: str, state: Any, live: Any) -> dict[str, Any]:
    return {"urn": res.urn, "type": res.type, "id": res.id, "field": field, "state": state, "live": live}


def _compare(
    res: _Resource, handler: _Handler, state_values: Mapping[str, Any] | None, live_values: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    entries = []
    rebuilt = _copy(dict(res.state))
    for props in ("inputs", "outputs"):
        if not isinstance(rebuilt.get(props), dict):
            rebuilt[props] = {} if rebuilt.get(props) is None else rebuilt[props]
    for field in handler.fields:
        state = state_values[field.path] if state_values is not None else _state_value(res, field)
        live = live_values.get(field.path, _UNREAD)
        if live is _UNREAD or _has_secret(state):
            continue
        ours, theirs = field.normalise(state), field.normalise(live)
        if ours != theirs and not (field.same and field.same(ours, theirs)):
            entries.append(_entry(res, field.path, ours, theirs))
        _put(rebuilt["inputs"], field.path, live)
        _put(rebuilt["outputs"], field.path, live)
    return entries, rebuilt


def _provider_region(resource: Mapping[str, Any], by_urn: Mapping[str, Mapping[str, Any]]) -> str | None:
    # pulumi-aws v7 lets each resource name its region; it records the one it used in outputs.
    for props in (resource.get("inputs"), resource.get("outputs")):
        if isinstance(props, Mapping) and isinstance(props.get("region"), str) and props["region"]:
            return props["region"]
    reference = resource.get("provider")
    if not isinstance(reference, str) or "::" not in reference:
        return None
    provider = by_urn.get(reference.rsplit("::", 1)[0])
    if provider is None:
        return None
    for props in (provider.get("inputs"), provider.get("outputs")):
        if not isinstance(props, Mapping):
            continue
        for key in ("region", "aws:region"):
            if isinstance(props.get(key), str) and props[key]:
                return props[key]
    return None


def _managed(resource: Mapping[str, Any]) -> bool:
    """A resource this stack manages and has created: not a read, not an old copy pending delete."""
    return (
        resource.get("type") in _HANDLERS
        and resource.get("custom", True) is not False
        and not resource.get("delete")
        and not resource.get("external")
        and isinstance(resource.get("id"), str)
        and bool(resource.get("id"))
    )


def live_drift(
    stack_resources: list[dict],
    *,
    region: str | None = None,
    session: Any = None,
    endpoint_url: str | None = None,
) -> tuple[list[dict], list[dict], list[str]]:
    """Read a stack's resources of the covered types live and compare them with its state.

    ``stack_resources`` are the checkpoint's resources as :mod:`goldenpath.backends` reads them.
    Each resource is read in its own region (its ``region`` input, else its provider's), else in
    ``region``, else in the session's; ``session`` is a ``boto3.Session`` (a default one if not
    given) and ``endpoint_url`` an AWS-compatible endpoint used for every service.

    Returns ``(drift, live, problems)``: drift entries ``{urn, type, id, field, state, live}``
    (field ``"*"`` with live ``None`` for a resource gone from the account), the resources read,
    rebuilt in the state's shape with their live values in ``inputs`` and ``outputs``, and one
    line per resource that could not be read. Nothing raises for what AWS answers.
    """
    reader = _Reader(session, endpoint_url)
    fallback = region or getattr(reader.session, "region_name", None)
    by_urn = {
        r["urn"]: r for r in stack_resources if isinstance(r, Mapping) and isinstance(r.get("urn"), str)
    }
    todo = [
        _Resource(r, _provider_region(r, by_urn) or fallback)
        for r in stack_resources
        if isinstance(r, Mapping) and _managed(r)
    ]
    for res in todo:
        claims = _HANDLERS[res.type].claims
        if claims is not None:
            group_id, rules = claims(res)
            reader.own(res.region, group_id, rules)

    results: dict[int, tuple[list[dict], dict | None, str | None]] = {}
    ordered = sorted(range(len(todo)), key=lambda i: _HANDLERS[todo[i].type].after_rules)
    for index in ordered:
        results[index] = _judge(reader, todo[index])

    drift, live, problems = [], [], []
    for index in range(len(todo)):
        entries, rebuilt, problem = results[index]
        drift.extend(entries)
        if rebuilt is not None:
            live.append(rebuilt)
        if problem is not None:
            problems.append(problem)
    return drift, live, problems


def _judge(reader: _Reader, res: _Resource) -> tuple[list[dict], dict | None, str | None]:
    handler = _HANDLERS[res.type]
    if not handler.regional and res.region is None:
        res = _Resource(res.state, _GLOBAL_REGION)
    try:
        live_values = handler.read(reader, res)
        state_values = handler.state(reader, res) if handler.state is not None else None
        entries, rebuilt = _compare(res, handler, state_values, live_values)
    except _Gone:
        return [_entry(res, GONE_FIELD, PRESENT, None)], None, None
    except _Unreadable as error:
        return [], None, f"{res.label()}: not read live: {error}"
    except Exception as error:  # one odd answer must not end the audit of every other stack
        return [], None, f"{res.label()}: not read live: unexpected {type(error).__name__}"
    return entries, rebuilt, None


def live_view(
    stack_resources: Sequence[Mapping[str, Any]], drift: Sequence[Mapping[str, Any]], live: Sequence[dict]
) -> list[Mapping[str, Any]]:
    """The stack as it stands in the account, for the policy packs: each resource read live in
    place of its state, the resources gone from the account left out, and every other resource
    (types not covered, resources that could not be read) as the state has it."""
    by_urn = {r.get("urn"): r for r in live}
    gone = {d.get("urn") for d in drift if d.get("field") == GONE_FIELD}
    return [by_urn.get(r.get("urn"), r) for r in stack_resources if r.get("urn") not in gone]

"""Offline answers to the data sources (invokes) programs call, for ``check`` and the tests.

A real preview runs every invoke against the provider, and so against the cloud. Offline, an invoke
gets one of two answers:

* **computed, exactly as the provider would** — ``aws.iam.get_policy_document`` builds the same
  policy JSON the provider builds (so IAM policies judge the document the engine would hand them),
  and ``kubernetes:yaml:decode`` decodes the YAML text (so ``kubernetes.yaml.ConfigFile`` /
  ``ConfigGroup`` v1 register the objects they hold);
* **a plausible stand-in** for lookups of things that exist outside the program (the caller's
  account, the region, availability zones, an AMI, the default VPC and its subnets, a Route 53
  zone): placeholder ids of the right shape, so that the program registers the resources that use
  them with every input present. Policies never judge these placeholders on their own.

Any other invoke cannot be answered offline: :func:`answer` returns None and the harness answers
"unknown" — what a preview says of a value it cannot know — and the report names the invoke.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

import yaml

__all__ = ["ANSWERED", "answer"]

MOCK_ACCOUNT_ID = "123456789012"
_VPC_ID = "vpc-0a1b2c3d4e5f60718"
_SUBNET_IDS = ("subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60712", "subnet-0a1b2c3d4e5f60713")
_ZONE_ID = "Z0123456789ABCDEFGHIJ"
_AMI_ID = "ami-0123456789abcdef0"


def _one_or_many(values: list[str]) -> str | list[str]:
    # As the provider writes a string set: one value as a plain string, more reverse-sorted.
    ordered = sorted(set(values), reverse=True)
    return ordered[0] if len(ordered) == 1 else ordered


def _interpolated(value: Any) -> Any:
    # The provider's policy variables are written &{…} in HCL to escape ${…}; it turns them back.
    if isinstance(value, str):
        return value.replace("&{", "${")
    if isinstance(value, list):
        return [_interpolated(v) for v in value]
    return value


def _statement(block: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if block.get("sid"):
        out["Sid"] = block["sid"]
    out["Effect"] = block.get("effect") or "Allow"
    for key, wire in (("actions", "Action"), ("notActions", "NotAction")):
        if block.get(key):
            out[wire] = _one_or_many(list(block[key]))
    for key, wire in (("resources", "Resource"), ("notResources", "NotResource")):
        if block.get(key):
            out[wire] = _interpolated(_one_or_many(list(block[key])))
    for key, wire in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        principals = block.get(key) or []
        if not principals:
            continue
        by_type: dict[str, list[str]] = {}
        for principal in principals:
            by_type.setdefault(principal.get("type", ""), []).extend(principal.get("identifiers") or [])
        if set(by_type) == {"*"} and set(by_type["*"]) == {"*"}:
            out[wire] = "*"
        else:
            out[wire] = {kind: _one_or_many(ids) for kind, ids in sorted(by_type.items())}
    # Conditions of the same test and variable add up; values keep their order (order matters).
    conditions: dict[str, dict[str, list[Any]]] = {}
    for condition in block.get("conditions") or []:
        test = conditions.setdefault(condition.get("test", ""), {})
        test.setdefault(condition.get("variable", ""), []).extend(condition.get("values") or [])
    if conditions:
        out["Condition"] = {
            test: {
                var: _interpolated(vals[0] if len(vals) == 1 else vals)
                for var, vals in sorted(variables.items())
            }
            for test, variables in sorted(conditions.items())
        }
    return out


def _merge_by_sid(statements: list[dict[str, Any]], more: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``more`` over ``statements``: a statement with a Sid already there replaces it in place."""
    merged = list(statements)
    for statement in more:
        sid = statement.get("Sid")
        at = next((i for i, s in enumerate(merged) if sid and s.get("Sid") == sid), None)
        if at is None:
            merged.append(statement)
        else:
            merged[at] = statement
    return merged


def _policy_document(args: Mapping[str, Any]) -> dict[str, Any]:
    statements: list[dict[str, Any]] = []
    for source in args.get("sourcePolicyDocuments") or []:
        statements = _merge_by_sid(statements, _statements_of(source))
    statements = _merge_by_sid(statements, [_statement(s) for s in args.get("statements") or []])
    for override in args.get("overridePolicyDocuments") or []:
        statements = _merge_by_sid(statements, _statements_of(override))
    document: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    if statements:
        document["Statement"] = statements
    text = json.dumps(document, indent=2)
    return {
        "id": hashlib.sha256(text.encode()).hexdigest()[:16],
        "json": text,
        "minifiedJson": json.dumps(document, separators=(",", ":")),
    }


def _statements_of(source: Any) -> list[dict[str, Any]]:
    try:
        doc = json.loads(source) if isinstance(source, str) else {}
    except ValueError:
        return []
    found = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(found, dict):
        return [found]
    return [s for s in found or [] if isinstance(s, dict)]


def _yaml_decode(args: Mapping[str, Any]) -> dict[str, Any]:
    text = args.get("text") or ""
    return {"result": [doc for doc in yaml.safe_load_all(text) if doc is not None]}


def _caller_identity(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {
        "accountId": MOCK_ACCOUNT_ID,
        "arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:user/check",
        "userId": "AIDACHECK",
        "id": MOCK_ACCOUNT_ID,
    }


def _availability_zones(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    names = [f"{region}{suffix}" for suffix in "abc"]
    return {"names": names, "zoneIds": [f"{region}-az{i}" for i in (1, 2, 3)], "id": region}


def _region(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {"name": region, "region": region, "id": region, "endpoint": f"ec2.{region}.amazonaws.com"}


def _partition(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}


def _ami(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {
        "id": _AMI_ID,
        "imageId": _AMI_ID,
        "arn": f"arn:aws:ec2:{region}::image/{_AMI_ID}",
        "architecture": "x86_64",
        "name": "check-placeholder-image",
        "ownerId": (args.get("owners") or [MOCK_ACCOUNT_ID])[0],
        "rootDeviceName": "/dev/xvda",
        "rootDeviceType": "ebs",
        "virtualizationType": "hvm",
        "mostRecent": bool(args.get("mostRecent")),
    }


def _vpc(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    vpc_id = args.get("id") or _VPC_ID
    return {
        "id": vpc_id,
        "arn": f"arn:aws:ec2:{region}:{MOCK_ACCOUNT_ID}:vpc/{vpc_id}",
        "cidrBlock": args.get("cidrBlock") or "172.31.0.0/16",
        "default": bool(args.get("default")),
        "ownerId": MOCK_ACCOUNT_ID,
        "tags": dict(args.get("tags") or {}),
    }


def _subnets(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    return {"id": region, "ids": list(_SUBNET_IDS), "filters": args.get("filters")}


def _subnet(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    subnet_id = args.get("id") or _SUBNET_IDS[0]
    return {
        "id": subnet_id,
        "arn": f"arn:aws:ec2:{region}:{MOCK_ACCOUNT_ID}:subnet/{subnet_id}",
        "vpcId": args.get("vpcId") or _VPC_ID,
        "cidrBlock": args.get("cidrBlock") or "172.31.0.0/20",
        "availabilityZone": args.get("availabilityZone") or f"{region}a",
    }


def _zone(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    zone_id = args.get("zoneId") or _ZONE_ID
    name = (args.get("name") or "example.com").rstrip(".")
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
        "name": name,
        "privateZone": bool(args.get("privateZone")),
        "nameServers": [f"ns-1.awsdns-01.{tld}" for tld in ("com", "net", "org", "co.uk")],
        "callerReference": "check",
        "comment": "",
        "resourceRecordSetCount": 2,
        "tags": dict(args.get("tags") or {}),
    }


_AWS_LOOKUPS: dict[str, Callable[[Mapping[str, Any], str], dict[str, Any]]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getRegion:getRegionPlain": _region,
    "aws:index/getPartition:getPartition": _partition,
    "aws:ec2/getAmi:getAmi": _ami,
    "aws:ec2/getVpc:getVpc": _vpc,
    "aws:ec2/getSubnets:getSubnets": _subnets,
    "aws:ec2/getSubnet:getSubnet": _subnet,
    "aws:route53/getZone:getZone": _zone,
}
_COMPUTED: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
    "kubernetes:yaml:decode": _yaml_decode,
}
ANSWERED = frozenset(_AWS_LOOKUPS) | frozenset(_COMPUTED)


def answer(token: str, args: Mapping[str, Any], region: str) -> dict[str, Any] | None:
    """The result of invoke ``token`` offline, or None when it cannot be known without the cloud."""
    if token in _COMPUTED:
        return _COMPUTED[token](args)
    lookup = _AWS_LOOKUPS.get(token)
    return lookup(args, region) if lookup is not None else None

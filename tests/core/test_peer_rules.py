"""The peers' rule lists are well-formed, and every equivalence a policy claims names a real rule."""

from __future__ import annotations

import re

import pytest

from goldenpath import catalog
from goldenpath.analyzer import pack_dirs
from goldenpath.peer_rules import PeerList, PeerRule, peer_lists, service_of, unknown_peer_ids
from goldenpath.policy import PEERS, PolicySpec, discover

CANONICAL_SERVICES = {
    "acm", "apigateway", "appsync", "cloudfront", "cloudwatch", "dynamodb", "ec2", "ecr", "ecs", "efs", "eks",
    "elasticache", "elb", "firehose", "iam", "kinesis", "kms", "lambda", "opensearch", "rds", "s3",
    "secretsmanager", "sns", "sqs", "vpc", "waf", "kubernetes",
}  # fmt: skip


def _every_policy() -> list[PolicySpec]:
    return [spec for folder in pack_dirs() for spec in discover(f"goldenpath.policies.{folder}")]


def _spec(policy_id: str, peers: dict[str, tuple[str, ...]]) -> PolicySpec:
    return PolicySpec(
        id=policy_id,
        description="d",
        severity="low",
        rationale="r",
        remediation="m",
        resource_types=("aws:s3/bucket:Bucket",),
        check=lambda props, config: None,
        peers=peers,
    )


def test_every_peer_the_packs_are_compared_with_has_a_shipped_rule_list():
    assert set(peer_lists()) == set(PEERS)


@pytest.mark.parametrize("peer", sorted(PEERS))
def test_a_peer_list_names_its_source_commit_and_has_each_rule_once_under_a_canonical_service(peer):
    rules = peer_lists()[peer].rules

    assert re.fullmatch(r"[0-9a-f]{40}", peer_lists()[peer].commit)
    assert len({r.id for r in rules}) == len(rules)
    assert {r.service for r in rules} <= CANONICAL_SERVICES
    assert all(r.title for r in rules)


def test_every_peer_rule_a_policy_claims_as_equivalent_is_in_that_peers_own_list():
    assert unknown_peer_ids(_every_policy()) == []


def test_an_invented_peer_rule_id_is_reported():
    spec = _spec("aws-s3-x", {"checkov": ("CKV_AWS_99999",)})

    assert unknown_peer_ids([spec]) == [("aws-s3-x", "checkov", "CKV_AWS_99999")]


def test_a_policy_naming_a_peer_that_is_not_compared_is_refused():
    with pytest.raises(ValueError, match="unknown peers"):
        _spec("aws-s3-x", {"tfsec": ("AWS001",)})


@pytest.mark.parametrize(
    ("policy_id", "service"),
    [
        ("aws-alb-tls-policy", "elb"),
        ("aws-sg-no-world-admin-ports", "vpc"),
        ("aws-s3-tls-only", "s3"),
        ("k8s-no-privileged", "kubernetes"),
        ("platform-required-tags", "platform"),
    ],
)
def test_a_policy_belongs_to_the_service_its_id_names(policy_id, service):
    assert service_of(_spec(policy_id, {})) == service


def test_coverage_counts_each_peer_rule_once_per_service_however_many_policies_name_it(monkeypatch):
    fake = PeerList(
        peer="checkov",
        title="t",
        repository="example/peer",
        commit="0" * 40,
        paths=("checks",),
        scope="All of them.",
        rules=(PeerRule("A1", "s3", "a"), PeerRule("A2", "s3", "b"), PeerRule("B1", "sqs", "c")),
    )
    monkeypatch.setattr(catalog, "peer_lists", lambda: {"checkov": fake})
    specs = [_spec("aws-s3-one", {"checkov": ("A1",)}), _spec("aws-s3-two", {"checkov": ("A1",)})]

    lines = catalog._coverage(specs)

    assert any(line.startswith("- **checkov**: 1 of 3 rules covered") for line in lines)
    assert "| s3 | 2 | 1/2 |" in lines
    assert "| sqs | 0 | 0/1 |" in lines
    assert "| **all** | **2** | **1/3** |" in lines
    assert "- **checkov**: s3: A2; sqs: B1" in lines

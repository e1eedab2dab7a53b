"""Live drift: resources created with boto3 on a real moto server as their Pulumi state says, then
changed out of band, read back and judged by the same policy pack as the state."""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from dataclasses import dataclass, field

import boto3
import moto.settings
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from goldenpath.analyzer import PolicyPackProcess, ResourceInput, pack_dirs, to_struct
from goldenpath.backends import SECRET
from goldenpath.drift import COVERED_FIELDS, live_drift, live_view

from .conftest import use_dummy_aws_credentials

ACCOUNT = "123456789012"
PROJECT, STACK = "payments-api", "prod"
HOME, WEST = "eu-west-1", "us-west-2"
# A region none of the resources is in: each must be read in its provider's region, not this one.
ELSEWHERE = "ap-south-1"
GITHUB = "token.actions.githubusercontent.com"


def urn(kind: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{kind}::{name}"


STACK_URN = urn("pulumi:pulumi:Stack", f"{PROJECT}-{STACK}")
# As the CLI records them: a default provider's inputs are the stack's aws: config, unprefixed.
DEFAULT_PROVIDER = {
    "urn": urn("pulumi:providers:aws", "default_7_51_1"),
    "custom": True,
    "id": "5b8e287c-d06d-478d-90c8-942fc3b4c57c",
    "type": "pulumi:providers:aws",
    "inputs": {"__internal": {}, "region": HOME, "version": "7.51.1"},
    "outputs": {"region": HOME, "version": "7.51.1"},
}
WEST_PROVIDER = {
    "urn": urn("pulumi:providers:aws", "west"),
    "custom": True,
    "id": "0d6c31b9-6a43-4f7e-9a61-2b3c2f1e8d10",
    "type": "pulumi:providers:aws",
    "inputs": {"region": WEST, "version": "7.51.1"},
    "outputs": {"region": WEST, "version": "7.51.1"},
    "parent": STACK_URN,
}


def resource(
    kind: str,
    name: str,
    id_: str,
    inputs: dict,
    outputs: dict | None = None,
    *,
    provider: dict = DEFAULT_PROVIDER,
    depends: dict[str, list[str]] | None = None,
) -> dict:
    """A custom resource as a checkpoint holds it: outputs are the inputs plus what the provider
    computed; property dependencies name the resources an input was built from."""
    depends = depends or {}
    return {
        "urn": urn(kind, name),
        "custom": True,
        "id": id_,
        "type": kind,
        "inputs": inputs,
        "outputs": {**inputs, **(outputs or {})},
        "parent": STACK_URN,
        "provider": f"{provider['urn']}::{provider['id']}",
        "dependencies": sorted({u for urns in depends.values() for u in urns}),
        "propertyDependencies": {key: depends.get(key, []) for key in inputs},
    }


def rule_block(protocol, low, high, description, *, cidrs=(), groups=()) -> dict:
    """An inline rule as pulumi-aws records it in a security group's outputs."""
    return {
        "protocol": protocol,
        "fromPort": low,
        "toPort": high,
        "cidrBlocks": list(cidrs),
        "ipv6CidrBlocks": [],
        "prefixListIds": [],
        "securityGroups": list(groups),
        "self": False,
        "description": description,
    }


def bucket_policy(bucket: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def trust_policy(
    subject_operator: str = "StringEquals", subject: str = "repo:acme/payments-api:ref:refs/heads/main"
):
    conditions = {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}}
    conditions.setdefault(subject_operator, {})[f"{GITHUB}:sub"] = subject
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": conditions,
            }
        ],
    }


@dataclass
class Deployed:
    """A stack's state and the ids of what was created for it."""

    resources: list[dict]
    ids: dict[str, str] = field(default_factory=dict)

    def named(self, name: str) -> dict:
        (found,) = [r for r in self.resources if r["urn"].endswith(f"::{name}")]
        return found


def client(endpoint: str, service: str, region: str = HOME):
    return boto3.client(
        service, region_name=region, endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"})
    )


def new_group(ec2, name: str, vpc: str) -> str:
    group = ec2.create_security_group(GroupName=name, Description=f"{name} of {PROJECT}", VpcId=vpc)[
        "GroupId"
    ]
    # pulumi-aws removes the allow-all egress rule AWS gives a new group in a VPC.
    ec2.revoke_security_group_egress(
        GroupId=group, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    return group


def deploy(endpoint: str) -> Deployed:
    """Create the stack's resources with boto3 and write the state `pulumi up` would record."""
    ec2, s3, kms = client(endpoint, "ec2"), client(endpoint, "s3"), client(endpoint, "kms")
    logs, iam, ecr = client(endpoint, "logs"), client(endpoint, "iam"), client(endpoint, "ecr", WEST)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]

    # A group with inline rules.
    web = new_group(ec2, "payments-web", vpc)
    ec2.authorize_security_group_ingress(
        GroupId=web,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "HTTPS from the office"}],
            }
        ],
    )
    ec2.authorize_security_group_egress(
        GroupId=web,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "HTTPS to AWS APIs"}],
            }
        ],
    )
    # A group whose rules are resources of their own, in all three ways pulumi-aws offers.
    db = new_group(ec2, "payments-db", vpc)
    # moto's DescribeSecurityGroupRules leaves out the description of a rule that references a
    # group (AWS gives it), so the group-referencing rule is the ec2.SecurityGroupRule, read from
    # DescribeSecurityGroups, and the vpc rules have CIDR sources.
    ec2.authorize_security_group_ingress(
        GroupId=db,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "UserIdGroupPairs": [{"GroupId": web, "Description": "PostgreSQL from the web tier"}],
            }
        ],
    )
    inside = ec2.authorize_security_group_egress(
        GroupId=db,
        IpPermissions=[
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "Inside the VPC"}]}
        ],
    )["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    vpn = ec2.authorize_security_group_ingress(
        GroupId=db,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "IpRanges": [{"CidrIp": "10.1.0.0/16", "Description": "PostgreSQL from the VPN"}],
            }
        ],
    )["SecurityGroupRules"][0]["SecurityGroupRuleId"]

    bucket = "payments-api-prod-assets"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": HOME})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        },
    )
    # AWS keeps the document in its own form; the state keeps the program's. Same meaning.
    stored = bucket_policy(bucket)
    stored["Statement"][0]["Action"] = ["s3:*"]
    stored["Statement"][0]["Resource"].reverse()
    stored["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"] = False
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(stored, indent=2))

    key = kms.create_key(Description="Encrypts the logs of payments-api (prod)")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])

    log_group = f"/goldenpath/{PROJECT}/{STACK}"
    logs.create_log_group(logGroupName=log_group, kmsKeyId=key["Arn"])
    logs.put_retention_policy(logGroupName=log_group, retentionInDays=90)

    role = f"{PROJECT}-{STACK}-deploy"
    stored_trust = trust_policy()
    stored_trust["Statement"][0]["Action"] = ["sts:AssumeRoleWithWebIdentity"]
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(stored_trust))

    repository = ecr.create_repository(
        repositoryName=PROJECT,
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "KMS"},
    )["repository"]

    tags = {"team": "payments", "service": PROJECT, "environment": STACK, "managed-by": "goldenpath"}
    bucket_urn = urn("aws:s3/bucket:Bucket", bucket)
    web_urn = urn("aws:ec2/securityGroup:SecurityGroup", "payments-web")
    db_urn = urn("aws:ec2/securityGroup:SecurityGroup", "payments-db")
    key_urn = urn("aws:kms/key:Key", "payments-logs-key")
    resources = [
        {"urn": STACK_URN, "custom": False, "type": "pulumi:pulumi:Stack", "inputs": {}, "outputs": {}},
        DEFAULT_PROVIDER,
        WEST_PROVIDER,
        resource("aws:ec2/vpc:Vpc", "payments-vpc", vpc, {"cidrBlock": "10.0.0.0/16", "tags": tags}),
        resource(
            "aws:ec2/securityGroup:SecurityGroup",
            "payments-web",
            web,
            {
                "description": f"payments-web of {PROJECT}",
                "name": "payments-web",
                "vpcId": vpc,
                "ingress": [
                    {
                        "protocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "cidrBlocks": ["10.0.0.0/8"],
                        "description": "HTTPS from the office",
                    }
                ],
                "egress": [
                    {
                        "protocol": "6",
                        "fromPort": 443,
                        "toPort": 443,
                        "cidrBlocks": ["0.0.0.0/0"],
                        "description": "HTTPS to AWS APIs",
                    }
                ],
                "revokeRulesOnDelete": False,
                "tags": tags,
            },
            {
                "arn": f"arn:aws:ec2:{HOME}:{ACCOUNT}:security-group/{web}",
                "ingress": [rule_block("tcp", 443, 443, "HTTPS from the office", cidrs=["10.0.0.0/8"])],
                "egress": [rule_block("tcp", 443, 443, "HTTPS to AWS APIs", cidrs=["0.0.0.0/0"])],
            },
            depends={"vpcId": [urn("aws:ec2/vpc:Vpc", "payments-vpc")]},
        ),
        resource(
            "aws:ec2/securityGroup:SecurityGroup",
            "payments-db",
            db,
            {"description": f"payments-db of {PROJECT}", "name": "payments-db", "vpcId": vpc, "tags": tags},
            {"arn": f"arn:aws:ec2:{HOME}:{ACCOUNT}:security-group/{db}", "ingress": [], "egress": []},
        ),
        resource(
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "payments-db-vpn",
            vpn,
            {
                "securityGroupId": db,
                "ipProtocol": "tcp",
                "fromPort": 5432,
                "toPort": 5432,
                "cidrIpv4": "10.1.0.0/16",
                "description": "PostgreSQL from the VPN",
            },
            {"arn": f"arn:aws:ec2:{HOME}:{ACCOUNT}:security-group-rule/{vpn}", "securityGroupRuleId": vpn},
            depends={"securityGroupId": [db_urn]},
        ),
        resource(
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
            "payments-db-inside",
            inside,
            {
                "securityGroupId": db,
                "ipProtocol": "-1",
                "cidrIpv4": "10.0.0.0/16",
                "description": "Inside the VPC",
            },
            {"securityGroupRuleId": inside},
            depends={"securityGroupId": [db_urn]},
        ),
        resource(
            "aws:ec2/securityGroupRule:SecurityGroupRule",
            "payments-db-from-web",
            "sgrule-2715603842",  # the provider's own id, a hash of the rule: not an AWS id
            {
                "type": "ingress",
                "securityGroupId": db,
                "protocol": "tcp",
                "fromPort": 5432,
                "toPort": 5432,
                "sourceSecurityGroupId": web,
                "description": "PostgreSQL from the web tier",
            },
            {"securityGroupRuleId": "", "self": False, "cidrBlocks": []},
            depends={"securityGroupId": [db_urn], "sourceSecurityGroupId": [web_urn]},
        ),
        resource(
            "aws:s3/bucket:Bucket",
            bucket,
            bucket,
            {"bucket": bucket, "forceDestroy": False, "tags": tags},
            {"arn": f"arn:aws:s3:::{bucket}", "bucketDomainName": f"{bucket}.s3.amazonaws.com"},
        ),
        resource(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            f"{bucket}-public-access",
            bucket,
            {
                "bucket": bucket,
                "blockPublicAcls": True,
                "blockPublicPolicy": True,
                "ignorePublicAcls": True,
                "restrictPublicBuckets": True,
            },
            depends={"bucket": [bucket_urn]},
        ),
        resource(
            "aws:s3/bucketPolicy:BucketPolicy",
            f"{bucket}-policy",
            bucket,
            {"bucket": bucket, "policy": json.dumps(bucket_policy(bucket))},
            depends={"bucket": [bucket_urn], "policy": [bucket_urn]},
        ),
        resource(
            "aws:kms/key:Key",
            "payments-logs-key",
            key["KeyId"],
            {
                "description": "Encrypts the logs of payments-api (prod)",
                "deletionWindowInDays": 30,
                "enableKeyRotation": True,
                "tags": tags,
            },
            {"arn": key["Arn"], "keyId": key["KeyId"], "keyUsage": "ENCRYPT_DECRYPT", "isEnabled": True},
        ),
        resource(
            "aws:cloudwatch/logGroup:LogGroup",
            "payments-logs",
            log_group,
            {"name": log_group, "retentionInDays": 90, "kmsKeyId": key["Arn"], "tags": tags},
            {"arn": f"arn:aws:logs:{HOME}:{ACCOUNT}:log-group:{log_group}"},
            depends={"kmsKeyId": [key_urn]},
        ),
        resource(
            "aws:iam/role:Role",
            "payments-deploy",
            role,
            {"name": role, "assumeRolePolicy": json.dumps(trust_policy()), "tags": tags},
            {"arn": f"arn:aws:iam::{ACCOUNT}:role/{role}", "maxSessionDuration": 3600},
        ),
        resource(
            "aws:ecr/repository:Repository",
            "payments-images",
            PROJECT,
            {
                "name": PROJECT,
                "imageTagMutability": "IMMUTABLE",
                "imageScanningConfiguration": {"scanOnPush": True},
                "encryptionConfigurations": [{"encryptionType": "KMS"}],
                "tags": tags,
            },
            {
                "arn": repository["repositoryArn"],
                "repositoryUrl": repository["repositoryUri"],
                "encryptionConfigurations": [repository["encryptionConfiguration"]],
            },
            provider=WEST_PROVIDER,
        ),
    ]
    ids = {"vpc": vpc, "web": web, "db": db, "vpn": vpn, "bucket": bucket, "key": key["KeyId"]}
    ids |= {"log_group": log_group, "role": role, "repository": PROJECT}
    return Deployed(resources, ids)


def tamper(endpoint: str, deployed: Deployed) -> None:
    """What someone does in the console after `pulumi up`."""
    ids = deployed.ids
    client(endpoint, "ec2").authorize_security_group_ingress(
        GroupId=ids["web"],
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
    )
    s3 = client(endpoint, "s3")
    s3.put_public_access_block(
        Bucket=ids["bucket"],
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "BlockPublicPolicy": False,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.delete_bucket_policy(Bucket=ids["bucket"])
    client(endpoint, "kms").disable_key_rotation(KeyId=ids["key"])
    client(endpoint, "logs").put_retention_policy(logGroupName=ids["log_group"], retentionInDays=1)
    client(endpoint, "iam").update_assume_role_policy(
        RoleName=ids["role"], PolicyDocument=json.dumps(trust_policy("StringLike", "*"))
    )
    client(endpoint, "ecr", WEST).put_image_tag_mutability(
        repositoryName=ids["repository"], imageTagMutability="MUTABLE"
    )


@pytest.fixture(scope="module")
def moto_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def endpoint(moto_server, monkeypatch, tmp_path):
    """The moto server, emptied, with dummy credentials and none of this machine's AWS configuration."""
    use_dummy_aws_credentials(monkeypatch, tmp_path)
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")).close()
    return moto_server


@pytest.fixture
def deployed(endpoint) -> Deployed:
    return deploy(endpoint)


def drift_of(deployed: Deployed, endpoint: str, **kwargs):
    return live_drift(deployed.resources, region=ELSEWHERE, endpoint_url=endpoint, **kwargs)


def covered(deployed: Deployed) -> list[str]:
    return [r["urn"] for r in deployed.resources if r["type"] in COVERED_FIELDS]


def name_of(urn_: str) -> str:
    return urn_.rsplit("::", 1)[-1]


# --- Drift ----------------------------------------------------------------------------------


def test_resources_as_deployed_have_no_drift_and_are_all_read(deployed, endpoint):
    drift, live, problems = drift_of(deployed, endpoint)

    assert (drift, problems) == ([], [])
    assert [r["urn"] for r in live] == covered(deployed)


def test_out_of_band_changes_are_the_exact_drift_entries(deployed, endpoint):
    tamper(endpoint, deployed)

    drift, _live, problems = drift_of(deployed, endpoint)

    assert problems == []
    by_field = {(name_of(d["urn"]), d["field"]): (d["state"], d["live"]) for d in drift}
    assert set(by_field) == {
        ("payments-web", "ingress"),
        ("payments-api-prod-assets-public-access", "blockPublicPolicy"),
        ("payments-api-prod-assets-policy", "*"),
        ("payments-logs-key", "enableKeyRotation"),
        ("payments-logs", "retentionInDays"),
        ("payments-deploy", "assumeRolePolicy"),
        ("payments-images", "imageTagMutability"),
    }
    office = {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/8"]}
    office["description"] = "HTTPS from the office"
    ssh = {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}
    assert by_field["payments-web", "ingress"] == ([office], [ssh, office])
    assert by_field["payments-api-prod-assets-public-access", "blockPublicPolicy"] == (True, False)
    assert by_field["payments-api-prod-assets-policy", "*"] == ("present", None)
    assert by_field["payments-logs-key", "enableKeyRotation"] == (True, False)
    assert by_field["payments-logs", "retentionInDays"] == (90, 1)
    assert by_field["payments-images", "imageTagMutability"] == ("IMMUTABLE", "MUTABLE")
    state_trust, live_trust = by_field["payments-deploy", "assumeRolePolicy"]
    assert state_trust["Statement"]["Condition"]["StringEquals"][f"{GITHUB}:sub"].startswith("repo:acme/")
    assert live_trust["Statement"]["Condition"]["StringLike"] == {f"{GITHUB}:sub": "*"}
    assert {d["id"] for d in drift if d["field"] == "*"} == {deployed.ids["bucket"]}


def test_drift_entries_are_json_with_the_state_id_and_type(deployed, endpoint):
    tamper(endpoint, deployed)

    drift, _live, _problems = drift_of(deployed, endpoint)

    entry = next(d for d in drift if d["field"] == "retentionInDays")
    assert entry == {
        "urn": urn("aws:cloudwatch/logGroup:LogGroup", "payments-logs"),
        "type": "aws:cloudwatch/logGroup:LogGroup",
        "id": deployed.ids["log_group"],
        "field": "retentionInDays",
        "state": 90,
        "live": 1,
    }
    assert json.loads(json.dumps(drift)) == drift


def test_a_resource_gone_from_the_account_has_no_live_resource(deployed, endpoint):
    tamper(endpoint, deployed)

    _drift, live, _problems = drift_of(deployed, endpoint)

    assert urn("aws:s3/bucketPolicy:BucketPolicy", "payments-api-prod-assets-policy") not in {
        r["urn"] for r in live
    }
    assert len(live) == len(covered(deployed)) - 1


def test_live_resources_carry_the_live_values_under_the_state_property_names(deployed, endpoint):
    tamper(endpoint, deployed)

    _drift, live, _problems = drift_of(deployed, endpoint)

    by_name = {name_of(r["urn"]): r for r in live}
    assert by_name["payments-logs"]["inputs"]["retentionInDays"] == 1
    assert by_name["payments-logs"]["outputs"]["retentionInDays"] == 1
    assert by_name["payments-logs"]["inputs"]["tags"] == deployed.named("payments-logs")["inputs"]["tags"]
    assert by_name["payments-images"]["inputs"]["imageTagMutability"] == "MUTABLE"
    assert by_name["payments-logs-key"]["inputs"]["enableKeyRotation"] is False
    assert {b["fromPort"] for b in by_name["payments-web"]["inputs"]["ingress"]} == {22, 443}
    # The state itself is left as it was.
    assert deployed.named("payments-logs")["inputs"]["retentionInDays"] == 90


def test_rules_of_rule_resources_are_not_drift_of_their_group_but_a_new_rule_is(deployed, endpoint):
    ec2 = client(endpoint, "ec2")
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [deployed.ids["db"]]}])
    (from_web,) = [
        r["SecurityGroupRuleId"] for r in rules["SecurityGroupRules"] if r.get("ReferencedGroupInfo")
    ]
    ec2.revoke_security_group_ingress(GroupId=deployed.ids["db"], SecurityGroupRuleIds=[from_web])
    ec2.authorize_security_group_ingress(
        GroupId=deployed.ids["db"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "debugging"}],
            }
        ],
    )

    drift, _live, problems = drift_of(deployed, endpoint)

    assert problems == []
    assert [(name_of(d["urn"]), d["field"], d["state"], d["live"]) for d in drift] == [
        (
            "payments-db",
            "ingress",
            [],
            [
                {
                    "protocol": "tcp",
                    "fromPort": 5432,
                    "toPort": 5432,
                    "cidrBlocks": ["0.0.0.0/0"],
                    "description": "debugging",
                }
            ],
        ),
        ("payments-db-from-web", "*", "present", None),
    ]


def test_a_resource_is_read_in_its_providers_region(deployed, endpoint):
    unplaced = [
        {**r, "inputs": {}, "outputs": {}} if r["type"] == "pulumi:providers:aws" else r
        for r in deployed.resources
    ]

    drift, _live, problems = live_drift(unplaced, region=HOME, endpoint_url=endpoint)

    # With no region in its state, the region given is used: the repository is in the west.
    assert problems == []
    assert [(name_of(d["urn"]), d["field"]) for d in drift] == [("payments-images", "*")]


def test_a_provider_may_name_its_region_as_the_stack_config_key(deployed, endpoint):
    keyed = [
        {**r, "inputs": {"aws:region": r["inputs"]["region"]}, "outputs": {}}
        if r["type"] == "pulumi:providers:aws"
        else r
        for r in deployed.resources
    ]

    drift, _live, problems = live_drift(keyed, region=ELSEWHERE, endpoint_url=endpoint)

    assert (drift, problems) == ([], [])


def test_secret_state_values_are_neither_compared_nor_printed(deployed, endpoint):
    log_group = deployed.named("payments-logs")
    log_group["inputs"]["retentionInDays"] = SECRET
    log_group["outputs"]["retentionInDays"] = SECRET
    client(endpoint, "logs").put_retention_policy(logGroupName=deployed.ids["log_group"], retentionInDays=3)

    drift, live, problems = drift_of(deployed, endpoint)

    assert (drift, problems) == ([], [])
    (read,) = [r for r in live if r["urn"] == log_group["urn"]]
    assert read["inputs"]["retentionInDays"] is SECRET
    assert read["outputs"]["retentionInDays"] is SECRET


# --- What cannot be read --------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_endpoint_gives_one_problem_per_resource_and_no_exception(deployed):
    unreachable = f"http://127.0.0.1:{closed_port()}"

    started = time.perf_counter()
    drift, live, problems = live_drift(deployed.resources, endpoint_url=unreachable)
    elapsed = time.perf_counter() - started

    assert (drift, live) == ([], [])
    assert len(problems) == len(covered(deployed))
    for urn_, problem in zip(covered(deployed), problems, strict=True):
        assert problem.startswith(f"{name_of(urn_)} (")
        assert f"cannot reach the endpoint {unreachable}" in problem
        assert "\n" not in problem
    assert elapsed < 20


def test_access_denied_is_a_problem_naming_the_resource_and_the_rest_is_read(deployed, endpoint, monkeypatch):
    iam = client(endpoint, "iam")
    iam.create_user(UserName="auditor")
    iam.put_user_policy(
        UserName="auditor",
        PolicyName="security-groups-only",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}],
            }
        ),
    )
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    auditor = boto3.Session(
        aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    monkeypatch.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)  # moto now enforces IAM

    drift, live, problems = drift_of(deployed, endpoint, session=auditor)

    ec2_types = {t for t in COVERED_FIELDS if t.startswith(("aws:ec2/", "aws:vpc/"))}
    assert drift == []
    assert {r["type"] for r in live} == ec2_types
    denied = [urn_ for urn_ in covered(deployed) if deployed.named(name_of(urn_))["type"] not in ec2_types]
    assert len(problems) == len(denied)
    for urn_, problem in zip(denied, problems, strict=True):
        assert problem.startswith(f"{name_of(urn_)} (") and "answered AccessDenied" in problem
    assert not any(key["SecretAccessKey"] in p for p in problems)


# --- The same policies on the live values ---------------------------------------------------


@pytest.fixture(scope="module")
def aws_security():
    process = PolicyPackProcess(pack_dirs()["aws_security"]).start()
    process.configure(None)
    yield process
    process.stop()


def analyzer_input(r: dict, properties: str) -> ResourceInput:
    return ResourceInput(
        urn=r["urn"],
        type=r["type"],
        name=name_of(r["urn"]),
        properties=to_struct(r.get(properties) or {}),
        parent=r.get("parent", ""),
        dependencies=tuple(r.get("dependencies", ())),
        property_dependencies={k: tuple(v) for k, v in (r.get("propertyDependencies") or {}).items()},
    )


def violations(pack: PolicyPackProcess, resources) -> set[tuple[str, str]]:
    """(policy, resource name) of every violation, judged as `pulumi policy analyze --file` does:
    Analyze on each custom resource's inputs, AnalyzeStack on every resource's outputs."""
    custom = [r for r in resources if r.get("custom") and not r["type"].startswith("pulumi:providers:")]
    found = [d for r in custom for d in pack.analyze(analyzer_input(r, "inputs"))]
    found += pack.analyze_stack([analyzer_input(r, "outputs") for r in resources])
    return {(d.policy, name_of(d.urn)) for d in found}


def test_the_live_view_of_an_unchanged_stack_has_the_violations_of_its_state(
    deployed, endpoint, aws_security
):
    drift, live, _problems = drift_of(deployed, endpoint)

    assert violations(aws_security, live_view(deployed.resources, drift, live)) == violations(
        aws_security, deployed.resources
    )


def test_the_live_values_give_exactly_the_violations_the_out_of_band_changes_introduce(
    deployed, endpoint, aws_security
):
    before = violations(aws_security, deployed.resources)
    tamper(endpoint, deployed)

    drift, live, _problems = drift_of(deployed, endpoint)
    after = violations(aws_security, live_view(deployed.resources, drift, live))

    assert before - after == set()
    assert after - before == {
        ("aws-sg-no-world-admin-ports", "payments-web"),
        ("aws-sg-rule-description", "payments-web"),
        ("aws-s3-public-access-block", "payments-api-prod-assets"),
        ("aws-s3-tls-only", "payments-api-prod-assets"),
        ("aws-kms-key-rotation", "payments-logs-key"),
        ("aws-cloudwatch-log-retention", "payments-logs"),
        ("aws-iam-github-oidc-trust-pinned", "payments-deploy"),
        ("aws-ecr-immutable-tags", "payments-images"),
    }

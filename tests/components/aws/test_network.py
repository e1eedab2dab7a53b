"""Network: a multi-AZ VPC with private subnets, NAT egress, encrypted flow logs and a closed default SG."""

from __future__ import annotations

import importlib
import inspect
import ipaddress
import json

import pytest
from pydantic import ValidationError

from goldenpath.components.aws.network import Network, NetworkArgs
from goldenpath.harness import MOCK_ACCOUNT_ID, MOCK_REGION, ProgramRun, RecordedResource, run_under_mocks

TAGS = {"team": "payments", "service": "payments-api", "cost-center": "cc-42"}
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
IGW = "aws:ec2/internetGateway:InternetGateway"
EIP = "aws:ec2/eip:Eip"
NAT = "aws:ec2/natGateway:NatGateway"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY = "aws:kms/key:Key"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"


def run_network(**overrides) -> ProgramRun:
    fields = {"service": "payments-api", "environment": "dev", "tags": TAGS, **overrides}
    return run_under_mocks(lambda: Network("net", NetworkArgs(**fields)))


def takes_tags(resource: RecordedResource) -> bool:
    module, class_name = resource.type.split(":")[1].split("/")[0], resource.type.split(":")[2]
    resource_class = getattr(importlib.import_module(f"pulumi_aws.{module}"), class_name)
    return "tags" in inspect.signature(resource_class._internal_init).parameters


def target(run: ProgramRun, resource: RecordedResource, prop: str) -> RecordedResource:
    """The one resource whose output ``resource.prop`` was built from."""
    urns = set(resource.property_dependencies.get(prop, ()))
    found = [r for r in run.resources if r.urn in urns]
    assert len(found) == 1, f"{resource.name}.{prop} depends on {len(found)} resources"
    return found[0]


def subnets(run: ProgramRun, tier: str) -> list[RecordedResource]:
    return sorted((s for s in run.by_type(SUBNET) if f"-{tier}-" in s.name), key=lambda s: s.name)


def egress_nat_by_private_subnet(run: ProgramRun) -> dict[str, RecordedResource]:
    """Private subnet name -> the NAT gateway its route table sends 0.0.0.0/0 to."""
    tables = {
        target(run, a, "subnetId").name: target(run, a, "routeTableId") for a in run.by_type(ASSOCIATION)
    }
    routes = {target(run, r, "routeTableId").urn: r for r in run.by_type(ROUTE)}
    return {
        subnet.name: target(run, routes[tables[subnet.name].urn], "natGatewayId")
        for subnet in subnets(run, "private")
    }


def test_spans_two_azs_by_default_with_a_public_and_a_private_subnet_in_each():
    run = run_network()

    assert [s.inputs["availabilityZone"] for s in subnets(run, "public")] == ["eu-west-1a", "eu-west-1b"]
    assert [s.inputs["availabilityZone"] for s in subnets(run, "private")] == ["eu-west-1a", "eu-west-1b"]


def test_az_count_takes_that_many_available_zones():
    run = run_network(az_count=3)

    zones = {s.inputs["availabilityZone"] for s in subnets(run, "private")}
    assert zones == {"eu-west-1a", "eu-west-1b", "eu-west-1c"}


def test_fewer_than_two_azs_is_refused():
    with pytest.raises(ValidationError, match="az_count"):
        NetworkArgs(service="payments-api", environment="dev", az_count=1, tags=TAGS)


def test_more_azs_than_the_region_has_fails_the_program_naming_the_zones():
    # The mocked region has three zones; four fit the subnet layout but not the region. The zones
    # arrive as an Output, so the program (not the Args model) fails, with the region's zones named.
    with pytest.raises(
        ValueError,
        match=r"az_count is 4 but region eu-west-1 has only 3 available availability zones "
        r"\(eu-west-1a, eu-west-1b, eu-west-1c\)",
    ):
        run_network(az_count=4)


def test_availability_zones_output_lists_the_zones_spanned_in_order():
    seen: list[list[str]] = []

    def program():
        network = Network(
            "net", NetworkArgs(service="payments-api", environment="dev", az_count=2, tags=TAGS)
        )
        network.availability_zones.apply(seen.append)

    run_under_mocks(program)

    assert seen == [["eu-west-1a", "eu-west-1b"]]


def test_subnets_are_named_for_their_tier_and_zone():
    run = run_network()

    assert [s.inputs["tags"]["Name"] for s in subnets(run, "public")] == [
        "payments-api-dev-public-eu-west-1a",
        "payments-api-dev-public-eu-west-1b",
    ]
    assert [s.inputs["tags"]["Name"] for s in subnets(run, "private")] == [
        "payments-api-dev-private-eu-west-1a",
        "payments-api-dev-private-eu-west-1b",
    ]


def test_subnets_sit_inside_the_vpc_and_do_not_overlap():
    run = run_network(cidr_block="10.20.0.0/16", az_count=3)
    vpc = ipaddress.ip_network(run.one(VPC).inputs["cidrBlock"])
    networks = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in run.by_type(SUBNET)]

    assert vpc == ipaddress.ip_network("10.20.0.0/16")
    assert all(n.subnet_of(vpc) for n in networks)
    assert not any(a.overlaps(b) for i, a in enumerate(networks) for b in networks[i + 1 :])


def test_adding_an_az_keeps_the_existing_subnet_ranges():
    two = {s.name: s.inputs["cidrBlock"] for s in run_network(az_count=2).by_type(SUBNET)}
    three = {s.name: s.inputs["cidrBlock"] for s in run_network(az_count=3).by_type(SUBNET)}

    assert two.items() <= three.items()


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "10.0.0.0/26", "8.8.0.0/16", "10.0.0.1/16", "not-a-cidr"])
def test_unusable_vpc_range_is_refused(cidr):
    with pytest.raises(ValidationError, match="cidr_block"):
        NetworkArgs(service="payments-api", environment="dev", cidr_block=cidr, tags=TAGS)


def test_vpc_resolves_and_names_hosts_in_dns():
    vpc = run_network().one(VPC).inputs

    assert vpc["enableDnsSupport"] is True
    assert vpc["enableDnsHostnames"] is True


def test_no_subnet_gives_instances_public_ips():
    run = run_network(az_count=3)

    assert [s.inputs["mapPublicIpOnLaunch"] for s in run.by_type(SUBNET)] == [False] * 6


def test_public_subnets_route_to_the_internet_gateway():
    run = run_network()
    tables = {
        target(run, a, "subnetId").name: target(run, a, "routeTableId") for a in run.by_type(ASSOCIATION)
    }
    internet_routes = [r for r in run.by_type(ROUTE) if "gatewayId" in r.inputs]

    assert len(internet_routes) == 1
    assert internet_routes[0].inputs["destinationCidrBlock"] == "0.0.0.0/0"
    assert target(run, internet_routes[0], "gatewayId") == run.one(IGW)
    assert {tables[s.name].urn for s in subnets(run, "public")} == {
        target(run, internet_routes[0], "routeTableId").urn
    }


def test_one_nat_gateway_serves_every_private_subnet_by_default():
    run = run_network(az_count=3)

    assert len(run.by_type(NAT)) == 1
    assert len(run.by_type(EIP)) == 1
    assert set(n.urn for n in egress_nat_by_private_subnet(run).values()) == {run.one(NAT).urn}


def test_prod_gets_one_nat_gateway_per_az_each_serving_its_own_az():
    run = run_network(environment="prod", az_count=3, single_nat_gateway=False)
    private_zone = {s.name: s.inputs["availabilityZone"] for s in subnets(run, "private")}

    assert len(run.by_type(NAT)) == 3
    assert len(run.by_type(EIP)) == 3
    for subnet_name, nat in egress_nat_by_private_subnet(run).items():
        assert target(run, nat, "subnetId").inputs["availabilityZone"] == private_zone[subnet_name]


def test_nat_gateways_are_public_with_an_elastic_ip_in_a_public_subnet():
    run = run_network(single_nat_gateway=False)

    for nat in run.by_type(NAT):
        assert nat.inputs["connectivityType"] == "public"
        assert target(run, nat, "allocationId").type == EIP
        assert target(run, nat, "subnetId") in subnets(run, "public")


def test_default_security_group_of_the_vpc_allows_nothing():
    run = run_network()
    default_sg = run.one(DEFAULT_SG)

    assert default_sg.inputs["ingress"] == []
    assert default_sg.inputs["egress"] == []
    assert target(run, default_sg, "vpcId") == run.one(VPC)


def test_flow_log_records_all_traffic_of_the_vpc_into_cloudwatch_logs():
    run = run_network()
    flow_log = run.one(FLOW_LOG)

    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    assert target(run, flow_log, "vpcId") == run.one(VPC)
    assert target(run, flow_log, "logDestination") == run.one(LOG_GROUP)


def test_flow_log_group_is_encrypted_with_its_own_rotating_key():
    run = run_network()
    group = run.one(LOG_GROUP)
    key = target(run, group, "kmsKeyId")

    assert group.inputs["name"] == "/goldenpath/payments-api/dev/vpc-flow-logs"
    assert key.type == KEY
    assert key.inputs["enableKeyRotation"] is True
    principals = [s["Principal"] for s in json.loads(key.inputs["policy"])["Statement"]]
    assert {"Service": f"logs.{MOCK_REGION}.amazonaws.com"} in principals


@pytest.mark.parametrize(("environment", "days"), [("dev", 30), ("prod", 365)])
def test_flow_logs_are_kept_as_long_as_the_environment_decides(environment, days):
    run = run_network(environment=environment)

    assert run.one(LOG_GROUP).inputs["retentionInDays"] == days


def test_flow_log_retention_can_be_set():
    run = run_network(flow_log_retention_days=90)

    assert run.one(LOG_GROUP).inputs["retentionInDays"] == 90


def test_flow_log_retention_that_is_not_allowed_is_refused():
    with pytest.raises(ValidationError, match=r"(?s)flow_log_retention_days.*retention of 13 days.*30, 60"):
        NetworkArgs(service="payments-api", environment="dev", flow_log_retention_days=13, tags=TAGS)


def test_flow_log_role_can_be_assumed_only_by_flow_logs_of_this_account():
    run = run_network()
    flow_log = run.one(FLOW_LOG)
    role = target(run, flow_log, "iamRoleArn")
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]

    assert role.type == ROLE
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": MOCK_ACCOUNT_ID}


def test_flow_log_role_may_write_to_its_log_group_only():
    run = run_network()
    role_policy = run.one(ROLE_POLICY)
    statements = json.loads(role_policy.inputs["policy"])["Statement"]
    group_arn = run.one(FLOW_LOG).inputs["logDestination"]

    assert target(run, role_policy, "role") == run.one(ROLE)
    write = [s for s in statements if "logs:PutLogEvents" in s["Action"]]
    assert len(write) == 1
    assert set(write[0]["Resource"]) == {group_arn, f"{group_arn}:*"}
    assert all(s["Resource"] != "*" for s in statements)
    actions = {
        a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert actions == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogStreams",
        "logs:DescribeLogGroups",
    }


def test_outputs_give_the_vpc_its_subnets_and_the_flow_log_group():
    seen: dict[str, object] = {}

    def program():
        network = Network(
            "net", NetworkArgs(service="payments-api", environment="dev", az_count=3, tags=TAGS)
        )
        for name in ("vpc_id", "public_subnet_ids", "private_subnet_ids", "flow_log_group_name"):
            getattr(network, name).apply(lambda value, name=name: seen.__setitem__(name, value))

    run = run_under_mocks(program)

    assert seen["vpc_id"] == "net-vpc-id"
    assert seen["public_subnet_ids"] == [f"{s.name}-id" for s in subnets(run, "public")]
    assert seen["private_subnet_ids"] == [f"{s.name}-id" for s in subnets(run, "private")]
    assert seen["flow_log_group_name"] == "/goldenpath/payments-api/dev/vpc-flow-logs"


def test_every_taggable_resource_carries_the_given_tags():
    run = run_network(single_nat_gateway=False)
    taggable = [r for r in run.resources if r.custom and takes_tags(r)]

    assert {VPC, SUBNET, IGW, EIP, NAT, ROUTE_TABLE, FLOW_LOG, LOG_GROUP, KEY, ROLE, DEFAULT_SG} <= {
        r.type for r in taggable
    }
    for resource in taggable:
        assert TAGS.items() <= resource.inputs["tags"].items(), resource.name


def test_every_resource_descends_from_the_component():
    run = run_network()
    component = run.one("goldenpath:aws:Network")
    flow_logs = run.one("goldenpath:aws:Logging")
    by_urn = {r.urn: r for r in run.resources}

    assert flow_logs.parent == component.urn
    for resource in run.resources:
        if resource is component:
            continue
        assert resource.parent in (component.urn, flow_logs.urn), resource.name
        assert by_urn[resource.parent] in (component, flow_logs)

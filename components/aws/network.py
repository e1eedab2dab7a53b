"""Network: a VPC over several AZs with public and private subnets, NAT, flow logs and a locked default SG."""

from __future__ import annotations

import ipaddress
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator

from goldenpath import conventions
from goldenpath.components.aws.logging import SERVICE_PATTERN, Logging, LoggingArgs, check_retention_days
from goldenpath.conventions import Environment
from goldenpath.models import ComponentArgs

VPC_PREFIX_RANGE = (16, 24)
ANYWHERE = "0.0.0.0/0"


def subnet_cidrs(cidr_block: str, az_count: int) -> tuple[list[str], list[str]]:
    """(public, private) subnet CIDRs, one of each per AZ.

    The VPC is cut into slots for conventions.NETWORK_MAX_AZ_COUNT AZs whatever ``az_count`` is, so
    that raising ``az_count`` later adds subnets and never renumbers (replaces) existing ones.
    """
    slots_needed = 2 * conventions.NETWORK_MAX_AZ_COUNT
    slots = list(ipaddress.ip_network(cidr_block).subnets(prefixlen_diff=(slots_needed - 1).bit_length()))
    public = [str(s) for s in slots[:az_count]]
    first_private = conventions.NETWORK_MAX_AZ_COUNT
    private = [str(s) for s in slots[first_private : first_private + az_count]]
    return public, private


def check_available_zones(zones: list[str], az_count: int, region: str) -> list[str]:
    """The first ``az_count`` of the region's available ``zones``; raises if the region has fewer."""
    if len(zones) < az_count:
        raise ValueError(
            f"az_count is {az_count} but region {region} has only {len(zones)} available "
            f"availability zones ({', '.join(zones)})"
        )
    return list(zones[:az_count])


def flow_log_assume_role_policy(
    *, account_id: pulumi.Input[str], region: pulumi.Input[str], partition: pulumi.Input[str]
) -> dict[str, Any]:
    """Only the VPC Flow Logs service, acting for this account's flow logs, may assume the role."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {
                        "aws:SourceArn": pulumi.Output.concat(
                            "arn:", partition, ":ec2:", region, ":", account_id, ":vpc-flow-log/*"
                        )
                    },
                },
            }
        ],
    }


def flow_log_role_policy(
    *,
    log_group_arn: pulumi.Input[str],
    account_id: pulumi.Input[str],
    region: pulumi.Input[str],
    partition: pulumi.Input[str],
) -> dict[str, Any]:
    """Write access to the one flow log group; listing is limited to this account's log groups."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteFlowLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                "Resource": [log_group_arn, pulumi.Output.concat(log_group_arn, ":*")],
            },
            {
                "Sid": "FindLogGroup",
                "Effect": "Allow",
                "Action": "logs:DescribeLogGroups",
                "Resource": pulumi.Output.concat(
                    "arn:", partition, ":logs:", region, ":", account_id, ":log-group:*"
                ),
            },
        ],
    }


class NetworkArgs(ComponentArgs):
    """Inputs of :class:`Network`."""

    service: str = Field(pattern=SERVICE_PATTERN, description="Service name; part of resource names.")
    environment: Environment = Field(description="Deployment environment.")
    cidr_block: str = Field(
        default=conventions.DEFAULT_VPC_CIDR,
        description="The VPC's IPv4 range: a private (RFC 1918) network between /16 and /24.",
    )
    az_count: int = Field(
        default=conventions.DEFAULT_AZ_COUNT,
        ge=2,
        le=conventions.NETWORK_MAX_AZ_COUNT,
        description="Availability zones to span; at least 2 so that one AZ failing leaves the service up.",
    )
    single_nat_gateway: bool = Field(
        default=True,
        description="One NAT gateway for all AZs (cheaper; outside prod). False gives one NAT per AZ, so "
        "private subnets keep egress when an AZ fails (prod).",
    )
    flow_log_retention_days: int | None = Field(
        default=None,
        description="Days to keep VPC flow logs; None takes conventions.LOG_RETENTION_DAYS for the environment.",
    )
    tags: dict[str, str] = Field(description="Tags for every taggable resource (conventions.standard_tags).")

    @field_validator("cidr_block")
    @classmethod
    def _cidr_usable(cls, value: str) -> str:
        try:
            network = ipaddress.ip_network(value)
        except ValueError:
            raise ValueError(f"cidr_block {value!r} is not an IPv4 network such as 10.0.0.0/16") from None
        low, high = VPC_PREFIX_RANGE
        if network.version != 4 or not low <= network.prefixlen <= high:
            raise ValueError(f"cidr_block {value!r} must be an IPv4 network between /{low} and /{high}")
        if not network.is_private:
            raise ValueError(f"cidr_block {value!r} must be a private (RFC 1918) range, e.g. 10.0.0.0/16")
        return value

    @field_validator("flow_log_retention_days")
    @classmethod
    def _retention_allowed(cls, value: int | None) -> int | None:
        return None if value is None else check_retention_days(value)


class Network(pulumi.ComponentResource):
    """A VPC with public and private subnets in ``az_count`` AZs, NAT egress and encrypted flow logs."""

    vpc_id: pulumi.Output[str]
    vpc_cidr_block: pulumi.Output[str]
    availability_zones: pulumi.Output[list[str]]
    public_subnet_ids: pulumi.Output[list[str]]
    private_subnet_ids: pulumi.Output[list[str]]
    flow_log_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("goldenpath:aws:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=invoke).account_id
        region = aws.get_region_output(opts=invoke).region
        partition = aws.get_partition_output(opts=invoke).partition
        available = aws.get_availability_zones_output(state="available", opts=invoke).names
        zones: pulumi.Output[list[str]] = pulumi.Output.all(available, region).apply(
            lambda found: check_available_zones(found[0], args.az_count, found[1])
        )
        # az_count is known up front, so the subnets can be declared before the zone names arrive.
        zone_at = [zones.apply(lambda names, index=index: names[index]) for index in range(args.az_count)]
        if args.environment == "prod" and args.single_nat_gateway:
            pulumi.log.warn(
                "single_nat_gateway is true in prod: private subnets lose egress if that NAT's AZ fails",
                resource=self,
            )

        def tags(*parts: pulumi.Input[str]) -> dict[str, pulumi.Input[str]]:
            words = (args.service, args.environment, *parts)
            if all(isinstance(word, str) for word in words):
                return {**args.tags, "Name": "-".join(words)}
            return {**args.tags, "Name": pulumi.Output.all(*words).apply("-".join)}

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr_block,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=tags("vpc"),
            opts=child,
        )
        # CIS AWS 5.4: the default security group allows nothing, so nothing can fall back on it.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            tags=tags("default"),
            opts=child,
        )
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=tags("igw"), opts=child)

        public_cidrs, private_cidrs = subnet_cidrs(args.cidr_block, args.az_count)
        public_table = aws.ec2.RouteTable(f"{name}-public", vpc_id=vpc.id, tags=tags("public"), opts=child)
        aws.ec2.Route(
            f"{name}-public-internet",
            route_table_id=public_table.id,
            destination_cidr_block=ANYWHERE,
            gateway_id=igw.id,
            opts=child,
        )
        public_subnets = []
        for index, cidr in enumerate(public_cidrs):
            subnet = aws.ec2.Subnet(
                f"{name}-public-{index}",
                vpc_id=vpc.id,
                availability_zone=zone_at[index],
                cidr_block=cidr,
                map_public_ip_on_launch=False,
                tags=tags("public", zone_at[index]),
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{index}",
                subnet_id=subnet.id,
                route_table_id=public_table.id,
                opts=child,
            )
            public_subnets.append(subnet)

        nat_gateways = []
        for index in range(1 if args.single_nat_gateway else args.az_count):
            eip = aws.ec2.Eip(
                f"{name}-nat-{index}",
                domain="vpc",
                tags=tags("nat", zone_at[index]),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
            )
            nat_gateways.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{index}",
                    allocation_id=eip.id,
                    subnet_id=public_subnets[index].id,
                    connectivity_type="public",
                    tags=tags("nat", zone_at[index]),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
                )
            )

        private_subnets = []
        for index, cidr in enumerate(private_cidrs):
            subnet = aws.ec2.Subnet(
                f"{name}-private-{index}",
                vpc_id=vpc.id,
                availability_zone=zone_at[index],
                cidr_block=cidr,
                map_public_ip_on_launch=False,
                tags=tags("private", zone_at[index]),
                opts=child,
            )
            table = aws.ec2.RouteTable(
                f"{name}-private-{index}", vpc_id=vpc.id, tags=tags("private", zone_at[index]), opts=child
            )
            aws.ec2.Route(
                f"{name}-private-{index}-egress",
                route_table_id=table.id,
                destination_cidr_block=ANYWHERE,
                nat_gateway_id=nat_gateways[index % len(nat_gateways)].id,
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{index}", subnet_id=subnet.id, route_table_id=table.id, opts=child
            )
            private_subnets.append(subnet)

        flow_logs = Logging(
            f"{name}-flow-logs",
            LoggingArgs(
                service=args.service,
                environment=args.environment,
                retention_days=args.flow_log_retention_days,
                purpose=conventions.FLOW_LOG_PURPOSE,
                tags=args.tags,
            ),
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-flow-logs",
            name=conventions.physical_name(
                args.service, args.environment, conventions.FLOW_LOG_PURPOSE, kind="iam_role"
            ),
            description=f"Lets VPC Flow Logs write the flow logs of {args.service} ({args.environment})",
            assume_role_policy=pulumi.Output.json_dumps(
                flow_log_assume_role_policy(account_id=account_id, region=region, partition=partition)
            ),
            tags=args.tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs",
            role=role.id,
            policy=pulumi.Output.json_dumps(
                flow_log_role_policy(
                    log_group_arn=flow_logs.log_group_arn,
                    account_id=account_id,
                    region=region,
                    partition=partition,
                )
            ),
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=vpc.id,
            traffic_type=conventions.FLOW_LOG_TRAFFIC_TYPE,
            log_destination_type="cloud-watch-logs",
            log_destination=flow_logs.log_group_arn,
            iam_role_arn=role.arn,
            tags=tags(conventions.FLOW_LOG_PURPOSE),
            opts=child,
        )

        self.vpc_id = vpc.id
        self.vpc_cidr_block = vpc.cidr_block
        self.availability_zones = zones
        self.public_subnet_ids = pulumi.Output.all(*[s.id for s in public_subnets])
        self.private_subnet_ids = pulumi.Output.all(*[s.id for s in private_subnets])
        self.flow_log_group_name = flow_logs.log_group_name
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "vpc_cidr_block": self.vpc_cidr_block,
                "availability_zones": self.availability_zones,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
                "flow_log_group_name": self.flow_log_group_name,
            }
        )

"""Where the pack requires it, Lambda functions run inside a VPC."""

from collections.abc import Sequence

from goldenpath.policy import NIST, PolicySpec, as_list, get_path

# Peers: checkov CKV_AWS_117 (always on there; here only with requireVpc, see the rationale).

FUNCTION = "aws:lambda/function:Function"


def _count(value):
    if isinstance(value, Sequence) and not isinstance(value, str):
        return len(value)  # the proxy knows a list's length even where its items are unknown
    return len(as_list(value))


def check(props, config):
    if not config.get("requireVpc"):
        return None
    # A whole list known only after apply may be empty: that propagates (the engine says it can't run
    # yet); a list of ids known only after apply is a list of ids that are set.
    subnets = _count(get_path(props, "vpcConfig.subnetIds"))
    groups = _count(get_path(props, "vpcConfig.securityGroupIds"))
    if not subnets:
        return "function is not attached to a VPC; set vpcConfig with subnetIds (private subnets) and securityGroupIds"
    if not groups:
        return "function's vpcConfig names subnets but no security group; set vpcConfig.securityGroupIds"
    return None


POLICY = PolicySpec(
    id="aws-lambda-in-vpc",
    description="With requireVpc, every Lambda function is attached to VPC subnets and security groups.",
    severity="low",
    rationale="A function in a VPC reaches the network only through its security groups and the VPC's routes, "
    "so egress can be restricted and private resources need no public endpoint. It is off by default: AWS "
    "recommends a VPC only for functions that need private resources, and a function outside one cannot reach "
    "anything in it; turn it on where your standard requires every function in a VPC.",
    remediation="Set `vpc_config` on the `aws.lambda_.Function` with `subnet_ids` (private subnets) and "
    "`security_group_ids`, and attach AWSLambdaVPCAccessExecutionRole (or equivalent ENI permissions) to its role.",
    resource_types=(FUNCTION,),
    check=check,
    controls={NIST: ("SC-7",)},
    config_schema={
        "requireVpc": {
            "type": "boolean",
            "default": False,
            "description": "Flag every function that is not attached to VPC subnets.",
        }
    },
    peers={"checkov": ("CKV_AWS_117",)},
)

"""EC2 instances, launch templates and launch configurations do not ask for a public IPv4 address."""

# Peers: awsguard ec2-instance-no-public-ip, checkov CKV_AWS_88

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, as_list, get_path, note_unknown

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"


def _true(value) -> bool:
    # Launch template interfaces take the flag as a string ("true"), the others as a boolean.
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def check(props, config, resource):
    if resource.resource_type != LAUNCH_TEMPLATE:
        if _true(get_path(props, "associatePublicIpAddress")):
            return "associatePublicIpAddress is true, so the instance gets a public IPv4 address; set it to false"
        return None
    problems = []
    for index, interface in enumerate(as_list(get_path(props, "networkInterfaces"))):
        try:
            flag = get_path(interface, "associatePublicIpAddress")
        except UnknownValueError as error:
            note_unknown(error)
            continue
        if _true(flag):
            problems.append(
                f"networkInterfaces[{index}].associatePublicIpAddress is true, so instances launched from "
                "the template get a public IPv4 address; set it to false"
            )
    return problems


POLICY = PolicySpec(
    id="aws-ec2-instance-no-public-ip",
    description="EC2 instances, launch templates and launch configurations do not set associatePublicIpAddress.",
    severity="medium",
    rationale="An instance with a public IPv4 address is reachable from the internet as far as its security "
    "groups and network ACLs allow, so one over-broad rule exposes it; instances behind a load balancer or "
    "reached through Systems Manager need no public address.",
    remediation="Leave `associate_public_ip_address` unset or `False` on the `aws.ec2.Instance` or "
    "`aws.ec2.LaunchConfiguration` (and on each `network_interfaces` entry of an `aws.ec2.LaunchTemplate`), place "
    "instances in private subnets, and reach them through a load balancer or Session Manager.",
    resource_types=(INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("AC-4", "SC-7"), PCI: ("1.3.1",)},
    peers={"awsguard": ("ec2-instance-no-public-ip",), "checkov": ("CKV_AWS_88",)},
)

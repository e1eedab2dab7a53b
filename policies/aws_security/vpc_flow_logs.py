"""Every VPC records its traffic with a flow log."""

from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec

from ._elb import Pointers

# Peers: checkov CKV2_AWS_11, cdk-nag AwsSolutions-VPC7

VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"


def stack_check(resources, config):
    vpcs = [r for r in resources if r.resource_type == VPC]
    flow_logs = Pointers(vpcs, (r for r in resources if r.resource_type == FLOW_LOG), "vpcId")
    for vpc in vpcs:
        if flow_logs.reach(vpc) is False:
            yield vpc.urn, "VPC has no flow log; add an aws.ec2.FlowLog with vpcId set to this VPC's id"


POLICY = PolicySpec(
    id="aws-vpc-flow-logs",
    description="Every VPC has a flow log (an aws.ec2.FlowLog whose vpcId is the VPC).",
    severity="medium",
    rationale="Flow logs are the only record of which addresses talked to which inside a VPC; without them a "
    "compromise or an exfiltration cannot be traced, and they cannot be turned on retroactively.",
    remediation='Add an `aws.ec2.FlowLog` with `vpc_id=vpc.id`, `traffic_type="ALL"` and a `log_destination` '
    "(a CloudWatch log group with `iam_role_arn`, or an S3 bucket); goldenpath's Network component does this.",
    resource_types=(VPC, FLOW_LOG),
    stack_check=stack_check,
    controls={CIS_AWS: ("3.7",), NIST: ("AU-12", "SI-4"), PCI: ("10.2.1",)},
    peers={"checkov": ("CKV2_AWS_11",), "cdk-nag": ("AwsSolutions-VPC7",)},
)

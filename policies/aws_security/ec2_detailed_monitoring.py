"""EC2 instances, launch templates and launch configurations turn on detailed (one-minute) monitoring."""

# Peers: awsguard ec2-instance-detailed-monitoring-enabled, checkov CKV_AWS_126, cdk-nag AwsSolutions-EC28

from goldenpath.policy import NIST, PolicySpec, get_path

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"


def check(props, config, resource):
    if resource.resource_type == LAUNCH_CONFIGURATION:
        # Launch configurations monitor in detail unless told not to (enableMonitoring defaults to true).
        if get_path(props, "enableMonitoring") is False:
            return "enableMonitoring is false, so instances get five-minute metrics only; set it to true"
        return None
    if resource.resource_type == LAUNCH_TEMPLATE:
        enabled = get_path(props, "monitoring.enabled")
        if enabled is not True:
            state = "false" if enabled is False else "not set"
            return (
                f"monitoring.enabled is {state}, so instances launched from the template get five-minute "
                "metrics only; set monitoring: {enabled: true}"
            )
        return None
    monitoring = get_path(props, "monitoring")
    if monitoring is None and get_path(props, "launchTemplate") is not None:
        return None  # the instance takes monitoring from its launch template, judged on its own
    if monitoring is not True:
        state = "false" if monitoring is False else "not set"
        return (
            f"monitoring is {state}, so the instance reports five-minute metrics only; set monitoring to true"
        )
    return None


POLICY = PolicySpec(
    id="aws-ec2-detailed-monitoring",
    description="EC2 instances and launch templates set monitoring to true, and launch configurations do not "
    "turn enableMonitoring off.",
    severity="low",
    rationale="With basic monitoring CloudWatch receives instance metrics every five minutes, so alarms and "
    "scaling react to CPU exhaustion, status check failures or unusual network traffic minutes late; detailed "
    "monitoring sends them every minute.",
    remediation="Pass `monitoring=True` to the `aws.ec2.Instance`, "
    "`monitoring=aws.ec2.LaunchTemplateMonitoringArgs(enabled=True)` to the `aws.ec2.LaunchTemplate`, and keep "
    "`enable_monitoring` unset or `True` on an `aws.ec2.LaunchConfiguration`.",
    resource_types=(INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("SI-4", "AU-12")},
    peers={
        "awsguard": ("ec2-instance-detailed-monitoring-enabled",),
        "checkov": ("CKV_AWS_126",),
        "cdk-nag": ("AwsSolutions-EC28",),
    },
)

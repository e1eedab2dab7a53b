"""Load balancers log every request they serve."""

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

from ._elb import LOAD_BALANCERS, access_log_bucket_problem

# Gateway Load Balancers do not support access logs.
WITHOUT_ACCESS_LOGS = ("gateway",)


def check(props, config):
    if get_path(props, "loadBalancerType", "application") in WITHOUT_ACCESS_LOGS:
        return None
    if get_path(props, "accessLogs.enabled") is not True:
        return "load balancer access logs are off; set accessLogs.enabled to true with a bucket"
    return access_log_bucket_problem(props)


POLICY = PolicySpec(
    id="aws-alb-access-logs",
    description="Application and Network Load Balancers have access logs enabled with a bucket.",
    severity="medium",
    rationale="Access logs are the only record of each request the load balancer served (client, path, status, "
    "TLS version); incident response and abuse investigations start from them.",
    remediation='Set `access_logs={"bucket": bucket.bucket, "enabled": True}` on the `aws.lb.LoadBalancer`, '
    "with a bucket policy that lets Elastic Load Balancing write to it; goldenpath's Service component creates "
    "that bucket and wires it up.",
    resource_types=LOAD_BALANCERS,
    check=check,
    controls={NIST: ("AU-2", "AU-12"), PCI: ("10.2.1",)},
    peers={
        "awsguard": ("elb-logging-enabled",),
        "cdk-nag": ("AwsSolutions-ELB2",),
        "checkov": ("CKV_AWS_91",),
    },
)

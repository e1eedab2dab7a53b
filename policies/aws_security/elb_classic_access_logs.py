"""Classic Load Balancers log every request they serve."""

# Peers: checkov CKV_AWS_92, cdk-nag AwsSolutions-ELB2 (which judges Classic and v2 load balancers alike;
# aws-alb-access-logs is the v2 half).

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

from ._classic_elb import CLASSIC_LOAD_BALANCER
from ._elb import access_log_bucket_problem


def check(props, config):
    if get_path(props, "accessLogs") is None:
        return "load balancer writes no access logs; set accessLogs with a bucket"
    # The provider enables access logs by default once an accessLogs block is given.
    if get_path(props, "accessLogs.enabled", True) is False:
        return "load balancer access logs are off; set accessLogs.enabled to true"
    return access_log_bucket_problem(props)


POLICY = PolicySpec(
    id="aws-elb-classic-access-logs",
    description="Classic Load Balancers have access logs enabled with a bucket.",
    severity="medium",
    rationale="Access logs are the only record of each request the load balancer served (client, path, status, "
    "TLS version); incident response and abuse investigations start from them.",
    remediation='Set `access_logs={"bucket": bucket.bucket, "enabled": True, "interval": 5}` on the '
    "`aws.elb.LoadBalancer`, with a bucket policy that lets Elastic Load Balancing write to it.",
    resource_types=(CLASSIC_LOAD_BALANCER,),
    check=check,
    controls={NIST: ("AU-2", "AU-12"), PCI: ("10.2.1",)},
    peers={"checkov": ("CKV_AWS_92",), "cdk-nag": ("AwsSolutions-ELB2",)},
)

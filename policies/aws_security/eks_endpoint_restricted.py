"""An EKS cluster's public API endpoint is off or open only to listed address ranges."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path

from ._cidr import anywhere
from ._iam import known_strings

# Peers: checkov CKV_AWS_38. (checkov CKV_AWS_39 and cdk-nag AwsSolutions-EKS1 demand no public endpoint at all.)

CLUSTER = "aws:eks/cluster:Cluster"


def check(props, config):
    try:
        public = get_path(props, "vpcConfig.endpointPublicAccess", True)  # provider default: true
    except UnknownValueError as error:
        public = error  # known restricted ranges still pass it
    if public is False:
        return None
    # Unknown ranges (or an unknown element, noted by known_strings) may be 0.0.0.0/0: can't run until apply.
    cidrs = get_path(props, "vpcConfig.publicAccessCidrs")
    if not cidrs:
        problem = (
            "the public API endpoint is open to 0.0.0.0/0 (publicAccessCidrs is unset); set "
            "vpcConfig.endpointPublicAccess to false, or publicAccessCidrs to your own ranges"
        )
    else:
        known, _ = known_strings(cidrs)
        found = anywhere(known)
        problem = (
            f"the public API endpoint is open to every address ({', '.join(found)}); set "
            "vpcConfig.endpointPublicAccess to false, or publicAccessCidrs to your own ranges"
            if found
            else None
        )
    if problem and isinstance(public, UnknownValueError):
        raise public  # open ranges, but the endpoint may turn out private
    return problem


POLICY = PolicySpec(
    id="aws-eks-endpoint-restricted",
    description="EKS clusters disable the public API endpoint or restrict it to known address ranges.",
    severity="high",
    rationale="A Kubernetes API server open to the internet is one leaked credential or API server flaw away "
    "from a cluster takeover; EKS enables the public endpoint for 0.0.0.0/0 unless told otherwise.",
    remediation="Set `vpc_config.endpoint_public_access=False` with `endpoint_private_access=True` on the "
    "`aws.eks.Cluster`, or keep it public with `vpc_config.public_access_cidrs` listing only your office, VPN "
    "or CI ranges.",
    resource_types=(CLUSTER,),
    check=check,
    controls={NIST: ("AC-3", "SC-7")},
    peers={"checkov": ("CKV_AWS_38",)},
)

"""EC2 instances, launch templates and launch configurations keep the metadata response hop limit at 1."""

# Peers: checkov CKV_AWS_341

from goldenpath.policy import NIST, PolicySpec, get_path

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"


def check(props, config):
    options = get_path(props, "metadataOptions")
    if get_path(options, "httpEndpoint") == "disabled":
        return None  # no metadata service to reach
    limit = get_path(options, "httpPutResponseHopLimit")  # unset: the provider's and AWS's default of 1
    if isinstance(limit, bool) or not isinstance(limit, int | float) or limit <= 1:
        return None
    return (
        f"metadataOptions.httpPutResponseHopLimit is {limit:g}, so containers on the instance (one hop further "
        "away) can fetch its role credentials from the metadata service; set it to 1"
    )


POLICY = PolicySpec(
    id="aws-ec2-metadata-hop-limit",
    description="EC2 instances, launch templates and launch configurations do not raise "
    "metadataOptions.httpPutResponseHopLimit above 1.",
    severity="low",
    rationale="The hop limit is the TTL of the IMDSv2 token response: at 1 only the instance itself gets a token, "
    "at 2 or more so does every container behind a bridge or overlay network on it, and with the token the "
    "instance role's credentials — a compromised pod or task then acts as the node.",
    remediation='Set `metadata_options` with `http_put_response_hop_limit=1` (and `http_tokens="required"`) on the '
    "`aws.ec2.Instance`, `aws.ec2.LaunchTemplate` or `aws.ec2.LaunchConfiguration`; give containers their own "
    "role (ECS task roles, EKS Pod Identity or IRSA) instead of the node's.",
    resource_types=(INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION),
    check=check,
    controls={NIST: ("AC-3", "AC-6")},
    peers={"checkov": ("CKV_AWS_341",)},
)

"""EC2 instances answer metadata requests only with IMDSv2 session tokens."""

from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec, get_path

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"


def check(props, config):
    options = get_path(props, "metadataOptions")
    if options is None and get_path(props, "launchTemplate") is not None:
        return None  # the instance takes its metadata options from its launch template, judged on its own
    if get_path(options, "httpEndpoint") == "disabled":
        return None  # no metadata service at all
    tokens = get_path(options, "httpTokens")
    if tokens == "required":
        return None
    current = repr(tokens) if tokens else "not set"
    return f"metadataOptions.httpTokens is {current}, so IMDSv1 answers; set it to 'required'"


POLICY = PolicySpec(
    id="aws-ec2-imdsv2",
    description="EC2 instances, launch templates and launch configurations require IMDSv2 "
    '(metadataOptions.httpTokens = "required").',
    severity="high",
    rationale="IMDSv1 answers any GET to 169.254.169.254, so a server-side request forgery or an open proxy on "
    "the instance hands out its role credentials; IMDSv2's session token stops that.",
    remediation='Set `metadataOptions={httpTokens: "required", httpPutResponseHopLimit: 1}` on the instance, '
    "launch template or launch configuration (hop limit 2 when containers on the host need the metadata "
    "service).",
    resource_types=(INSTANCE, LAUNCH_CONFIGURATION, LAUNCH_TEMPLATE),
    check=check,
    controls={CIS_AWS: ("5.6",), NIST: ("CM-7", "AC-3"), PCI: ("2.2.5",)},
    peers={"checkov": ("CKV_AWS_79",)},
)

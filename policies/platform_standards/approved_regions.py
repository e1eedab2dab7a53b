"""AWS resources are created only in the regions the platform approves (data residency)."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.conventions import APPROVED_REGIONS
from goldenpath.policy import NIST, PolicySpec

PROVIDER = "pulumi:providers:aws"
_UNKNOWN = object()  # a region not known until apply


def _region(props):
    try:
        return props.get("region")
    except UnknownValueError:
        return _UNKNOWN


def stack_check(resources, config):
    approved = list(config["regions"])
    listed = ", ".join(approved)
    for r in resources:
        is_provider = r.resource_type == PROVIDER
        if not (is_provider or r.resource_type.startswith("aws:")):
            continue
        region = _region(r.props)
        if region is _UNKNOWN or (not region and not is_provider):
            continue  # a resource without its own region is placed by its provider, judged on its own
        if not region:
            message = (
                "the aws provider sets no region, so resources go wherever AWS_REGION points on the machine "
                f"running Pulumi; set aws:region to one of {listed}"
            )
        elif region not in approved:
            where = "the aws provider deploys" if is_provider else "the resource is placed"
            message = f"{where} in {region!r}, which is not an approved region ({listed})"
        else:
            continue
        yield r.urn, message


POLICY = PolicySpec(
    id="platform-approved-regions",
    description="AWS providers and per-resource region settings use only approved regions.",
    severity="high",
    rationale="Where data lives is a legal and contractual matter (GDPR, customer contracts), and every region "
    "in use needs the platform's guardrails (CloudTrail, GuardDuty, Config) switched on there.",
    remediation="Set `aws:region` in Pulumi.<stack>.yaml (or `region` on an explicit aws.Provider, or the "
    "per-resource `region` input of pulumi-aws 7) to an approved region. Ask the platform team to approve a new "
    "region; it is added to this policy's `regions` config.",
    resource_types=(PROVIDER, "aws:*"),
    stack_check=stack_check,
    controls={NIST: ("SA-9(5)",)},
    config_schema={
        "regions": {
            "type": "array",
            "items": {"type": "string"},
            "default": list(APPROVED_REGIONS),
            "description": "AWS regions resources may be created in.",
        }
    },
)

"""AWS resources are created only in the regions the platform approves (data residency)."""

from goldenpath.conventions import APPROVED_REGIONS
from goldenpath.policy import NIST, PolicySpec

PROVIDER = "pulumi:providers:aws"


def check(props, config, resource):
    approved = list(config["regions"])
    listed = ", ".join(approved)
    is_provider = resource.resource_type == PROVIDER
    region = props.get("region")  # a region known only after apply propagates: can't run yet
    if not region and not is_provider:
        return None  # a resource without its own region is placed by its provider, judged on its own
    if not region:
        return (
            "the aws provider sets no region, so resources go wherever AWS_REGION points on the machine "
            f"running Pulumi; set aws:region to one of {listed}"
        )
    if region not in approved:
        where = "the aws provider deploys" if is_provider else "the resource is placed"
        return f"{where} in {region!r}, which is not an approved region ({listed})"
    return None


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
    check=check,
    check_receives_resource=True,
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

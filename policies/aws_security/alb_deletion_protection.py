"""Load balancers cannot be deleted by accident."""

from goldenpath.policy import NIST, PolicySpec, get_path

from ._elb import LOAD_BALANCERS


def check(props, config):
    if not config["required"]:
        return None
    if get_path(props, "enableDeletionProtection") is not True:
        return "load balancer has deletion protection off; set enableDeletionProtection to true"
    return None


POLICY = PolicySpec(
    id="aws-alb-deletion-protection",
    description="Load balancers have deletion protection enabled (where the pack config requires it).",
    severity="low",
    rationale="Deleting a load balancer takes the service offline and gives up its DNS name; deletion "
    "protection turns a stray destroy or replacement into an error instead of an outage.",
    remediation="Set `enable_deletion_protection=True` on the `aws.lb.LoadBalancer` (goldenpath's Service "
    "component exposes it as `deletion_protection`); configure `required: false` for environments that are "
    "torn down routinely.",
    resource_types=LOAD_BALANCERS,
    check=check,
    controls={NIST: ("CM-3",)},
    config_schema={
        "required": {
            "type": "boolean",
            "default": True,
            "description": "Whether load balancers must have deletion protection on.",
        }
    },
    peers={"awsguard": ("elb-deletion-protection-enabled",), "checkov": ("CKV_AWS_150",)},
)

"""RDS databases cannot be deleted by one mistaken change or command."""

# Peers: checkov CKV_AWS_139 (clusters), CKV_AWS_293 (instances), cdk-nag AwsSolutions-RDS10

from goldenpath.policy import NIST, PolicySpec, get_path

from ._rds import CLUSTER, INSTANCE, is_true


def check(props, config):
    if is_true(get_path(props, "deletionProtection")):
        return None
    return (
        "deletionProtection is not true, so a replacement or a destroy deletes the database; set it to true"
    )


POLICY = PolicySpec(
    id="aws-rds-deletion-protection",
    description="RDS instances and clusters have deletion protection enabled.",
    severity="medium",
    rationale="A property change that forces replacement, a `pulumi destroy` on the wrong stack or a stray API "
    "call deletes a database with its automated backups; deletion protection makes that a deliberate two-step act.",
    remediation="Set `deletionProtection: true`; to really delete the database, turn it off in a reviewed change "
    "first.",
    resource_types=(INSTANCE, CLUSTER),
    check=check,
    controls={NIST: ("CP-9", "CM-3")},
    peers={"checkov": ("CKV_AWS_139", "CKV_AWS_293"), "cdk-nag": ("AwsSolutions-RDS10",)},
)

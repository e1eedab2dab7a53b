"""DynamoDB tables cannot be deleted by one mistaken change or command."""

from goldenpath.policy import NIST, PolicySpec, get_path

TABLE = "aws:dynamodb/table:Table"


def _is_true(value):
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _problem(props):
    if _is_true(get_path(props, "deletionProtectionEnabled")):
        return None
    return (
        "deletionProtectionEnabled is not true (it defaults to false), so a replacement or a destroy deletes the "
        "table and its point-in-time backups; set deletionProtectionEnabled: true"
    )


def check(props, config):
    return _problem(props)  # an unknown value raises: the policy can't run until apply


POLICY = PolicySpec(
    id="aws-dynamodb-deletion-protection",
    description="DynamoDB tables have deletion protection enabled.",
    severity="medium",
    rationale="Renaming a table, changing its key schema, a `pulumi destroy` on the wrong stack or a stray "
    "DeleteTable call removes the table with its continuous backups; deletion protection makes that a deliberate "
    "two-step act.",
    remediation="Pass `deletion_protection_enabled=True` to the `aws.dynamodb.Table`; to really delete it, turn "
    "it off in a reviewed change first.",
    resource_types=(TABLE,),
    check=check,
    controls={NIST: ("CP-9", "CM-3")},
)

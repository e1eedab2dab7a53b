"""S3 bucket policies grant nothing to anonymous or arbitrary principals."""

from goldenpath.policy import NIST, PCI, PolicySpec, as_list, get_path

from ._s3 import (
    BUCKET,
    MalformedPolicy,
    has_restricting_condition,
    is_everyone,
    statement_label,
    statements,
)

BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"


def check(props, config):
    document = get_path(props, "policy")
    if document is None or document == "":
        return []
    try:
        found = statements(document)
    except MalformedPolicy as error:
        return [f"bucket policy {error}; give a valid JSON policy document"]
    problems = []
    for i, statement in enumerate(found):
        if statement.get("Effect") != "Allow":
            continue
        if "NotPrincipal" in set(statement):
            grantee = "every principal except those in NotPrincipal"
        elif is_everyone(statement.get("Principal")):
            grantee = 'every principal ("*")'
        else:
            continue
        if has_restricting_condition(statement):
            continue
        actions = (
            ", ".join(str(a) for a in as_list(statement.get("Action") or statement.get("NotAction")))
            or "access"
        )
        problems.append(
            f"bucket policy {statement_label(statement, i)} allows {actions} to {grantee} with no condition on "
            "aws:SourceArn, aws:SourceAccount, aws:SourceVpce or aws:PrincipalOrgID; name the principals or "
            "add such a condition"
        )
    return problems


POLICY = PolicySpec(
    id="aws-s3-no-public-bucket-policy",
    description='No S3 bucket policy allows anyone (Principal "*") without a condition that pins the caller.',
    severity="critical",
    rationale='An Allow for Principal "*" is an open door to the internet unless a condition such as '
    "aws:SourceArn, aws:SourceVpce or aws:PrincipalOrgID limits who can walk through it.",
    remediation="Name the principals that need access (an account, role or service principal) or add a "
    "condition on aws:SourceArn, aws:SourceAccount, aws:SourceVpce or aws:PrincipalOrgID to the statement; "
    "serve public content through CloudFront with origin access control instead of a public bucket.",
    resource_types=(BUCKET, BUCKET_POLICY),
    check=check,
    controls={NIST: ("AC-3", "AC-4", "SC-7"), PCI: ("1.3.1", "1.4.4")},
)

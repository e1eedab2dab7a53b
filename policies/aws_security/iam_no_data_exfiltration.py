"""IAM policies do not allow reading every object, parameter and secret in the account (on Resource "*")."""

from goldenpath.policy import NIST, PCI, PolicySpec

from ._iam import DOCUMENT_HOLDERS, grants_on_all_resources_in

# Peers: checkov CKV_AWS_288 (cloudsplaining's READ_ONLY_DATA_EXFILTRATION_ACTIONS: the first five
# below). Added here: the other actions that return the same data (an object's older versions, a
# parameter's history) and kms:Decrypt, which opens whatever the account's keys encrypt.
EXFILTRATION_ACTIONS: tuple[str, ...] = (
    "s3:GetObject",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "secretsmanager:GetSecretValue",
    "s3:GetObjectVersion",
    "ssm:GetParameterHistory",
    "kms:Decrypt",
)


def check(props, config):
    return grants_on_all_resources_in(
        props,
        EXFILTRATION_ACTIONS,
        "data exfiltration",
        lambda actions: (
            " on every bucket, parameter, secret or key of the account; name the ARNs the principal reads"
        ),
    )


POLICY = PolicySpec(
    id="aws-iam-no-data-exfiltration",
    description='IAM policies do not allow, on every resource ("*"), the read actions that return stored data and '
    "secrets (s3:GetObject, ssm:GetParameter*, secretsmanager:GetSecretValue, kms:Decrypt, …).",
    severity="high",
    rationale='s3:GetObject on "*" reads every bucket of the account, and ssm:GetParameter*, '
    'secretsmanager:GetSecretValue and kms:Decrypt on "*" read every secret: one compromised workload leaks the '
    "data and credentials of every other. Unrestricted s3:GetObject is behind a long history of data leaks.",
    remediation='Replace Resource "*" with the bucket object ARNs (arn:aws:s3:::bucket/prefix/*), parameter and '
    "secret ARNs and KMS key ARNs the principal reads, as the goldenpath Service and Secrets components do, in "
    "the `policy` JSON of aws.iam.Policy / RolePolicy or a Role's `inline_policies`.",
    resource_types=DOCUMENT_HOLDERS,
    check=check,
    controls={NIST: ("AC-6", "AC-3"), PCI: ("7.2.1", "7.2.2")},
    peers={"checkov": ("CKV_AWS_288",)},
)

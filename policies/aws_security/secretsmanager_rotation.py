"""Secrets Manager secrets are rotated automatically."""

# Peers: checkov CKV2_AWS_57, cdk-nag AwsSolutions-SMG4

from fnmatch import fnmatchcase

from goldenpath.policy import NIST, PCI, PolicySpec, get_known

from ._s3 import UNKNOWN, read

SECRET = "aws:secretsmanager/secret:Secret"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"


def stack_check(resources, config):
    secrets = [r for r in resources if r.resource_type == SECRET]
    by_ref: dict[str, str] = {}
    for secret in secrets:
        for path in ("arn", "name"):
            value = read(secret.props, path)
            if isinstance(value, str) and value:
                by_ref[value] = secret.urn
    urns = {s.urn for s in secrets}
    rotated: set[str] = set()
    unresolved = False  # a rotation whose secret is not known yet may rotate any of them
    for rotation in (r for r in resources if r.resource_type == ROTATION):
        linked = {d.urn for d in rotation.property_dependencies.get("secretId", ()) if d.urn in urns}
        value = read(rotation.props, "secretId")
        if isinstance(value, str) and value in by_ref:
            linked.add(by_ref[value])
        rotated |= linked
        if not linked and value is UNKNOWN:
            unresolved = True
    if unresolved:
        return
    patterns = list(config["exemptNamePatterns"])
    for secret in secrets:
        if secret.urn in rotated:
            continue
        name = get_known(secret.props, "name", UNKNOWN)
        if patterns:
            if not isinstance(name, str):
                continue  # a name known only after apply may be one the patterns exempt
            if any(fnmatchcase(name, p) for p in patterns):
                continue
        yield (
            secret.urn,
            "secret has no SecretRotation, so its value lives until someone changes it by hand; add an "
            "aws.secretsmanager.SecretRotation with a rotation function, or exempt it if it cannot be rotated",
        )


POLICY = PolicySpec(
    id="aws-secretsmanager-rotation",
    description="Every Secrets Manager secret has a SecretRotation, unless its name is exempt.",
    severity="low",
    rationale="A secret that never changes stays valid wherever it leaked to (a log line, a laptop, a former "
    "employee); scheduled rotation bounds how long a leaked value is useful. Values issued by a third party "
    "(API keys) often cannot be rotated by a function: exempt them by name or waive them with a reason.",
    remediation="Add an `aws.secretsmanager.SecretRotation` with `secret_id=secret.id`, `rotation_lambda_arn` "
    "(or the managed rotation of an RDS master password, `manage_master_user_password=True` on the database) "
    "and `rotation_rules={'automatically_after_days': 30}`. Secrets that cannot be rotated: list their names in "
    "`exemptNamePatterns` (glob patterns) or tag them with a goldenpath waiver.",
    resource_types=(SECRET, ROTATION),
    stack_check=stack_check,
    controls={NIST: ("IA-5(1)", "SC-12"), PCI: ("8.3.9",)},
    peers={"checkov": ("CKV2_AWS_57",), "cdk-nag": ("AwsSolutions-SMG4",)},
    config_schema={
        "exemptNamePatterns": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "Glob patterns (fnmatch, case-sensitive) of secret names that need no rotation, "
            "such as values a third party issues (`*/stripe-api-key`).",
        }
    },
)

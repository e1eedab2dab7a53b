"""Every KMS key has a key policy written for it, not the one AWS makes up."""

from goldenpath.policy import PolicySpec

from ._managers import UNKNOWN, Targets, read

# Peers: checkov CKV2_AWS_64

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"


def stack_check(resources, config):
    resources = list(resources)
    keys = Targets(resources, KEY, keys=("id", "keyId", "arn"))
    with_policy = set()
    floating = False
    for r in resources:
        if r.resource_type != KEY_POLICY:
            continue
        linked = keys.linked(r, "keyId")
        with_policy.update(linked)
        # An unknown keyId that depends on no key here could still be one of these keys' ids.
        if not linked and read(r.props, "keyId") is UNKNOWN and not r.property_dependencies.get("keyId"):
            floating = True
    for key in keys.resources:
        policy = read(key.props, "policy")
        if policy is UNKNOWN or (isinstance(policy, str) and policy.strip()) or key.urn in with_policy:
            continue
        if floating:
            continue
        yield (
            key.urn,
            "KMS key has no key policy (no policy argument and no aws.kms.KeyPolicy), so AWS gives it the "
            "default one that lets any IAM principal of the account with kms:* permissions use it; set policy "
            "to a key policy naming who may administer and use the key",
        )


POLICY = PolicySpec(
    id="aws-kms-key-policy-defined",
    description="Every customer managed KMS key has a key policy (its policy argument or an aws.kms.KeyPolicy).",
    severity="low",
    rationale="A key created without a policy gets AWS's default key policy, which delegates all access to IAM: "
    "any principal of the account whose identity policy allows kms:* on * can use and administer the key. A key "
    "policy written for the key names who may administer it and which services and roles may use it, so an "
    "over-broad IAM policy elsewhere does not open the key.",
    remediation="Pass `policy=` (a JSON key policy) to the `aws.kms.Key`, or add an `aws.kms.KeyPolicy` with "
    "`key_id=key.id`; goldenpath's components build their key policies with `components.aws._kms.key_policy`.",
    resource_types=(KEY, KEY_POLICY),
    stack_check=stack_check,
    peers={"checkov": ("CKV2_AWS_64",)},
)

"""ECR repositories encrypt images with a KMS key."""

from goldenpath.policy import NIST, PolicySpec, as_list, get_path

REPOSITORY = "aws:ecr/repository:Repository"


def check(props, config):
    types = [get_path(c, "encryptionType") for c in as_list(get_path(props, "encryptionConfigurations"))]
    if types and all(isinstance(t, str) and t.startswith("KMS") for t in types):
        return None
    current = repr(types[0]) if types and types[0] else "not set (AES256)"
    return f"encryptionType is {current}; set encryptionConfigurations encryptionType to KMS with a kmsKey"


POLICY = PolicySpec(
    id="aws-ecr-kms-encryption",
    description="ECR repositories encrypt images with KMS (encryptionType KMS).",
    severity="low",
    rationale="KMS encryption puts access to image layers under a key policy and into CloudTrail, so reading "
    "an image needs the key as well as ECR permissions.",
    remediation="Set `encryptionConfigurations=[{encryptionType: KMS, kmsKey: <key ARN>}]` (the goldenpath Ci "
    "component creates a rotating key for it). Encryption is fixed at creation: the repository is replaced.",
    resource_types=(REPOSITORY,),
    check=check,
    controls={NIST: ("SC-28", "SC-12")},
    peers={"checkov": ("CKV_AWS_136",)},
)

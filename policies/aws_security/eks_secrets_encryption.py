"""EKS clusters envelope-encrypt Kubernetes secrets with a customer managed KMS key."""

from collections.abc import Sequence

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, as_list, get_path

# Peers: checkov CKV_AWS_58

CLUSTER = "aws:eks/cluster:Cluster"

_FIX = 'set encryptionConfig with resources ["secrets"] and provider.keyArn a KMS key ARN'


def check(props, config):
    encryption = get_path(props, "encryptionConfig")  # unknown: may be absent, can't run until apply
    if encryption is None:
        return f"Kubernetes secrets are not encrypted with a key you control; {_FIX}"
    covered = _covers_secrets(encryption)
    if covered is False:
        return f"encryptionConfig does not cover secrets; {_FIX}"
    try:
        key = get_path(encryption, "provider.keyArn")
    except UnknownValueError:
        key = True  # a key ARN known after apply is a key that is set
    if not key:
        return f"encryptionConfig names no KMS key; {_FIX}"
    if isinstance(covered, UnknownValueError):
        raise covered  # the resources known after apply may leave secrets out
    return None


def _covers_secrets(encryption):
    """Whether encryptionConfig.resources names secrets; the error when that is unknown until apply."""
    try:
        resources = get_path(encryption, "resources")
    except UnknownValueError as error:
        return error
    if not isinstance(resources, Sequence) or isinstance(resources, str):
        resources = as_list(resources)
    unknown = None
    for index in range(len(resources)):  # element by element: an unknown one raises only when read
        try:
            if resources[index] == "secrets":
                return True
        except UnknownValueError as error:
            unknown = unknown or error
    return unknown or False


POLICY = PolicySpec(
    id="aws-eks-secrets-encryption",
    description="EKS clusters envelope-encrypt Kubernetes secrets with a KMS key (encryptionConfig).",
    severity="medium",
    rationale="EKS encrypts its etcd volumes, and newer clusters envelope-encrypt API data with an AWS owned "
    "key; a customer managed key adds a key policy, CloudTrail records of every decrypt, and the option to "
    "revoke access to every secret at once.",
    remediation='Set `encryption_config` on the `aws.eks.Cluster` with `resources=["secrets"]` and '
    "`provider.key_arn` a customer managed `aws.kms.Key` (with rotation on); it cannot be removed once set.",
    resource_types=(CLUSTER,),
    check=check,
    controls={NIST: ("SC-12", "SC-28")},
    peers={"checkov": ("CKV_AWS_58",)},
)

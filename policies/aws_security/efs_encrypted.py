"""EFS file systems encrypt their data at rest."""

from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec, get_path

FILE_SYSTEM = "aws:efs/fileSystem:FileSystem"

# Peers: checkov CKV_AWS_42, cdk-nag AwsSolutions-EFS1
# (awsguard efs-encrypted requires a kmsKeyId, a stricter rule.)


def _problem(props):
    encrypted = get_path(props, "encrypted")
    if encrypted is True or (isinstance(encrypted, str) and encrypted.lower() == "true"):
        return None
    return (
        "file system data and metadata are stored unencrypted (encrypted is not true; the API default is false); "
        "set encrypted: true and kmsKeyId to a customer managed key"
    )


def check(props, config):
    return _problem(props)  # an unknown flag may be false: it raises, the policy can't run until apply


POLICY = PolicySpec(
    id="aws-efs-encrypted",
    description="EFS file systems are encrypted at rest (encrypted: true).",
    severity="high",
    rationale="An EFS file system created through the API without `encrypted` stores files and metadata "
    "unencrypted, and encryption can only be chosen at creation: fixing it means a new file system and a copy.",
    remediation="Pass `encrypted=True` and `kms_key_id=key.arn` (a customer managed `aws.kms.Key`; without it "
    "the AWS managed key aws/elasticfilesystem is used) to the `aws.efs.FileSystem`.",
    resource_types=(FILE_SYSTEM,),
    check=check,
    controls={CIS_AWS: ("2.4.1",), NIST: ("SC-28",), PCI: ("3.5.1",)},
    peers={"checkov": ("CKV_AWS_42",), "cdk-nag": ("AwsSolutions-EFS1",)},
)

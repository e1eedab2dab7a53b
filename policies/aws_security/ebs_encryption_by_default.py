"""A stack does not turn off EBS encryption by default for its region."""

from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec, get_path

# Peers: checkov CKV_AWS_106

ENCRYPTION_BY_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"


def check(props, config):
    # provider default: true; an unknown value may be false, so the policy can't run until apply
    enabled = get_path(props, "enabled", True)
    if enabled is False:
        return "this turns EBS encryption by default off for the region; set enabled to true (or remove it)"
    return None


POLICY = PolicySpec(
    id="aws-ebs-encryption-by-default",
    description="aws.ebs.EncryptionByDefault is not declared with enabled false (an explicit opt-out).",
    severity="high",
    rationale="EBS encryption by default makes every new volume and snapshot copy in the region encrypted, "
    "whatever the program creating it says; turning it off lets any later volume be created readable by "
    "whoever can copy or share its snapshots.",
    remediation="Declare `aws.ebs.EncryptionByDefault` with `enabled=True` (the default) in every region used, "
    "optionally with `aws.ebs.DefaultKmsKey` naming a customer managed key.",
    resource_types=(ENCRYPTION_BY_DEFAULT,),
    check=check,
    controls={CIS_AWS: ("2.2.1",), NIST: ("SC-28",), PCI: ("3.5.1",)},
    peers={"checkov": ("CKV_AWS_106",)},
)

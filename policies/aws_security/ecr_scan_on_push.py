"""ECR repositories scan every pushed image for known vulnerabilities."""

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

REPOSITORY = "aws:ecr/repository:Repository"


def check(props, config):
    if get_path(props, "imageScanningConfiguration.scanOnPush") is True:
        return None
    return "images are not scanned on push; set imageScanningConfiguration.scanOnPush to true"


def remediate(props, config):
    if get_path(props, "imageScanningConfiguration.scanOnPush") is True:
        return None
    fixed = dict(props)
    fixed["imageScanningConfiguration"] = {"scanOnPush": True}
    return fixed


POLICY = PolicySpec(
    id="aws-ecr-scan-on-push",
    description="ECR repositories scan images on push.",
    severity="medium",
    rationale="Scanning on push reports known CVEs in an image before it is deployed, while fixing it is a "
    "rebuild rather than an incident.",
    remediation="Set `imageScanningConfiguration.scanOnPush = true` on the repository (the goldenpath Ci component "
    "does), or enable enhanced scanning for the registry with aws.ecr.RegistryScanningConfiguration and waive "
    "this policy with that reason.",
    resource_types=(REPOSITORY,),
    check=check,
    remediate=remediate,
    controls={NIST: ("RA-5", "SI-2"), PCI: ("6.3.1", "6.3.3")},
    peers={"checkov": ("CKV_AWS_163",)},
)

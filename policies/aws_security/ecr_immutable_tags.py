"""ECR image tags are immutable, so a deployed tag always means the same image."""

from goldenpath.policy import NIST, PolicySpec, get_path

REPOSITORY = "aws:ecr/repository:Repository"
IMMUTABLE = "IMMUTABLE"


def check(props, config):
    mutability = get_path(props, "imageTagMutability")
    if mutability == IMMUTABLE:
        return None
    if mutability == "IMMUTABLE_WITH_EXCLUSION":
        return (
            "tags matching imageTagMutabilityExclusionFilters can be overwritten; "
            f"set imageTagMutability to {IMMUTABLE} with no exclusions"
        )
    current = repr(mutability) if mutability else "not set (MUTABLE)"
    return f"imageTagMutability is {current}; set it to {IMMUTABLE}"


POLICY = PolicySpec(
    id="aws-ecr-immutable-tags",
    description="ECR repositories make image tags immutable.",
    severity="medium",
    rationale="With mutable tags, anyone who can push can replace the image behind a tag that is already "
    "deployed or approved, and the next task start runs it unreviewed.",
    remediation=f'Set `imageTagMutability = "{IMMUTABLE}"` (the goldenpath Ci component does) and '
    "deploy by a unique tag such as the commit SHA.",
    resource_types=(REPOSITORY,),
    check=check,
    controls={NIST: ("SI-7", "CM-3")},
    peers={"checkov": ("CKV_AWS_51",)},
)

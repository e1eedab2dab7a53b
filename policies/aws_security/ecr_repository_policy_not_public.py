"""ECR repository (and registry) policies grant nothing to every principal without a pinning condition."""

from goldenpath.policy import NIST, PCI, PolicySpec

from ._principals import public_policy_problems

REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
REGISTRY_POLICY = "aws:ecr/registryPolicy:RegistryPolicy"

# Peers: checkov CKV_AWS_32, cdk-nag AwsSolutions-ECR1


def check(props, config, resource):
    owner = (
        "aws.ecr.RegistryPolicy" if resource.resource_type == REGISTRY_POLICY else "aws.ecr.RepositoryPolicy"
    )
    return public_policy_problems(props, "policy", "repository policy", f"`policy` of the {owner}")


POLICY = PolicySpec(
    id="aws-ecr-repository-policy-not-public",
    description='No ECR repository or registry policy allows every principal ("*") without a condition that '
    "pins the caller.",
    severity="critical",
    rationale='An Allow for Principal "*" lets a principal of any AWS account pull the images (and whatever '
    "code and configuration they carry), or push over them, unless a condition such as aws:PrincipalOrgID "
    "ties the caller to an owner.",
    remediation="In `policy` of the `aws.ecr.RepositoryPolicy` (or `aws.ecr.RegistryPolicy`) name the accounts "
    'or roles that pull (`{"AWS": "arn:aws:iam::<account>:root"}`) instead of "*", or add a condition on '
    "aws:PrincipalOrgID or aws:PrincipalAccount with fixed values; publish public images to ECR Public.",
    resource_types=(REPOSITORY_POLICY, REGISTRY_POLICY),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("AC-3", "AC-6"), PCI: ("7.2.1",)},
    peers={"checkov": ("CKV_AWS_32",), "cdk-nag": ("AwsSolutions-ECR1",)},
)

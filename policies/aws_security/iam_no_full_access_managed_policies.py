"""No IAM principal gets an AWS managed "*FullAccess" policy: every action of a service on all its resources."""

from goldenpath.policy import NIST, PCI, PolicySpec

from ._iam import ATTACHMENTS, attached_arns, aws_managed_policy
from .iam_no_admin_policy import ADMIN_MANAGED_POLICIES

# Peers: none check this class (cdk-nag AwsSolutions-IAM4 flags every AWS managed policy).


def _full_access(name):
    # AmazonS3FullAccess, AmazonECS_FullAccess, AWSLambda_FullAccess; AdministratorAccess-Amplify and
    # AdministratorAccess-AWSElasticBeanstalk are a service's whole control plane too.
    return name.endswith("FullAccess") or name.startswith("AdministratorAccess-")


def check(props, config, resource):
    prop, arns = attached_arns(props, resource.resource_type)
    for arn in arns:
        managed = aws_managed_policy(arn)
        if managed is None:
            continue
        path, name = managed
        # aws-service-role/ policies can only be attached to service-linked roles, which AWS creates.
        if path.startswith("aws-service-role/") or name in ADMIN_MANAGED_POLICIES or not _full_access(name):
            continue
        yield (
            f"{prop} attaches {arn}, every action of the service on all of its resources in the account; attach "
            "a policy with the specific actions on the specific resource ARNs the principal uses"
        )


POLICY = PolicySpec(
    id="aws-iam-no-full-access-managed-policies",
    description='No IAM role, user or group gets an AWS managed "*FullAccess" policy (AmazonS3FullAccess, '
    "AmazonECS_FullAccess, …) attached.",
    severity="medium",
    rationale="A FullAccess managed policy grants every action of a service on every resource of the account: a "
    "workload that needs one bucket can read, rewrite and delete every bucket, and a compromised task takes the "
    "whole service with it. AWS updates these policies, so what they grant grows without a change in the stack.",
    remediation="Replace the attachment (`policy_arn` of RolePolicyAttachment, `managed_policy_arns` of Role) with "
    "an inline or customer managed policy naming the actions and resource ARNs the principal uses (the goldenpath "
    "Service and Ci components write such policies).",
    resource_types=tuple(ATTACHMENTS),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("AC-6",), PCI: ("7.2.1", "7.2.2")},
)

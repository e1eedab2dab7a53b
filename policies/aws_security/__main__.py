from pulumi_policy import EnforcementLevel, PolicyPack

from goldenpath.policy import pack_policies

PolicyPack(
    name="goldenpath-aws-security",
    policies=pack_policies("goldenpath.policies.aws_security"),
    enforcement_level=EnforcementLevel.ADVISORY,
    description="goldenpath AWS security baseline",
    provider="aws",
)

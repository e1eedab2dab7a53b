from pulumi_policy import EnforcementLevel, PolicyPack

from goldenpath.policy import pack_policies

PolicyPack(
    name="goldenpath-platform-standards",
    policies=pack_policies("goldenpath.policies.platform_standards"),
    enforcement_level=EnforcementLevel.ADVISORY,
    description="goldenpath platform standards",
)

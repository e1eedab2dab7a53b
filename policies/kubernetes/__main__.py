from pulumi_policy import EnforcementLevel, PolicyPack

from goldenpath.policy import pack_policies

PolicyPack(
    name="goldenpath-kubernetes",
    policies=pack_policies("goldenpath.policies.kubernetes"),
    enforcement_level=EnforcementLevel.ADVISORY,
    description="goldenpath Kubernetes baseline",
    provider="kubernetes",
)

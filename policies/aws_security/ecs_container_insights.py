"""ECS clusters publish Container Insights metrics, so failing tasks are visible."""

from goldenpath.policy import NIST, PolicySpec, as_list, get_path

CLUSTER = "aws:ecs/cluster:Cluster"
SETTING = "containerInsights"
ON = ("enabled", "enhanced")


def check(props, config):
    values = [
        get_path(s, "value") for s in as_list(get_path(props, "settings")) if get_path(s, "name") == SETTING
    ]
    if any(v in ON for v in values):
        return None
    current = f"is {values[-1]!r}" if values else "is not set"
    return f"containerInsights {current}; add the setting containerInsights = enabled (or enhanced)"


def remediate(props, config):
    if check(props, config) is None:
        return None
    others = [s for s in as_list(get_path(props, "settings")) if get_path(s, "name") != SETTING]
    fixed = dict(props)
    fixed["settings"] = [*others, {"name": SETTING, "value": "enabled"}]
    return fixed


POLICY = PolicySpec(
    id="aws-ecs-container-insights",
    description="ECS clusters have Container Insights enabled (enabled or enhanced).",
    severity="low",
    rationale="Container Insights gives per-task CPU, memory, restart and network metrics; without them a "
    "crash-looping or starved service is found by its users first.",
    remediation="Add `settings=[{name: containerInsights, value: enabled}]` to the cluster (the goldenpath Service "
    "component does).",
    resource_types=(CLUSTER,),
    check=check,
    remediate=remediate,
    controls={NIST: ("SI-4", "AU-12")},
    peers={"cdk-nag": ("AwsSolutions-ECS4",), "checkov": ("CKV_AWS_65",)},
)

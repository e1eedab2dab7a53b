"""Cloud resources come from goldenpath components, so they get the platform's defaults and upgrades."""

from goldenpath.policy import NIST, PolicySpec

GOLDENPATH_PREFIX = "goldenpath:"
# Kubernetes component resources; the resources they create are judged instead.
KUBERNETES_COMPONENTS = frozenset(
    {
        "kubernetes:yaml:ConfigFile",
        "kubernetes:yaml:ConfigGroup",
        "kubernetes:yaml/v2:ConfigFile",
        "kubernetes:yaml/v2:ConfigGroup",
        "kubernetes:helm.sh/v3:Chart",
        "kubernetes:helm.sh/v4:Chart",
        "kubernetes:kustomize:Directory",
        "kubernetes:kustomize/v2:Directory",
    }
)
# Which goldenpath building block makes each kind of AWS resource, by provider module (and type).
_AWS_COMPONENT_BY_TYPE = {
    "aws:cloudwatch/logGroup:LogGroup": "Logging",
    "aws:ec2/securityGroup:SecurityGroup": "Service",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "Ci",
}
_AWS_COMPONENT_BY_MODULE = {
    "ecs": "Service",
    "lb": "Service",
    "alb": "Service",
    "appautoscaling": "Service",
    "vpc": "Service",
    "s3": "Service",
    "ecr": "Ci",
    "ec2": "Network",
    "cloudwatch": "Monitoring",
    "sns": "Monitoring",
    "secretsmanager": "Secrets",
}
_K8S_COMPONENT_BY_GROUP = {
    "external-secrets.io": "Secrets",
    "monitoring.coreos.com": "Monitoring",
    "keda.sh": "QueueScaling",
}
_K8S_COMPONENT_BY_TYPE = {
    "kubernetes:core/v1:Secret": "Secrets",
    "kubernetes:batch/v1:CronJob": "ScheduledJob",
}
# The blueprint that uses a component, where it is not K8sService.
_K8S_BLUEPRINT_BY_COMPONENT = {"QueueScaling": "K8sWorker", "ScheduledJob": "K8sScheduledJob"}
_AWS_BLUEPRINT = "the WebService blueprint (goldenpath.blueprints.WebService)"


def type_chain(urn):
    """The types of a resource's ancestors and itself: the URN part between its 2nd and 3rd '::'."""
    parts = urn.split("::")
    return parts[2].split("$") if len(parts) >= 4 else []


def _module(resource_type):
    """``aws:ecs/service:Service`` → ``ecs``; ``kubernetes:apps/v1:Deployment`` → ``apps``."""
    parts = resource_type.split(":")
    return parts[1].split("/")[0] if len(parts) == 3 else ""


def _suggestion(resource_type):
    module = _module(resource_type)
    if resource_type.startswith("kubernetes:"):
        component = _K8S_COMPONENT_BY_TYPE.get(resource_type) or _K8S_COMPONENT_BY_GROUP.get(
            module, "Workload"
        )
        blueprint = _K8S_BLUEPRINT_BY_COMPONENT.get(component, "K8sService")
        return (
            f"use the {blueprint} blueprint (goldenpath.blueprints.{blueprint}) or the "
            f"goldenpath:k8s:{component} component"
        )
    component = _AWS_COMPONENT_BY_TYPE.get(resource_type) or _AWS_COMPONENT_BY_MODULE.get(module)
    if component is None:
        return f"use {_AWS_BLUEPRINT}, or ask the platform team for a component that covers it"
    return f"use {_AWS_BLUEPRINT} or the goldenpath:aws:{component} component"


def check(props, config, resource):
    t = resource.resource_type
    if t in KUBERNETES_COMPONENTS:
        return None
    if any(part.startswith(GOLDENPATH_PREFIX) for part in type_chain(resource.urn)):
        return None
    return f"{t} is created outside any goldenpath component; {_suggestion(t)}"


POLICY = PolicySpec(
    id="platform-golden-path-adoption",
    description="AWS and Kubernetes resources are created inside a goldenpath component or blueprint "
    "(a goldenpath: type in their URN's type chain).",
    severity="low",
    rationale="A resource written by hand misses the defaults the platform decided once (encryption, logging, "
    "tags, least privilege) and every later improvement to them; counting such resources measures how much of "
    "the estate the golden path covers and where a component is missing.",
    remediation="Replace the hand-written resource with the goldenpath blueprint or component that creates it; "
    "if none fits, tell the platform team so one can be built. A resource the golden path does not cover yet can "
    "carry a waiver: the tag (AWS) goldenpath:waiver:platform-golden-path-adoption or the annotation (Kubernetes) "
    "waiver.goldenpath.dev/platform-golden-path-adoption.",
    resource_types=("aws:*", "kubernetes:*"),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("CM-2",)},
)

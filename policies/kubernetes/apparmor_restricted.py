"""Containers run under the runtime's default or a node-local AppArmor profile, never unconfined."""

# Peers: kyverno restrict-apparmor-profiles

from collections.abc import Mapping

from goldenpath.policy import NIST, PSS, PolicySpec, get_path

from ._pod import WORKLOAD_TYPES, pod_spec, pod_template, security_contexts

ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
ALLOWED_TYPES = ("RuntimeDefault", "Localhost")


def _annotation_allowed(value) -> bool:
    return isinstance(value, str) and (value == "runtime/default" or value.startswith("localhost/"))


def check(props, config):
    template = pod_template(props)
    annotations = get_path(template, "metadata.annotations") if template is not None else None
    if isinstance(annotations, Mapping):
        for key in [k for k in annotations if k.startswith(ANNOTATION_PREFIX)]:
            value = annotations[key]  # read only these: another annotation may be unknown until apply
            if not _annotation_allowed(value):
                yield (
                    f"pod annotation {key} is {value}; use runtime/default or localhost/<profile> (or "
                    "securityContext.appArmorProfile.type RuntimeDefault)"
                )
    for label, context in security_contexts(pod_spec(props)):
        profile_type = get_path(context, "appArmorProfile.type")
        if profile_type is not None and profile_type not in ALLOWED_TYPES:
            yield f"{label} sets appArmorProfile.type {profile_type}; use RuntimeDefault or Localhost"


POLICY = PolicySpec(
    id="k8s-apparmor-restricted",
    description="No pod or container overrides AppArmor to Unconfined (or any profile but RuntimeDefault or Localhost).",
    severity="high",
    rationale="On AppArmor nodes the runtime's default profile keeps a container from writing /proc and /sys "
    "and from mounting file systems; Unconfined removes that layer, which the Pod Security Standards forbid "
    "from the baseline level up.",
    remediation='Set `app_armor_profile=AppArmorProfileArgs(type="RuntimeDefault")` (or `Localhost` with '
    "`localhost_profile`) on the pod's `PodSecurityContextArgs`, or leave it unset; drop "
    "`container.apparmor.security.beta.kubernetes.io/*` annotations other than runtime/default or localhost/*.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={PSS: ("AppArmor",), NIST: ("AC-6", "SC-39")},
    peers={"kyverno": ("restrict-apparmor-profiles",)},
)

"""Containers whose image is a mutable tag pull it on every start."""

# Peers: checkov CKV_K8S_15, kyverno imagepullpolicy-always

from goldenpath.policy import NIST, PolicySpec, get_known, get_path

from ._pod import WORKLOAD_TYPES, image_parts, workload_containers


def check(props, config):
    for label, container in workload_containers(props):
        image = get_known(container, "image")
        if not isinstance(image, str) or not image:
            continue  # not known until apply, or missing (the API server says so)
        _, tag, digest = image_parts(image)
        if digest:
            continue  # a digest names one image: any pull policy runs exactly it
        policy = get_path(container, "imagePullPolicy")
        # The API server's default: Always for latest or no tag, IfNotPresent for any other tag.
        effective = policy or ("Always" if tag in (None, "latest") else "IfNotPresent")
        if effective != "Always":
            given = f"imagePullPolicy {policy}" if policy else "no imagePullPolicy (so IfNotPresent)"
            yield (
                f'{label} runs the tag "{image}" with {given}: a node keeps whatever that tag meant when it '
                "first pulled it; set imagePullPolicy Always or pin the image by digest"
            )


POLICY = PolicySpec(
    id="k8s-image-pull-policy",
    description="A container whose image is not pinned by digest sets imagePullPolicy Always.",
    severity="low",
    rationale="With IfNotPresent a node runs its cached copy of a tag: after a tag is re-pushed, pods of one "
    "Deployment run different code depending on their node, and a pod can start an image its registry "
    "credentials (imagePullSecrets) no longer grant.",
    remediation='Set `image_pull_policy="Always"` on every `pulumi_kubernetes.core.v1.ContainerArgs` whose '
    "image is a tag, or reference the image as `repository@sha256:<digest>`; goldenpath's `Workload` "
    "component pulls Always.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={NIST: ("CM-2", "SI-7")},
    peers={"checkov": ("CKV_K8S_15",), "kyverno": ("imagepullpolicy-always",)},
)

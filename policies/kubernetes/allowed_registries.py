"""Containers pull images only from the registries the platform trusts."""

# Peers: kyverno restrict-image-registries, allowed-image-repos

from goldenpath.policy import NIST, PolicySpec, get_known

from ._pod import WORKLOAD_TYPES, workload_containers


def _explicit_registry(image: str) -> bool:
    # A first path segment with a '.' or ':' (or localhost) is a registry host; otherwise the runtime
    # resolves the name through its own default (docker.io, or the node's short-name aliases).
    first, slash, _ = image.partition("/")
    return bool(slash) and ("." in first or ":" in first or first == "localhost")


def _allowed(image: str, prefix: str) -> bool:
    prefix = prefix.rstrip("/")
    return image == prefix or image.startswith((f"{prefix}/", f"{prefix}:", f"{prefix}@"))


def check(props, config):
    allowed = [p for p in config["allowedRegistries"] if isinstance(p, str) and p.strip("/")]
    for label, container in workload_containers(props):
        image = get_known(container, "image")
        if not isinstance(image, str) or not image:
            continue  # not known until apply, or missing (the API server says so)
        if allowed:
            if not any(_allowed(image, p) for p in allowed):
                yield f'{label} image "{image}" is not from an allowed registry ({", ".join(allowed)})'
        elif not _explicit_registry(image):
            yield (
                f'{label} image "{image}" names no registry, so the node resolves it (docker.io by default); '
                "write the registry host, e.g. ghcr.io/acme/app:1.2.3, and configure allowedRegistries"
            )


POLICY = PolicySpec(
    id="k8s-allowed-registries",
    description="Container images come from the configured registries (allowedRegistries); with none "
    "configured, every image at least names its registry host.",
    severity="medium",
    rationale="An image from an unvetted registry skips the scanning, signing and retention the company's "
    "registry applies; a name without a registry host is resolved by each node (docker.io, or a short-name "
    "alias), so what runs depends on node configuration and on typo-squatted public names.",
    remediation="Reference images as `<registry-host>/<repository>:<tag>` (or `@sha256:<digest>`) in the "
    "`image` of every `pulumi_kubernetes.core.v1.ContainerArgs`, and configure this policy's "
    '`allowedRegistries` with the company\'s registries, e.g. `["123456789012.dkr.ecr.eu-west-1.amazonaws.com", '
    '"ghcr.io/acme"]`.',
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={NIST: ("CM-7(5)", "SR-3")},
    config_schema={
        "allowedRegistries": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "Registry hosts or repository prefixes (ghcr.io/acme) images may come from; a prefix "
            "matches at a '/' boundary. Empty: any registry, as long as the image names it.",
        }
    },
    peers={"kyverno": ("restrict-image-registries", "allowed-image-repos")},
)

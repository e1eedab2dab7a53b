"""Containers run a named image version, not whatever a mutable tag points to today."""

# Peers: checkov CKV_K8S_14, kyverno disallow-latest-tag

from goldenpath.policy import NIST, PolicySpec, get_path

from ._pod import WORKLOAD_TYPES, workload_containers


def _tag(image: str) -> str | None:
    # The tag follows the last ':' of the last path segment: "registry:5000/app" has no tag.
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def check(props, config):
    for label, container in workload_containers(props):
        image = get_path(container, "image")
        if not isinstance(image, str) or not image:
            continue  # no image: the workload controller or the API server will say so
        if "@" in image:
            continue  # pinned by digest
        if config["requireDigest"]:
            yield f'{label} image "{image}" is not pinned by digest; use image@sha256:<digest>'
            continue
        tag = _tag(image)
        if tag is None:
            yield f'{label} image "{image}" has no tag and runs "latest"; pin a version tag or a digest'
        elif tag == "latest":
            yield f'{label} image "{image}" uses the mutable tag "latest"; pin a version tag or a digest'


POLICY = PolicySpec(
    id="k8s-image-tag-pinned",
    description="Container images are pinned to a version tag or a digest, never latest or untagged.",
    severity="high",
    rationale="An untagged or `latest` image changes under a running workload: a node restart or a rollback "
    "then runs code nobody reviewed, and no one can tell which version ran when.",
    remediation="Reference every image as `repository:<version>` (from a registry with immutable tags) or "
    "`repository@sha256:<digest>`; goldenpath's `Workload` component accepts nothing else. Set this policy's "
    "`requireDigest` to true to accept digests only.",
    resource_types=WORKLOAD_TYPES,
    check=check,
    controls={NIST: ("CM-2", "SI-7")},
    config_schema={
        "requireDigest": {
            "type": "boolean",
            "default": False,
            "description": "Accept only images pinned by digest (image@sha256:…), not version tags.",
        }
    },
    peers={"checkov": ("CKV_K8S_14",), "kyverno": ("disallow-latest-tag",)},
)

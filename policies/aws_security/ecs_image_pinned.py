"""ECS containers run an image pinned by a tag other than latest (or, when required, by digest)."""

from goldenpath.policy import NIST, PolicySpec

from ._containers import TASK_DEFINITION, MalformedDefinitions, image_reference, known, known_containers, name

# Peers: none for ECS (checkov CKV_K8S_14 / CKV_K8S_43 check the same for Kubernetes pods).


def _problem(image, require_digest):
    tag, digest = image_reference(image)
    if digest:
        return None
    if require_digest:
        return "is not pinned by digest (@sha256:…)"
    if tag is None:
        return "has no tag, so it runs whatever ':latest' is at each start"
    if tag.lower() == "latest":
        return "uses the mutable ':latest' tag"
    return None


def check(props, config):
    try:
        found = known_containers(props)
    except MalformedDefinitions as error:
        return [f"{error}; the container images cannot be checked"]
    messages = []
    for index, container in enumerate(found):
        image = known(container, "image")
        if not isinstance(image, str) or not image.strip():
            continue  # ECS rejects a container without an image; an unknown one is judged at apply
        problem = _problem(image.strip(), config["requireDigest"])
        if problem:
            messages.append(
                f"{name(container, index)} image {image!r} {problem}; pin it to a release tag such as "
                "'<repository>:1.4.2' or to '<repository>@sha256:<digest>'"
            )
    return messages


POLICY = PolicySpec(
    id="aws-ecs-image-pinned",
    description="ECS container images are pinned: a tag other than latest, or a sha256 digest when requireDigest "
    "is set.",
    severity="medium",
    rationale="An untagged or ':latest' image changes under a running service: a task replaced at 3 a.m. starts "
    "code nobody reviewed or deployed, a rollback does not roll back, and a pushed malicious image runs "
    "everywhere at the next scale-out. A digest also survives a tag being moved.",
    remediation="Set each container definition's `image` to '<registry>/<repository>:<release tag>' (the goldenpath "
    "Service component refuses ':latest' and untagged images) or to '@sha256:<digest>', and make the ECR "
    "repository's tags immutable.",
    resource_types=(TASK_DEFINITION,),
    check=check,
    controls={NIST: ("CM-2", "SI-7")},
    config_schema={
        "requireDigest": {
            "type": "boolean",
            "default": False,
            "description": "Require every image to be pinned by a sha256 digest, not only by a tag.",
        }
    },
)

"""CloudFront distributions never serve viewers over plain HTTP."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, get_path, note_unknown

from ._iam import known_items

# Peers: checkov CKV_AWS_34

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


def _behaviors(props):
    """``(label, behavior)`` for the default cache behavior and every known ordered one."""
    try:
        default = get_path(props, "defaultCacheBehavior")
    except UnknownValueError as error:
        note_unknown(error)
        default = None
    if default is not None:
        yield "the default cache behavior", default
    try:
        ordered = get_path(props, "orderedCacheBehaviors")
    except UnknownValueError as error:
        note_unknown(error)
        ordered = None
    for index, behavior in enumerate(known_items(ordered)):
        try:
            pattern = get_path(behavior, "pathPattern")
        except UnknownValueError:
            pattern = None
        yield (f"cache behavior {pattern!r}" if pattern else f"ordered cache behavior #{index + 1}"), behavior


def check(props, config):
    for label, behavior in _behaviors(props):
        try:
            policy = get_path(behavior, "viewerProtocolPolicy")
        except UnknownValueError as error:
            note_unknown(error)  # may be allow-all; still judge the other behaviors
            continue
        if policy == "allow-all":
            yield (
                f"{label} serves plain HTTP (viewerProtocolPolicy allow-all); set viewerProtocolPolicy to "
                "redirect-to-https or https-only"
            )


POLICY = PolicySpec(
    id="aws-cloudfront-https-only",
    description="No CloudFront cache behavior lets viewers use plain HTTP (viewerProtocolPolicy allow-all).",
    severity="high",
    rationale="With allow-all, content and cookies travel in clear text between the viewer and the edge and can "
    "be read or altered on any network along the way.",
    remediation='Set `viewer_protocol_policy="redirect-to-https"` (or `"https-only"`) on the '
    "`default_cache_behavior` and every `ordered_cache_behaviors` entry of the `aws.cloudfront.Distribution`.",
    resource_types=(DISTRIBUTION,),
    check=check,
    controls={NIST: ("SC-8",), PCI: ("4.2.1",)},
    peers={"checkov": ("CKV_AWS_34",)},
)

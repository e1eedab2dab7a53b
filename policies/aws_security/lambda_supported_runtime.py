"""Lambda functions run on a runtime AWS still supports (one that gets security patches)."""

from goldenpath.policy import NIST, PCI, PolicySpec, as_list, get_path

from ._runtimes import DEPRECATED_RUNTIMES

# Peers: checkov CKV_AWS_363 (cdk-nag AwsSolutions-L1 asks for the *latest* runtime, a different rule).

FUNCTION = "aws:lambda/function:Function"


def check(props, config):
    # An unknown packageType or runtime propagates: the engine says the policy can't run yet.
    if get_path(props, "packageType") == "Image":
        return None  # a container image brings its own runtime; there is none to judge here
    runtime = get_path(props, "runtime")
    if not isinstance(runtime, str):
        return None  # no runtime: an image function, or one the provider will reject
    extra = {str(r) for r in as_list(config.get("extraDeprecatedRuntimes"))}
    if runtime in DEPRECATED_RUNTIMES:
        since = DEPRECATED_RUNTIMES[runtime].isoformat()
        return f"runtime {runtime} was deprecated by AWS on {since} and gets no security patches; set runtime to a supported one"
    if runtime in extra:
        return (
            f"runtime {runtime} is listed as deprecated in this pack's config; set runtime to a supported one"
        )
    return None


POLICY = PolicySpec(
    id="aws-lambda-supported-runtime",
    description="Lambda functions do not use a runtime AWS has deprecated.",
    severity="high",
    rationale="A deprecated runtime no longer receives security patches for its language runtime or OS, so "
    "known vulnerabilities stay in every function on it; AWS then blocks creating and updating such functions, "
    "which turns a security fix into an emergency migration. The list is data with its source (AWS's "
    "deprecated-runtimes table), so a supported runtime is never flagged.",
    remediation="Set `runtime` on the `aws.lambda_.Function` to a supported runtime, e.g. "
    '`aws.lambda_.Runtime.PYTHON3D13` ("python3.13") or `"nodejs22.x"`; a container image function '
    '(`package_type="Image"`) is not judged.',
    resource_types=(FUNCTION,),
    check=check,
    controls={NIST: ("SI-2", "SA-22"), PCI: ("6.3.3",)},
    config_schema={
        "extraDeprecatedRuntimes": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "More runtime identifiers to treat as deprecated (AWS deprecations newer than this pack).",
        }
    },
    peers={"checkov": ("CKV_AWS_363",)},
)

"""Lambda functions deployed from .zip packages validate code signatures."""

# Peers: checkov CKV_AWS_272 (which also fails container-image functions, where Lambda offers no code signing).

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path

FUNCTION = "aws:lambda/function:Function"


def check(props, config):
    if get_path(props, "packageType", "Zip") == "Image":
        return None  # code signing applies to .zip packages only; sign and verify images in ECR instead
    try:
        arn = get_path(props, "codeSigningConfigArn")
    except UnknownValueError:
        return None  # a code signing config the stack creates
    if arn:
        return None
    return (
        "function accepts any code package (codeSigningConfigArn is unset); set codeSigningConfigArn to an "
        "aws.lambda_.CodeSigningConfig that allows only your AWS Signer profiles"
    )


POLICY = PolicySpec(
    id="aws-lambda-code-signing",
    description="Lambda functions deployed as .zip packages have a code signing configuration.",
    severity="low",
    rationale="Without code signing, anyone who can call lambda:UpdateFunctionCode (a leaked CI credential, a "
    "compromised build) can replace the function's code with anything; a code signing configuration makes "
    "Lambda reject packages not signed by the organisation's AWS Signer profiles.",
    remediation="Create an `aws.signer.SigningProfile` and an `aws.lambda_.CodeSigningConfig` with "
    '`allowed_publishers` naming it and `policies={"untrusted_artifact_on_deployment": "Enforce"}`, set '
    "`code_signing_config_arn` on the `aws.lambda_.Function`, and sign packages in CI.",
    resource_types=(FUNCTION,),
    check=check,
    controls={NIST: ("CM-14", "SI-7")},
    peers={"checkov": ("CKV_AWS_272",)},
)

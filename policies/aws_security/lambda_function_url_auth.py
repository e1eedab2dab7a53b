"""Lambda function URLs authenticate their callers with IAM."""

from goldenpath.policy import NIST, PolicySpec, get_path

# Peers: checkov CKV_AWS_258


def check(props, config):
    if get_path(props, "authorizationType") == "NONE":  # unknown until apply: preview cannot run the check
        return (
            "function URL has authorizationType NONE, so anyone on the internet can invoke the function; "
            "set authorization_type to AWS_IAM, or front the function with API Gateway and an authorizer"
        )
    return None


POLICY = PolicySpec(
    id="aws-lambda-function-url-auth",
    description="Lambda function URLs use AWS_IAM authorization, not NONE.",
    severity="high",
    rationale="A function URL with authorization type NONE is a public HTTPS endpoint: anyone who finds the "
    "URL runs the function, with its role's permissions, and runs up its bill; nothing throttles or "
    "authenticates them before the code does.",
    remediation='Set `authorization_type="AWS_IAM"` on the `aws.lambda_.FunctionUrl` and sign requests with '
    "SigV4 (CloudFront origin access control can sign for browsers), or serve the function through "
    "API Gateway with an authorizer; waive the policy for a webhook that authenticates every request itself.",
    resource_types=("aws:lambda/functionUrl:FunctionUrl",),
    check=check,
    controls={NIST: ("AC-3", "SC-7")},
    peers={"checkov": ("CKV_AWS_258",)},
)

"""REST API methods require authorization (IAM, Cognito or a Lambda authorizer); CORS preflight excepted."""

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

# Peers: cdk-nag AwsSolutions-APIG4, checkov CKV_AWS_59 (which also accepts an API key; AWS says an API
# key is for usage plans, not access control, so it does not count here).

METHOD = "aws:apigateway/method:Method"
# A browser's CORS preflight carries no credentials, so it cannot be authorized.
PREFLIGHT = "OPTIONS"


def check(props, config):
    # An unknown authorization, or an unknown method of an open one (it may be OPTIONS), raises: the
    # policy can't run until apply.
    authorization = get_path(props, "authorization", "NONE")
    if authorization != "NONE":
        return None
    http_method = get_path(props, "httpMethod")
    if isinstance(http_method, str) and http_method.upper() == PREFLIGHT:
        return None
    api_key = get_path(props, "apiKeyRequired") is True
    return (
        f"method {http_method or '?'} lets anyone call it (authorization NONE"
        + (", an API key is not authorization" if api_key else "")
        + '); set authorization to "AWS_IAM", "COGNITO_USER_POOLS" or "CUSTOM" with an authorizerId'
    )


POLICY = PolicySpec(
    id="aws-apigateway-rest-authorizer",
    description="API Gateway REST API methods other than OPTIONS use an authorizer (authorization is not NONE).",
    severity="medium",
    rationale="A method with authorization NONE lets anyone on the internet invoke the backend behind it. "
    "An API key does not change that: keys are shipped in clients and AWS says not to use them for access "
    "control. Public endpoints (webhooks, open data) exist, so this is advice: waive it on the methods that are "
    "public by design.",
    remediation='Set `authorization="AWS_IAM"`, `"COGNITO_USER_POOLS"` or `"CUSTOM"` (with `authorizer_id` from '
    "an `aws.apigateway.Authorizer`) on the `aws.apigateway.Method`.",
    resource_types=(METHOD,),
    check=check,
    controls={NIST: ("AC-3", "IA-2"), PCI: ("7.2.1", "8.2.1")},
    peers={"cdk-nag": ("AwsSolutions-APIG4",), "checkov": ("CKV_AWS_59",)},
)

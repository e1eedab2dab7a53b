"""API Gateway REST API methods validate requests before they reach the integration."""

# Peers: checkov CKV2_AWS_53 (which also fails OPTIONS methods, CORS preflights that carry no request to
# validate). cdk-nag AwsSolutions-APIG2 is not claimed: it asks for a body-and-parameters validator to exist
# on each REST API, whoever uses it.

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path

METHOD = "aws:apigateway/method:Method"
PREFLIGHT = "OPTIONS"


def check(props, config):
    method = get_path(props, "httpMethod")
    if isinstance(method, str) and method.upper() == PREFLIGHT:
        return None
    try:
        validator = get_path(props, "requestValidatorId")
    except UnknownValueError:
        return None  # the id of a validator the stack creates
    if validator:
        return None
    return (
        f"{method or 'this'} method forwards requests unvalidated (requestValidatorId is unset); create an "
        "aws.apigateway.RequestValidator with validateRequestBody and validateRequestParameters and set "
        "requestValidatorId, with requestModels and required requestParameters"
    )


POLICY = PolicySpec(
    id="aws-apigateway-request-validation",
    description="API Gateway REST API methods (other than OPTIONS preflights) name a request validator.",
    severity="low",
    rationale="A request validator makes API Gateway reject a request whose required parameters are missing or "
    "whose body does not match the method's model, with a 400, before it reaches (and bills) the backend; "
    "without one every malformed or hostile payload is passed on for the integration to cope with.",
    remediation="Create an `aws.apigateway.RequestValidator` with `validate_request_body=True` and "
    "`validate_request_parameters=True` on the REST API and set `request_validator_id=validator.id` on each "
    "`aws.apigateway.Method`, with `request_models` and required `request_parameters` describing what it accepts.",
    resource_types=(METHOD,),
    check=check,
    controls={NIST: ("SI-10",)},
    peers={"checkov": ("CKV2_AWS_53",)},
)

"""HTTP API routes, and WebSocket $connect routes, require authorization."""

from goldenpath.policy import NIST, PCI, PolicySpec

from ._s3 import UNKNOWN, read

# Peers: cdk-nag AwsSolutions-APIG4, checkov CKV_AWS_309 (both judge every route, including WebSocket
# routes that API Gateway cannot authorize).

API = "aws:apigatewayv2/api:Api"
ROUTE = "aws:apigatewayv2/route:Route"
CONNECT = "$connect"  # the only WebSocket route API Gateway can authorize
DEFAULT = "$default"  # an HTTP API's catch-all route, or a WebSocket API's fallback route


def _protocols(resources):
    """Each API's protocol by URN and by id (the id is known once deployed)."""
    by_urn, by_id = {}, {}
    for r in resources:
        if r.resource_type != API:
            continue
        protocol = read(r.props, "protocolType")
        by_urn[r.urn] = protocol
        api_id = read(r.props, "id")
        if isinstance(api_id, str):
            by_id[api_id] = protocol
    return by_urn, by_id


def _protocol(route, by_urn, by_id):
    """HTTP, WEBSOCKET, or None when the route's API is not in the stack or not known yet."""
    found = {by_urn[d.urn] for d in route.property_dependencies.get("apiId", ()) if d.urn in by_urn}
    api_id = read(route.props, "apiId")
    if isinstance(api_id, str) and api_id in by_id:
        found.add(by_id[api_id])
    return found.pop() if len(found) == 1 and UNKNOWN not in found else None


def _needs_authorization(route_key, protocol):
    if route_key.upper().startswith("OPTIONS "):
        return False  # a CORS preflight carries no credentials
    if protocol == "WEBSOCKET":
        return route_key == CONNECT
    if protocol == "HTTP":
        return True
    # The API is unknown: "METHOD /path" is an HTTP route and $connect a WebSocket one; $default and
    # WebSocket message routes cannot be told apart, so they are not judged.
    return " " in route_key or route_key == CONNECT


def stack_check(resources, config):
    resources = list(resources)
    by_urn, by_id = _protocols(resources)
    for route in resources:
        if route.resource_type != ROUTE:
            continue
        route_key = read(route.props, "routeKey")
        authorization = read(route.props, "authorizationType", "NONE")
        if not isinstance(route_key, str) or authorization != "NONE":
            continue
        if not _needs_authorization(route_key, _protocol(route, by_urn, by_id)):
            continue
        yield (
            route.urn,
            f'route "{route_key}" lets anyone call it (authorizationType NONE); set authorizationType to '
            '"JWT", "AWS_IAM" or "CUSTOM" with an authorizerId',
        )


POLICY = PolicySpec(
    id="aws-apigateway-http-authorizer",
    description="API Gateway v2 routes that can be authorized (HTTP routes other than OPTIONS, WebSocket $connect) "
    "have an authorization type other than NONE.",
    severity="medium",
    rationale="A route with authorizationType NONE (the default) lets anyone on the internet invoke its "
    "integration. A WebSocket API is authorized once, on $connect; its other routes cannot take an authorizer, so "
    "they are not judged. Public endpoints exist, so this is advice: waive it on routes that are public by design.",
    remediation='Set `authorization_type="JWT"` (with `authorizer_id` of an `aws.apigatewayv2.Authorizer` for your '
    'identity provider), `"AWS_IAM"`, or `"CUSTOM"` (a Lambda authorizer) on the `aws.apigatewayv2.Route`.',
    resource_types=(ROUTE, API),
    stack_check=stack_check,
    controls={NIST: ("AC-3", "IA-2"), PCI: ("7.2.1", "8.2.1")},
    peers={"cdk-nag": ("AwsSolutions-APIG4",), "checkov": ("CKV_AWS_309",)},
)

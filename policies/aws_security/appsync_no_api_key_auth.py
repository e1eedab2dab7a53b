"""AppSync GraphQL APIs do not accept API keys as an authorization mode."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, as_list, get_path, note_unknown

# Peers: none of the compared tools has this rule.

GRAPHQL_API = "aws:appsync/graphQLApi:GraphQLApi"
API_KEY = "API_KEY"


def check(props, config):
    try:
        if get_path(props, "authenticationType") == API_KEY:
            yield "API accepts API keys as its default authorization; set authenticationType to a user or IAM mode"
    except UnknownValueError as error:
        note_unknown(error)  # may be API_KEY; still judge the additional providers
    try:
        providers = as_list(get_path(props, "additionalAuthenticationProviders"))
    except UnknownValueError as error:
        note_unknown(error)
        return
    for provider in providers:
        try:
            kind = get_path(provider, "authenticationType")
        except UnknownValueError as error:
            note_unknown(error)
            continue
        if kind == API_KEY:
            yield "API accepts API keys as an additional authorization; remove the API_KEY provider"
            return


POLICY = PolicySpec(
    id="aws-appsync-no-api-key-auth",
    description="AppSync GraphQL APIs use no API_KEY authorization mode (default or additional).",
    severity="medium",
    rationale="An AppSync API key is a shared secret shipped inside every client, so anyone who reads it can "
    "call the API; it identifies no user, cannot be scoped per caller and lives up to 365 days. Public, "
    "read-only APIs may accept that, so this is advice: waive it where the API is public by design.",
    remediation='Set `authentication_type` on the `aws.appsync.GraphQLApi` to `"AMAZON_COGNITO_USER_POOLS"`, '
    '`"OPENID_CONNECT"`, `"AWS_IAM"` or `"AWS_LAMBDA"`, and drop any `additional_authentication_providers` entry '
    'with `authentication_type="API_KEY"` (and the `aws.appsync.ApiKey`).',
    resource_types=(GRAPHQL_API,),
    check=check,
    controls={NIST: ("AC-3", "IA-2")},
)

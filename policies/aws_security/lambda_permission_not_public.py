"""Lambda permissions grant invocation to no one at large: not to "*", nor to a service acting for any account."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

from ._conditions import values_pin
from ._principals import EVERYONE, is_service_principal

# Peers: checkov CKV_AWS_301, CKV_AWS_364

_UNKNOWN = object()


def _read(props, path):
    try:
        return get_path(props, path)
    except UnknownValueError:
        return _UNKNOWN


def _source_pins(props):
    """True when sourceAccount, principalOrgId or eventSourceToken is set, or sourceArn names an owner.

    A value known only after apply counts as set: it comes from a resource of the program.
    """
    for path in ("sourceAccount", "principalOrgId", "eventSourceToken"):
        value = _read(props, path)
        if value is _UNKNOWN or (isinstance(value, str) and value and value != "*"):
            return True
    arn = _read(props, "sourceArn")
    return arn is _UNKNOWN or (isinstance(arn, str) and values_pin("aws:SourceArn", "ArnLike", [arn]))


def check(props, config):
    principal = get_path(props, "principal")  # unknown until apply: preview cannot run the check
    if not isinstance(principal, str) or _source_pins(props):
        return None
    action = _read(props, "action")
    action = action if isinstance(action, str) else "lambda:InvokeFunction"
    if principal == EVERYONE:
        if _read(props, "functionUrlAuthType") == "NONE":
            return (
                f'permission grants {action} to every principal ("*") with functionUrlAuthType NONE: the function '
                "URL answers anyone on the internet; set function_url_auth_type to AWS_IAM (and authorization_type "
                "AWS_IAM on the FunctionUrl) or put the function behind API Gateway with an authorizer"
            )
        return (
            f'permission grants {action} to every principal ("*"); set principal to the account or service that '
            "invokes the function, or set source_arn, source_account or principal_org_id"
        )
    if is_service_principal(principal):
        return (
            f"permission grants {action} to {principal} with no source_arn or source_account, so a resource of "
            "any account using that service can invoke the function; set source_arn to the resource that invokes "
            "it (or source_account)"
        )
    return None


POLICY = PolicySpec(
    id="aws-lambda-permission-not-public",
    description='No Lambda permission grants invocation to "*" or to an AWS service without naming the source '
    "resource or account.",
    severity="high",
    rationale='A permission for principal "*" lets anyone with the function ARN (or, with functionUrlAuthType '
    "NONE, anyone with its URL) invoke the function. A permission for a service principal such as "
    "s3.amazonaws.com without source_arn or source_account lets that service invoke it for a bucket, topic or "
    "rule in any account (the confused deputy).",
    remediation="On the `aws.lambda_.Permission` set `principal` to the invoking account or service and "
    "`source_arn` to the resource that invokes the function (or `source_account`, or `principal_org_id` for "
    'principal "*"); for function URLs use `function_url_auth_type="AWS_IAM"`.',
    resource_types=("aws:lambda/permission:Permission",),
    check=check,
    controls={NIST: ("AC-3", "AC-4", "AC-6", "SC-7"), PCI: ("1.3.1", "7.2.1")},
    peers={"checkov": ("CKV_AWS_301", "CKV_AWS_364")},
)

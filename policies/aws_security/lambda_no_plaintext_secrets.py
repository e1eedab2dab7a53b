"""Lambda functions get credentials from Secrets Manager or SSM at run time, not as plaintext environment variables."""

from collections.abc import Mapping

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, get_path, note_unknown

from ._credentials import variable_problem

# Peers: checkov CKV_AWS_45.

FUNCTION = "aws:lambda/function:Function"


def check(props, config):
    variables = get_path(props, "environment.variables")  # all unknown propagates: can't run yet
    if not isinstance(variables, Mapping):
        return []
    messages = []
    for variable_name in variables:
        try:
            value = variables[variable_name]
        except UnknownValueError as error:
            note_unknown(error)  # judged at apply; the known variables beside it are judged now
            continue
        problem = variable_problem(variable_name, value)
        if problem:
            messages.append(
                f"environment variable {variable_name!r} holds a plaintext credential ({problem}); store it in "
                "Secrets Manager or an SSM SecureString and pass its ARN or name instead, read at run time"
            )
    return messages


POLICY = PolicySpec(
    id="aws-lambda-no-plaintext-secrets",
    description="Lambda functions pass no credential (a PASSWORD, TOKEN, API_KEY, … variable, or a value shaped "
    "like an access key or private key) in their environment variables.",
    severity="high",
    rationale="A function's environment variables are returned in plaintext by lambda:GetFunctionConfiguration "
    "to anyone allowed to read the function, kept in the stack state and shown in the console; a credential "
    "there leaks to every reader and cannot be rotated without a deployment.",
    remediation="Store the value in Secrets Manager (or an SSM SecureString), put its ARN or name in "
    "`environment.variables` (e.g. DB_SECRET_ARN) and read it at run time (the AWS Parameters and Secrets Lambda "
    "extension caches it), granting the function secretsmanager:GetSecretValue on that ARN.",
    resource_types=(FUNCTION,),
    check=check,
    controls={NIST: ("IA-5(7)", "SC-28"), PCI: ("8.6.2",)},
    peers={"checkov": ("CKV_AWS_45",)},
)

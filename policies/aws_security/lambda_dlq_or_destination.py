"""Lambda functions keep the events of failed asynchronous invocations (a dead-letter queue or an on-failure destination)."""

from goldenpath.policy import NIST, PolicySpec

from ._s3 import UNKNOWN, read

# Peers: checkov CKV_AWS_116 (dead-letter queue only; an on-failure destination counts here too).

FUNCTION = "aws:lambda/function:Function"
EVENT_INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"


def _names(function):
    """What an event invoke config's functionName may hold for ``function``: its name or ARN, or None if unknown."""
    # An auto-named function has no `name` input; its logical name stands in, as in goldenpath check.
    name = read(function.props, "name", function.name)
    arn = read(function.props, "arn")
    if not isinstance(name, str):
        return None
    names = {name}
    if isinstance(arn, str):
        names.add(arn)
    return names


def _points_at(function_name, names):
    if function_name in names:
        return True
    # An ARN (or partial ARN, "123456789012:function:name") of the function.
    return any(function_name.endswith(f":function:{n}") for n in names if ":" not in n)


def stack_check(resources, config):
    resources = list(resources)
    functions = [r for r in resources if r.resource_type == FUNCTION]
    urns = {f.urn for f in functions}
    covered = set()  # functions with an on-failure destination, or that one may still point at
    anywhere = False  # a config whose function cannot be known yet, pointing at no function of the stack
    unresolved = []  # a config naming a function by a string that no known name matches
    for config_resource in resources:
        if config_resource.resource_type != EVENT_INVOKE_CONFIG:
            continue
        if read(config_resource.props, "destinationConfig.onFailure.destination") is None:
            continue  # UNKNOWN counts as set: a destination ARN known after apply
        linked = {
            d.urn for d in config_resource.property_dependencies.get("functionName", ()) if d.urn in urns
        }
        value = read(config_resource.props, "functionName")
        if isinstance(value, str):
            for f in functions:
                names = _names(f)
                if names is not None and _points_at(value, names):
                    linked.add(f.urn)
        covered |= linked
        if not linked:
            if value is UNKNOWN:
                anywhere = True
            elif isinstance(value, str):
                unresolved.append(value)
    if anywhere:
        return
    for f in functions:
        if f.urn in covered:
            continue
        if read(f.props, "deadLetterConfig.targetArn") is not None:
            continue  # a queue or topic ARN (or one known after apply)
        if unresolved and _names(f) is None:
            continue  # its name is not known yet: a config may be naming it
        yield (
            f.urn,
            "function drops the events of failed asynchronous invocations; set deadLetterConfig.targetArn "
            "to an SQS queue or SNS topic, or add a FunctionEventInvokeConfig with destinationConfig.onFailure",
        )


POLICY = PolicySpec(
    id="aws-lambda-dlq-or-destination",
    description="Lambda functions have a dead-letter queue or an on-failure destination for asynchronous invocations.",
    severity="low",
    rationale="Lambda retries a failed asynchronous invocation (from S3, SNS, EventBridge, …) twice and then "
    "discards the event; without a dead-letter queue or an on-failure destination the data is lost and the "
    "failure leaves no trace to investigate. Functions only ever invoked synchronously (behind API Gateway) do "
    "not need one: this is advice, to waive where it does not apply.",
    remediation='Set `dead_letter_config={"target_arn": queue.arn}` on the `aws.lambda_.Function` (an SQS queue '
    "or SNS topic the role may send to), or add an `aws.lambda_.FunctionEventInvokeConfig` with "
    '`function_name=fn.name` and `destination_config={"on_failure": {"destination": queue.arn}}`.',
    resource_types=(FUNCTION, EVENT_INVOKE_CONFIG),
    stack_check=stack_check,
    controls={NIST: ("AU-12", "CP-10")},
    peers={"checkov": ("CKV_AWS_116",)},
)

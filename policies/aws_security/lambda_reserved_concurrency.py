"""Lambda functions reserve their own concurrency, so one function cannot starve the others."""

from goldenpath.policy import PolicySpec, get_path

# Peers: checkov CKV_AWS_115.

FUNCTION = "aws:lambda/function:Function"
UNRESERVED = -1  # the provider's default: the function draws on the account's shared pool


def check(props, config):
    reserved = get_path(props, "reservedConcurrentExecutions")  # unknown propagates: can't run yet
    if reserved is None or reserved == UNRESERVED:
        return (
            "function has no reserved concurrency and draws on the account's shared pool; "
            "set reservedConcurrentExecutions to the most it should ever run at once"
        )
    return None


POLICY = PolicySpec(
    id="aws-lambda-reserved-concurrency",
    description="Lambda functions set reserved concurrency (a function-level execution limit).",
    severity="low",
    rationale="All functions in an account and region share one concurrency pool; a function without a limit "
    "can be driven (by a traffic spike, a retry storm or a denial-of-wallet attack) to use all of it and "
    "throttle every other function, and it caps what a runaway function can cost.",
    remediation="Set `reserved_concurrent_executions` on the `aws.lambda_.Function` to a positive number sized "
    "for its peak load (`0` stops the function; `-1`, the default, means unreserved).",
    resource_types=(FUNCTION,),
    check=check,
    peers={"checkov": ("CKV_AWS_115",)},
)

"""Lambda functions send traces to AWS X-Ray (active tracing)."""

from goldenpath.policy import NIST, PolicySpec, get_path

# Peers: checkov CKV_AWS_50 (which also accepts PassThrough: trace only what a caller sampled).

FUNCTION = "aws:lambda/function:Function"


def check(props, config):
    mode = get_path(props, "tracingConfig.mode")  # unknown propagates: can't run yet
    if mode == "Active":
        return None
    if mode is None:
        return 'function has no tracingConfig, so Lambda only passes traces through; set tracingConfig.mode to "Active"'
    return f'function tracing mode is {mode}; set tracingConfig.mode to "Active"'


POLICY = PolicySpec(
    id="aws-lambda-tracing",
    description="Lambda functions have X-Ray active tracing on.",
    severity="low",
    rationale="Active tracing records every invocation with its downstream calls, which is what an incident "
    "responder uses to see what a function touched and where a request failed; in PassThrough mode (the "
    "default) a function is traced only when its caller already sampled the request.",
    remediation='Set `tracing_config={"mode": "Active"}` on the `aws.lambda_.Function` and allow '
    "`xray:PutTraceSegments` and `xray:PutTelemetryRecords` to its role (e.g. the AWSXRayDaemonWriteAccess "
    "managed policy).",
    resource_types=(FUNCTION,),
    check=check,
    controls={NIST: ("AU-12", "SI-4")},
    peers={"checkov": ("CKV_AWS_50",)},
)

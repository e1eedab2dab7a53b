"""REST API stages send traces to AWS X-Ray."""

from goldenpath.policy import NIST, PolicySpec, get_path

# Peers: checkov CKV_AWS_73.

STAGE = "aws:apigateway/stage:Stage"


def check(props, config):
    enabled = get_path(props, "xrayTracingEnabled")  # unknown: may be false, can't run until apply
    if enabled is True:
        return None
    return "stage does not trace requests with X-Ray; set xrayTracingEnabled to true"


POLICY = PolicySpec(
    id="aws-apigateway-xray-tracing",
    description="API Gateway REST API stages have X-Ray tracing enabled.",
    severity="low",
    rationale="Tracing at the API follows each request through the integration into Lambda or other services, "
    "which is how an incident responder sees what a suspicious request reached and where latency or errors come "
    "from; it is off by default.",
    remediation="Set `xray_tracing_enabled=True` on the `aws.apigateway.Stage` (HTTP APIs cannot trace with X-Ray).",
    resource_types=(STAGE,),
    check=check,
    controls={NIST: ("AU-12", "SI-4")},
    peers={"checkov": ("CKV_AWS_73",)},
)

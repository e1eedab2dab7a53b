"""API Gateway REST API stages log execution (ERROR or INFO) for all methods to CloudWatch."""

# Peers: cdk-nag AwsSolutions-APIG6. Not checkov CKV2_AWS_4, which also requires metrics to be enabled.

from goldenpath.policy import NIST, PCI, PolicySpec

from ._s3 import UNKNOWN, read

REST_API = "aws:apigateway/restApi:RestApi"
STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
ALL_METHODS = "*/*"
LOGGING_LEVELS = ("ERROR", "INFO")


def _deps(resource, prop):
    return {d.urn for d in resource.property_dependencies.get(prop, ())}


class _ApiRef:
    """The REST API a stage or a method settings resource names through ``restApi``."""

    def __init__(self, resource, api_ids, api_urns):
        self.literal = read(resource.props, "restApi")
        # The stack's REST APIs it certainly names: by dependency, or by a known id.
        self.urns = _deps(resource, "restApi") & api_urns
        if isinstance(self.literal, str) and self.literal in api_ids:
            self.urns.add(api_ids[self.literal])

    def same(self, other, known_urn_ids):
        """True if both name the same REST API, False if they certainly differ, None if not known yet."""
        if self.urns and other.urns:
            return bool(self.urns & other.urns)
        if isinstance(self.literal, str) and isinstance(other.literal, str):
            return self.literal == other.literal
        for named, literal in ((self, other.literal), (other, self.literal)):
            # One side is a REST API of the stack whose id is known, the other an id that is none of them.
            if named.urns and isinstance(literal, str) and named.urns <= known_urn_ids:
                return False
        return None


def _setting_logs(settings):
    """True if a method settings resource logs every method at ERROR or INFO, None if not known yet."""
    path = read(settings.props, "methodPath")
    level = read(settings.props, "settings.loggingLevel")
    path_ok = None if path is UNKNOWN else path == ALL_METHODS
    level_ok = None if level is UNKNOWN else isinstance(level, str) and level.upper() in LOGGING_LEVELS
    if path_ok is False or level_ok is False:
        return False
    return True if path_ok and level_ok else None


def _same_stage(settings, stage, stage_urns):
    depends = _deps(settings, "stageName")
    if stage.urn in depends:
        return True
    mine, theirs = read(settings.props, "stageName"), read(stage.props, "stageName")
    if isinstance(mine, str) and isinstance(theirs, str):
        return mine == theirs
    if mine is UNKNOWN and depends & stage_urns:
        return False  # the name of another stage of the stack
    return None


def stack_check(resources, config):
    resources = list(resources)
    api_ids = {}
    known_urn_ids = set()
    for r in resources:
        if r.resource_type == REST_API:
            api_id = read(r.props, "id")
            if isinstance(api_id, str) and api_id:
                api_ids[api_id] = r.urn
                known_urn_ids.add(r.urn)
    api_urns = {r.urn for r in resources if r.resource_type == REST_API}
    stages = [r for r in resources if r.resource_type == STAGE]
    stage_urns = {s.urn for s in stages}
    settings = [r for r in resources if r.resource_type == METHOD_SETTINGS]

    refs = {s.urn: _ApiRef(s, api_ids, api_urns) for s in settings}
    for stage in stages:
        stage_api = _ApiRef(stage, api_ids, api_urns)
        verdict = False
        for s in settings:
            logs = _setting_logs(s)
            if logs is False:
                continue
            same_stage = _same_stage(s, stage, stage_urns)
            same_api = refs[s.urn].same(stage_api, known_urn_ids) if same_stage is not False else False
            if same_stage is False or same_api is False:
                continue
            if logs and same_stage and same_api:
                verdict = True
                break
            verdict = None
        if verdict is False:
            yield (
                stage.urn,
                "stage logs no execution to CloudWatch; add an aws.apigateway.MethodSettings for this stage with "
                'methodPath "*/*" and settings.loggingLevel "ERROR" (or "INFO")',
            )


POLICY = PolicySpec(
    id="aws-apigateway-execution-logging",
    description='API Gateway REST API stages have execution logging (ERROR or INFO) on for all methods ("*/*").',
    severity="low",
    rationale="Execution logs record what API Gateway did with each request: authorizer and validation "
    "failures, integration errors and timeouts, throttling. Access logs say that a request failed; execution "
    "logs say why, which is what an incident responder needs to tell an attack from a bug.",
    remediation="Add an `aws.apigateway.MethodSettings` with `rest_api=api.id`, `stage_name=stage.stage_name`, "
    '`method_path="*/*"` and `settings={"logging_level": "ERROR", "metrics_enabled": True}` (INFO logs full '
    "requests: keep it off where payloads hold personal data), and the account's `aws.apigateway.Account` "
    "CloudWatch role.",
    resource_types=(STAGE, METHOD_SETTINGS, REST_API),
    stack_check=stack_check,
    controls={NIST: ("AU-2", "AU-12"), PCI: ("10.2.1",)},
    peers={"cdk-nag": ("AwsSolutions-APIG6",)},
)

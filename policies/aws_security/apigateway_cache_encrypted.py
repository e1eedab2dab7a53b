"""REST API method settings that cache responses encrypt the cache."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, get_path

# Peers: checkov CKV_AWS_308 (awsguard apigateway-method-cached-and-encrypted also demands caching).

METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"


def check(props, config):
    # Either known half can clear it (not caching, or encrypting); otherwise an unknown one raises:
    # the policy can't run until apply.
    unknown_caching = None
    try:
        if get_path(props, "settings.cachingEnabled") is not True:
            return None
    except UnknownValueError as error:
        unknown_caching = error
    if get_path(props, "settings.cacheDataEncrypted") is True:
        return None
    if unknown_caching is not None:
        raise unknown_caching
    path = get_path(props, "methodPath", "?")
    return f"method settings for {path} cache responses unencrypted; set settings.cacheDataEncrypted to true"


POLICY = PolicySpec(
    id="aws-apigateway-cache-encrypted",
    description="API Gateway method settings that enable response caching also encrypt the cached data.",
    severity="medium",
    rationale="A stage cache holds whole responses, personal or payment data included, on the cache cluster's "
    "disks; encryption at rest is off unless asked for, and costs nothing extra.",
    remediation='Set `settings={"caching_enabled": True, "cache_data_encrypted": True, ...}` on the '
    "`aws.apigateway.MethodSettings` (or stop caching responses that carry sensitive data).",
    resource_types=(METHOD_SETTINGS,),
    check=check,
    controls={NIST: ("SC-28",), PCI: ("3.5.1",)},
    peers={"checkov": ("CKV_AWS_308",)},
)

"""HTTPS and TLS listeners negotiate only modern TLS versions and ciphers."""

from goldenpath.conventions import ALB_TLS_POLICIES_ALLOWED, ALB_TLS_POLICY
from goldenpath.policy import NIST, PCI, PolicySpec, get_path

from ._elb import LISTENERS

ENCRYPTED_PROTOCOLS = ("HTTPS", "TLS")
# What Elastic Load Balancing applies when sslPolicy is not set: it still accepts TLS 1.0 and 1.1.
AWS_DEFAULT_POLICY = "ELBSecurityPolicy-2016-08"


def check(props, config):
    protocol = get_path(props, "protocol")
    if not isinstance(protocol, str) or protocol.upper() not in ENCRYPTED_PROTOCOLS:
        return None
    allowed = list(config["allowedPolicies"])
    recommended = ALB_TLS_POLICY if ALB_TLS_POLICY in allowed or not allowed else allowed[0]
    policy = get_path(props, "sslPolicy")
    if not policy:
        return (
            f"{protocol.upper()} listener sets no sslPolicy, so AWS applies {AWS_DEFAULT_POLICY} (TLS 1.0); "
            f"set sslPolicy to {recommended} or another allowed policy"
        )
    if policy not in allowed:
        return f"{protocol.upper()} listener uses TLS policy {policy}; use {recommended} or another allowed policy"
    return None


POLICY = PolicySpec(
    id="aws-alb-tls-policy",
    description="HTTPS and TLS listeners set an sslPolicy from the allowed list (TLS 1.2 or later).",
    severity="high",
    rationale="Older ELB security policies, including the default one, accept TLS 1.0/1.1 and weak ciphers "
    "that are broken or deprecated; an explicit modern policy keeps every client on TLS 1.2+ with forward secrecy.",
    remediation=f'Set `ssl_policy="{ALB_TLS_POLICY}"` on the `aws.lb.Listener` (the policy goldenpath\'s Service '
    "component uses), or another policy in the pack's `allowedPolicies`.",
    resource_types=LISTENERS,
    check=check,
    controls={NIST: ("SC-8", "SC-13"), PCI: ("4.2.1",)},
    config_schema={
        "allowedPolicies": {
            "type": "array",
            "items": {"type": "string"},
            "default": list(ALB_TLS_POLICIES_ALLOWED),
            "description": "ELB security policies a listener may use.",
        }
    },
    peers={"checkov": ("CKV_AWS_103",)},
)

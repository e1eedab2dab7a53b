"""Load balancer listeners on plain HTTP only redirect clients to HTTPS."""

from goldenpath.policy import NIST, PCI, PolicySpec, as_list, get_path

from ._elb import LISTENERS


def _protocol(props):
    protocol = get_path(props, "protocol")
    if protocol is None and get_path(props, "port") is not None:
        return "HTTP"  # an Application Load Balancer listener's default
    return str(protocol).upper() if protocol is not None else None


def _action_problem(action):
    kind = get_path(action, "type")
    if kind != "redirect":
        return f"default action {kind!r} serves traffic over plain HTTP"
    target = get_path(action, "redirect.protocol")
    if target is None:
        return "default action redirects but keeps the request's protocol (HTTP)"
    if str(target).upper() != "HTTPS":
        return f"default action redirects to protocol {target}"
    return None


def check(props, config):
    if _protocol(props) != "HTTP":
        return None
    actions = as_list(get_path(props, "defaultActions"))
    if not actions:
        return "HTTP listener has no default action; its only default action must redirect to HTTPS"
    problems = [p for p in (_action_problem(a) for a in actions) if p]
    if problems:
        return "HTTP listener " + "; ".join(problems) + "; its only default action must redirect to HTTPS"
    return None


POLICY = PolicySpec(
    id="aws-alb-http-redirects-to-https",
    description="Load balancer listeners on HTTP have a single default action: a redirect to HTTPS.",
    severity="high",
    rationale="A listener that forwards plain HTTP sends cookies, tokens and form data across the internet in "
    "clear text; redirecting keeps port 80 for clients that type the bare host name, and nothing else.",
    remediation='Give the HTTP listener one default action `type="redirect"` with '
    '`redirect={"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}` and serve the '
    "application from an HTTPS listener, as goldenpath's Service component does.",
    resource_types=LISTENERS,
    check=check,
    controls={NIST: ("SC-8", "SC-23"), PCI: ("4.2.1",)},
    peers={
        "awsguard": ("alb-http-to-https-redirection",),
        "checkov": (
            "CKV2_AWS_20",
            "CKV_AWS_2",
        ),
    },
)

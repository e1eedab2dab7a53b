"""Classic Load Balancer listeners use HTTPS or SSL on both sides, with a certificate."""

# Peers: cdk-nag AwsSolutions-ELB5 (back-end protocol matches an HTTPS/SSL front end), checkov CKV_AWS_376
# (no HTTP/TCP back end), checkov CKV_AWS_127 (every listener names an SSL certificate).

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, as_list, get_path, note_unknown

from ._classic_elb import CLASSIC_LOAD_BALANCER

# The back-end protocol that keeps a TLS front end encrypted up to the instance.
SECURE = {"HTTPS": "HTTPS", "SSL": "SSL"}


def _upper(value):
    return value.upper() if isinstance(value, str) else value


def _judge(listener):
    port = get_path(listener, "lbPort", "?")
    front = _upper(get_path(listener, "lbProtocol"))
    if front not in SECURE:
        return (
            f"listener on port {port} accepts {front or 'an unset protocol'} in plain text; set lbProtocol to "
            "HTTPS (or SSL for TCP traffic) with an sslCertificateId"
        )
    back = _upper(get_path(listener, "instanceProtocol"))
    if back != SECURE[front]:
        return (
            f"listener on port {port} decrypts {front} and forwards {back or 'an unset protocol'} to the "
            f"instances; set instanceProtocol to {SECURE[front]}"
        )
    try:
        certificate = get_path(listener, "sslCertificateId")
    except UnknownValueError:
        return None  # the ARN of a certificate the stack creates
    if not certificate:
        return f"{front} listener on port {port} names no certificate; set sslCertificateId to an ACM certificate ARN"
    return None


def check(props, config):
    messages = []
    for listener in as_list(get_path(props, "listeners")):
        try:
            message = _judge(listener)
        except UnknownValueError as error:
            note_unknown(error)
            continue
        if message:
            messages.append(message)
    return messages


POLICY = PolicySpec(
    id="aws-elb-classic-secure-listeners",
    description="Classic Load Balancer listeners accept HTTPS or SSL with a certificate and forward HTTPS or "
    "SSL to the instances.",
    severity="medium",
    rationale="An HTTP or TCP listener carries requests, credentials and session cookies in plain text across "
    "the internet; a TLS listener that forwards HTTP or TCP sends them in plain text again inside the VPC, "
    "where anything on the path can read them.",
    remediation='Give every entry of `listeners` on the `aws.elb.LoadBalancer` `lb_protocol="HTTPS"` with '
    '`instance_protocol="HTTPS"` (or `"SSL"` with `"SSL"` for TCP traffic) and `ssl_certificate_id` set to '
    "an `aws.acm.Certificate` ARN; better, move to an `aws.lb.LoadBalancer`.",
    resource_types=(CLASSIC_LOAD_BALANCER,),
    check=check,
    controls={NIST: ("SC-8", "SC-23"), PCI: ("4.2.1",)},
    peers={"cdk-nag": ("AwsSolutions-ELB5",), "checkov": ("CKV_AWS_376", "CKV_AWS_127")},
)

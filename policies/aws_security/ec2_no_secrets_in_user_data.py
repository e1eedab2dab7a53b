"""EC2 user data holds no credentials: it is readable by anyone who can describe the instance, and from IMDS."""

import base64
import binascii
import gzip
import re

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, get_path, note_unknown

from ._credentials import script_findings

# Peers: checkov CKV_AWS_46.

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
# (property, base64-encoded?) per type, as pulumi_aws names them.
USER_DATA = {
    INSTANCE: (("userData", False), ("userDataBase64", True)),
    LAUNCH_TEMPLATE: (("userData", True),),
    LAUNCH_CONFIGURATION: (("userData", False), ("userDataBase64", True)),
}
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]+$")


def _decode(value):
    """The text of base64 user data (gzip-compressed or not), or None when it is not that."""
    if not _BASE64.match(value):
        return None
    try:
        raw = base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError):
        return None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError):
            return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _texts(value, encoded):
    if encoded:
        text = _decode(value)
        return [text] if text is not None else [value]
    texts = [value]
    decoded = _decode(value) if len(value) >= 16 else None  # base64 given where plain text is expected
    if decoded:
        texts.append(decoded)
    return texts


def check(props, config, resource):
    messages = []
    for prop, encoded in USER_DATA.get(resource.resource_type, ()):
        try:
            value = get_path(props, prop)
        except UnknownValueError as error:
            note_unknown(error)  # user data rendered at apply may hold a credential; judge the other property
            continue
        if not isinstance(value, str) or not value:
            continue
        findings = list(dict.fromkeys(f for text in _texts(value, encoded) for f in script_findings(text)))
        if findings:
            messages.append(
                f"{prop} holds a credential ({'; '.join(findings)}); fetch it at boot from Secrets Manager or SSM "
                "with the instance role instead"
            )
    return messages


POLICY = PolicySpec(
    id="aws-ec2-no-secrets-in-user-data",
    description="EC2 instances, launch templates and launch configurations carry no credential (a literal "
    "PASSWORD=/TOKEN=/…_KEY= assignment, an access key, a private key, a token) in their user data.",
    severity="high",
    rationale="User data is not secret: ec2:DescribeInstanceAttribute returns it, every process on the instance "
    "reads it from the instance metadata service, launch templates keep every version, and the stack state holds "
    "it; a credential there leaks to all of them and outlives its rotation.",
    remediation="Remove the credential from `user_data` / `user_data_base64` and have the boot script fetch it "
    "(aws secretsmanager get-secret-value / aws ssm get-parameter --with-decryption) with the instance profile's "
    "role, granted read on that one secret.",
    resource_types=tuple(USER_DATA),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("IA-5(7)", "SC-28"), PCI: ("8.6.2",)},
    peers={"checkov": ("CKV_AWS_46",)},
)

"""The account password policy demands long, complex, unrepeated passwords that expire."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec, get_path, note_unknown

# Peers: checkov CKV_AWS_9, CKV_AWS_10, CKV_AWS_11, CKV_AWS_12, CKV_AWS_13, CKV_AWS_14, CKV_AWS_15

PASSWORD_POLICY = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"

# Character classes a password must contain, each with the argument that demands it. Unset means
# not required (the AWS default).
REQUIRED_CLASSES = (
    ("requireLowercaseCharacters", "require_lowercase_characters", "a lowercase letter"),
    ("requireUppercaseCharacters", "require_uppercase_characters", "an uppercase letter"),
    ("requireNumbers", "require_numbers", "a number"),
    ("requireSymbols", "require_symbols", "a symbol"),
)


def _number(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _show(value, unset):
    if value is None:
        return unset
    number = _number(value)
    return f"{number:g}" if number is not None else repr(value)


def _read(props, key):
    """The value at ``key``, or the UnknownValueError that stands for it during preview."""
    try:
        return get_path(props, key)
    except UnknownValueError as error:
        note_unknown(error)
        return error


def check(props, config):
    minimum_length = config["minimumLength"]
    length = _read(props, "minimumPasswordLength")
    # Unset, AWS requires only 8 characters.
    if not isinstance(length, UnknownValueError) and (_number(length) is None or length < minimum_length):
        shown = _show(length, "unset (AWS then requires 8)")
        yield f"minimumPasswordLength is {shown}; set minimumPasswordLength to at least {minimum_length}"
    for key, _, what in REQUIRED_CLASSES:
        value = _read(props, key)
        if not isinstance(value, UnknownValueError) and value is not True:
            yield f"passwords need not contain {what}; set {key} to true"
    minimum_reuse = config["minimumReusePrevention"]
    reuse = _read(props, "passwordReusePrevention")
    if not isinstance(reuse, UnknownValueError) and (_number(reuse) is None or reuse < minimum_reuse):
        shown = _show(reuse, "unset, so any earlier password may be reused")
        yield f"passwordReusePrevention is {shown}; set passwordReusePrevention to at least {minimum_reuse}"
    maximum_age = config["maximumAgeDays"]
    age = _read(props, "maxPasswordAge")
    # Unset or 0, passwords never expire.
    if not isinstance(age, UnknownValueError) and (_number(age) is None or not 0 < age <= maximum_age):
        shown = _show(None if age == 0 else age, "unset, so passwords never expire")
        yield f"maxPasswordAge is {shown}; set maxPasswordAge to between 1 and {maximum_age} days"


POLICY = PolicySpec(
    id="aws-iam-password-policy",
    description="The IAM account password policy requires at least 14 characters with lowercase, uppercase, "
    "number and symbol, prevents reuse of the last 24 passwords and expires passwords within 90 days.",
    severity="medium",
    rationale="IAM user passwords are the console's weakest credential: short or simple ones fall to guessing and "
    "credential stuffing, reused ones come back after a leak, and ones that never expire stay useful to whoever "
    "holds them. The account password policy is the only place AWS enforces their strength; unset, it demands "
    "8 characters and nothing else.",
    remediation="On the `aws.iam.AccountPasswordPolicy` set `minimum_password_length=14`, "
    "`require_lowercase_characters=True`, `require_uppercase_characters=True`, `require_numbers=True`, "
    "`require_symbols=True`, `password_reuse_prevention=24` and `max_password_age=90` (or the thresholds "
    "this policy is configured with); better still, give people access through IAM Identity Center instead of "
    "IAM user passwords.",
    resource_types=(PASSWORD_POLICY,),
    check=check,
    controls={CIS_AWS: ("1.8", "1.9"), NIST: ("IA-5(1)",), PCI: ("8.3.6", "8.3.7", "8.3.9")},
    config_schema={
        "minimumLength": {
            "type": "integer",
            "minimum": 6,
            "maximum": 128,
            "default": 14,
            "description": "The shortest minimumPasswordLength allowed.",
        },
        "minimumReusePrevention": {
            "type": "integer",
            "minimum": 1,
            "maximum": 24,
            "default": 24,
            "description": "The fewest earlier passwords passwordReusePrevention must forbid reusing.",
        },
        "maximumAgeDays": {
            "type": "integer",
            "minimum": 1,
            "maximum": 1095,
            "default": 90,
            "description": "The longest maxPasswordAge allowed, in days.",
        },
    },
    peers={
        "checkov": (
            "CKV_AWS_9",
            "CKV_AWS_10",
            "CKV_AWS_11",
            "CKV_AWS_12",
            "CKV_AWS_13",
            "CKV_AWS_14",
            "CKV_AWS_15",
        )
    },
)

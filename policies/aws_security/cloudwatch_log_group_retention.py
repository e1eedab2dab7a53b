"""CloudWatch log groups keep logs long enough to investigate an incident."""

from goldenpath.conventions import LOG_RETENTION_ALLOWED, LOG_RETENTION_DAYS, LOG_RETENTION_MINIMUM_DAYS
from goldenpath.policy import NIST, PCI, PolicySpec, get_path

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
# CloudWatch Logs' "never expire": a decision to keep logs longer than any minimum, not a missing one.
NEVER_EXPIRE = 0


def check(props, config):
    days = get_path(props, "retentionInDays")
    minimum = config["minimumDays"]
    if days is None:
        return (
            f"log group keeps logs forever with no retention set; set retentionInDays to at least {minimum}"
        )
    if days == NEVER_EXPIRE:
        return None
    if days < minimum:
        return f"log group retention is {days:g} days; at least {minimum:g} days are required"
    return None


def remediate(props, config):
    if get_path(props, "retentionInDays") is not None:
        return None  # a retention someone chose, "never expire" (0) included, is never rewritten
    minimum = config["minimumDays"]
    fixed = dict(props)
    fixed["retentionInDays"] = min(d for d in LOG_RETENTION_ALLOWED if d >= minimum)
    return fixed


POLICY = PolicySpec(
    id="aws-cloudwatch-log-retention",
    description="CloudWatch log groups set a retention period of at least the configured minimum, or 0 (never "
    "expire).",
    severity="medium",
    rationale="Logs kept too briefly cannot support an incident investigation; logs kept forever with no "
    "decision cost money and hold personal data longer than needed.",
    # Worded for any configured minimum: the finding itself names the one in force.
    remediation="Set `retentionInDays` on the log group to at least the configured `minimumDays` (default "
    f"{LOG_RETENTION_MINIMUM_DAYS}), as one of the values CloudWatch Logs accepts, or to 0 where logs must never "
    "expire; the remediation only fills in a retention that is not set. In a WebService stack "
    "set `logRetentionDays` (service logs) and `flowLogRetentionDays` (VPC flow logs); unset, both keep "
    + ", ".join(f"{days} days in {env}" for env, days in LOG_RETENTION_DAYS.items())
    + ".",
    resource_types=(LOG_GROUP,),
    check=check,
    remediate=remediate,
    controls={NIST: ("AU-11",), PCI: ("10.5.1",)},
    # A missing retention has one safe fix: the platform minimum, which the engine applies itself.
    enforcement="remediate",
    config_schema={
        "minimumDays": {
            "type": "integer",
            "enum": list(LOG_RETENTION_ALLOWED),
            "default": LOG_RETENTION_MINIMUM_DAYS,
            "description": "The shortest retention allowed, in days.",
        }
    },
    peers={"checkov": ("CKV_AWS_66",)},
)

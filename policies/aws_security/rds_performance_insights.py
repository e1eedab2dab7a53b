"""RDS database instances have Performance Insights on."""

# Peers: checkov CKV_AWS_353 (with the same exemptions: MySQL/MariaDB on micro and small classes, Db2).
# Which key encrypts Performance Insights data is aws-rds-performance-insights-kms' business.

from goldenpath.policy import NIST, PolicySpec, get_path

from ._rds import CLUSTER_INSTANCE, INSTANCE, is_true

# Engines and classes where RDS offers no Performance Insights (as checkov reads the RDS documentation).
SMALL_CLASS_ENGINES = ("mysql", "mariadb")
SMALL_CLASSES = ("db.t2.micro", "db.t2.small", "db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small")
UNSUPPORTED_ENGINES = ("db2-se", "db2-ae")


def check(props, config):
    engine = get_path(props, "engine")
    if isinstance(engine, str):
        if engine in UNSUPPORTED_ENGINES:
            return None
        if engine in SMALL_CLASS_ENGINES and get_path(props, "instanceClass") in SMALL_CLASSES:
            return None
    if is_true(get_path(props, "performanceInsightsEnabled")):
        return None
    return (
        "Performance Insights is off; set performanceInsightsEnabled to true (with performanceInsightsKmsKeyId "
        "set to a customer-managed key)"
    )


POLICY = PolicySpec(
    id="aws-rds-performance-insights",
    description="RDS DB instances and Aurora cluster instances have Performance Insights enabled.",
    severity="low",
    rationale="Performance Insights records database load by wait event, SQL statement, host and user, so a "
    "slowdown, a lock pile-up or an unexpected client can be traced to its cause after the fact; without it the "
    "evidence is gone once the incident is over. Seven days of history are free.",
    remediation="Set `performance_insights_enabled=True` and `performance_insights_kms_key_id` to a "
    "customer-managed key's ARN on the `aws.rds.Instance` or `aws.rds.ClusterInstance`.",
    resource_types=(INSTANCE, CLUSTER_INSTANCE),
    check=check,
    controls={NIST: ("SI-4", "AU-12")},
    peers={"checkov": ("CKV_AWS_353",)},
)

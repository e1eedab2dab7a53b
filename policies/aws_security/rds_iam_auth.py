"""RDS MySQL, MariaDB and PostgreSQL databases accept IAM database authentication."""

# Peers: checkov CKV_AWS_161 (instances), CKV_AWS_162 (clusters), cdk-nag AwsSolutions-RDS6 (Aurora clusters)

from goldenpath.policy import NIST, PolicySpec, get_path

from ._rds import CLUSTER, INSTANCE, is_replica, is_true

# The engines IAM database authentication works with (RDS User Guide, "IAM database authentication
# for MariaDB, MySQL, and PostgreSQL"; Aurora User Guide, "IAM database authentication").
IAM_AUTH_ENGINES = frozenset({"mysql", "mariadb", "postgres", "aurora", "aurora-mysql", "aurora-postgresql"})


def check(props, config, resource):
    if is_true(get_path(props, "iamDatabaseAuthenticationEnabled")):
        return None
    engine = get_path(props, "engine")
    if engine is None and resource.resource_type == INSTANCE and is_replica(props):
        return None  # a replica's engine is its source's; the source is judged where it is declared
    if not isinstance(engine, str) or engine.lower() not in IAM_AUTH_ENGINES:
        return None  # Oracle, SQL Server, Db2 have no IAM database authentication
    return (
        f"IAM database authentication is off for this {engine} database; set iamDatabaseAuthenticationEnabled: "
        "true so that applications connect with short-lived IAM tokens instead of a stored password"
    )


POLICY = PolicySpec(
    id="aws-rds-iam-auth",
    description="RDS instances and Aurora clusters running MySQL, MariaDB or PostgreSQL enable IAM database "
    "authentication.",
    severity="medium",
    rationale="With IAM database authentication an application logs in with a 15-minute token tied to its IAM "
    "role, so database access is granted, audited and revoked in IAM like every other access, and no long-lived "
    "database password has to be distributed; the master password stays a break-glass credential.",
    remediation="Set `iam_database_authentication_enabled=True` on the `aws.rds.Instance` or `aws.rds.Cluster`, "
    "create the database user with the engine's IAM plugin/role (`rds_iam`), and grant the application role "
    "`rds-db:connect` on that user.",
    resource_types=(INSTANCE, CLUSTER),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("IA-2", "AC-2")},
    peers={"checkov": ("CKV_AWS_161", "CKV_AWS_162"), "cdk-nag": ("AwsSolutions-RDS6",)},
)

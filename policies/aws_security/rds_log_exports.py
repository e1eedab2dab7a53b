"""RDS databases export their engine's security and error logs to CloudWatch Logs."""

# Peers: checkov CKV_AWS_129 (instances), CKV_AWS_324 (clusters) - any export; CKV_AWS_325 (Aurora MySQL audit)

from goldenpath.policy import NIST, PCI, PolicySpec, as_list, get_path

from ._rds import CLUSTER, INSTANCE, is_replica

# The log types to export, per engine. Source: the log types each engine can publish, in the RDS User
# Guide "Publishing database logs to Amazon CloudWatch Logs" (per-engine pages: PostgreSQL
# "postgresql" [and "upgrade"]; MySQL and MariaDB "audit", "error", "general", "slowquery"; Oracle
# "alert", "audit", "listener", "trace"; SQL Server "agent", "error") and the Aurora User Guide
# (Aurora MySQL "audit", "error", "general", "slowquery"; Aurora PostgreSQL "postgresql"), as read in
# 2026. Chosen: the log that records sessions and statements (audit; for PostgreSQL the one
# "postgresql" log, which carries log_connections and pgaudit output) and the error log.
REQUIRED_LOGS: dict[str, list[str]] = {
    "postgres": ["postgresql"],
    "aurora-postgresql": ["postgresql"],
    "mysql": ["audit", "error"],
    "mariadb": ["audit", "error"],
    "aurora-mysql": ["audit", "error"],
    "aurora": ["audit", "error"],  # Aurora MySQL 5.6, the engine's legacy name
    "oracle-ee": ["alert", "audit"],
    "oracle-ee-cdb": ["alert", "audit"],
    "oracle-se2": ["alert", "audit"],
    "oracle-se2-cdb": ["alert", "audit"],
    "sqlserver-ee": ["error"],
    "sqlserver-se": ["error"],
    "sqlserver-ex": ["error"],
    "sqlserver-web": ["error"],
}


def check(props, config, resource):
    engine = get_path(props, "engine")
    if engine is None and resource.resource_type == INSTANCE and is_replica(props):
        return None  # a replica's engine is its source's; its exports are judged on the source
    required = dict(REQUIRED_LOGS)
    required.update(config["requiredLogs"])
    if not isinstance(engine, str) or engine.lower() not in required:
        return None
    exported = {str(t) for t in as_list(get_path(props, "enabledCloudwatchLogsExports"))}
    missing = [t for t in required[engine.lower()] if t not in exported]
    if not missing:
        return None
    wanted = sorted(exported | set(missing))
    return (
        f"this {engine} database does not export {', '.join(repr(m) for m in missing)} to CloudWatch Logs; "
        f"set enabledCloudwatchLogsExports to {wanted}"
    )


POLICY = PolicySpec(
    id="aws-rds-log-exports",
    description="RDS instances and clusters export their engine's audit and error logs to CloudWatch Logs.",
    severity="medium",
    rationale="Database logs kept only on the instance rotate away within days, vanish with the instance and "
    "cannot be alarmed on; exported to CloudWatch Logs they are retained, searchable and outside the reach of "
    "a database user who covers their tracks.",
    remediation="Set `enabled_cloudwatch_logs_exports` on the `aws.rds.Instance` or `aws.rds.Cluster`: "
    '`["postgresql"]` for PostgreSQL, `["audit", "error"]` for MySQL/MariaDB/Aurora MySQL (the audit log also '
    "needs the MARIADB_AUDIT_PLUGIN option group, or `server_audit_logging` on Aurora MySQL), "
    '`["alert", "audit"]` for Oracle, `["error"]` for SQL Server; `requiredLogs` changes the list per engine.',
    resource_types=(INSTANCE, CLUSTER),
    check=check,
    check_receives_resource=True,
    controls={NIST: ("AU-2", "AU-12"), PCI: ("10.2.1",)},
    peers={"checkov": ("CKV_AWS_129", "CKV_AWS_324", "CKV_AWS_325")},
    config_schema={
        "requiredLogs": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "default": {},
            "description": "Engine -> the log types it must export, overriding the built-in table for that "
            "engine (an empty list turns the check off for it).",
        }
    },
)

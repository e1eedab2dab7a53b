"""RDS databases run an engine major version that is still in AWS standard support."""

from goldenpath.policy import NIST, PolicySpec, get_path

from ._rds import CLUSTER, INSTANCE, version_tuple

# The oldest major version per engine still in standard support, with the date the one below it left
# it. Source: the Amazon RDS for PostgreSQL and for MySQL release calendars and the Aurora
# PostgreSQL/MySQL release calendars ("end of standard support"), as read for 2026:
#   postgres 13            - 2026-02-28        aurora-postgresql 13    - 2026-02-28
#   mysql 8.0              - 2026-07-31        aurora-mysql 2 (5.7)    - 2024-10-31
# After that date AWS enrols the database in paid RDS Extended Support (or upgrades it in a
# maintenance window of its own choosing). Other engines (MariaDB, Oracle, SQL Server) are not in
# the table: add them with `minimumVersions`.
MINIMUM_VERSIONS: dict[str, str] = {
    "postgres": "14",
    "aurora-postgresql": "14",
    "mysql": "8.4",
    "aurora-mysql": "8.0",
}
AS_OF = "2026-07-31"


def _format(version: tuple[int, ...]) -> str:
    return ".".join(str(p) for p in version)


def check(props, config):
    engine = get_path(props, "engine")
    version = get_path(props, "engineVersion")
    if not isinstance(engine, str) or version is None:
        return None  # no version given: AWS creates the database on the engine's current default
    minimums = dict(MINIMUM_VERSIONS)
    minimums.update(config["minimumVersions"])
    minimum = minimums.get(engine.lower())
    if not minimum:
        return None
    given, wanted = version_tuple(str(version)), version_tuple(str(minimum))
    if not given or not wanted:
        return None  # not a numbered version (a custom engine version name): nothing to compare
    if given[: len(wanted)] >= wanted:
        return None
    return (
        f"{engine} {version} is older than {_format(wanted)}, the oldest {engine} version in AWS standard "
        f"support; set engineVersion to {_format(wanted)} or later (a major version upgrade)"
    )


POLICY = PolicySpec(
    id="aws-rds-supported-engine-version",
    description="RDS instances and clusters that pin engineVersion pin a major version still in AWS standard "
    "support.",
    severity="medium",
    rationale="Past the end of standard support an engine version gets no community security fixes through "
    "RDS; AWS then bills RDS Extended Support per vCPU-hour, or upgrades the database in a maintenance window "
    f"it chooses. The built-in minimums follow the RDS and Aurora release calendars (as of {AS_OF}).",
    remediation="Set `engine_version` on the `aws.rds.Instance` or `aws.rds.Cluster` to a supported major "
    "version (a tested major version upgrade, with `allow_major_version_upgrade=True` for that change), or "
    "leave it unset for the engine's default; `minimumVersions` (engine -> version) overrides the table.",
    resource_types=(INSTANCE, CLUSTER),
    check=check,
    controls={NIST: ("SI-2", "SA-22")},
    config_schema={
        "minimumVersions": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "default": {},
            "description": 'Engine -> the oldest allowed engine version (e.g. {"postgres": "15"}), '
            "overriding the built-in table for that engine; an empty string turns the check off for it.",
        }
    },
)

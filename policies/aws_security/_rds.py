"""Resource types and readings the RDS policies share."""

from __future__ import annotations

from typing import Any

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import get_path

INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"


def is_true(value):
    """A boolean input, tolerating the string form some inputs take."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def is_false(value):
    """An explicit false, tolerating the string form some inputs take."""
    return value is False or (isinstance(value, str) and value.lower() == "false")


def is_replica(props: Any) -> bool:
    """True for a read replica (replicateSourceDb set, or known only after apply)."""
    try:
        return get_path(props, "replicateSourceDb") not in (None, "")
    except UnknownValueError:
        return True


def version_tuple(version: str) -> tuple[int, ...]:
    """The leading numeric parts of an engine version: "16.3" -> (16, 3), "8.0.mysql_aurora.3.05.2" -> (8, 0)."""
    parts: list[int] = []
    for piece in version.split("."):
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return tuple(parts)

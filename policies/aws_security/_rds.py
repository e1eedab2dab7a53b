"""Resource types the RDS policies share."""

INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"


def is_true(value):
    """A boolean input, tolerating the string form some inputs take."""
    return value is True or (isinstance(value, str) and value.lower() == "true")

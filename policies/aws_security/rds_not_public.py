"""RDS databases are not reachable from the internet."""

# Peers: checkov CKV_AWS_17, awsguard rds-instance-public-access

from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec, get_path

from ._rds import CLUSTER, CLUSTER_INSTANCE, INSTANCE, is_true

_FIX = "set publiclyAccessible: false and reach the database from inside the VPC"


def check(props, config):
    public = get_path(props, "publiclyAccessible")
    if is_true(public):
        return f"the database is publicly accessible; {_FIX}"
    # A Multi-AZ DB cluster (the only cluster kind with this setting) defaults to public when it has
    # no DB subnet group of its own.
    multi_az_cluster = get_path(props, "dbClusterInstanceClass") is not None
    if public is None and multi_az_cluster and get_path(props, "dbSubnetGroupName") in (None, "", "default"):
        return (
            f"a Multi-AZ DB cluster without its own DB subnet group is publicly accessible by default; {_FIX}"
        )
    return None


POLICY = PolicySpec(
    id="aws-rds-not-public",
    description="RDS instances, cluster instances and Multi-AZ DB clusters are not publicly accessible.",
    severity="critical",
    rationale="A publicly accessible database gets a public DNS name and IP: its login is the only thing "
    "between the internet and the data, and database engines are a favourite target for credential stuffing.",
    remediation="Set `publiclyAccessible: false` (the default for instances), place the database in private "
    "subnets through its own DB subnet group, and allow its port only from the application's security group.",
    resource_types=(INSTANCE, CLUSTER_INSTANCE, CLUSTER),
    check=check,
    controls={CIS_AWS: ("2.3.3",), NIST: ("AC-3", "SC-7"), PCI: ("1.3.1", "1.4.4")},
    peers={"checkov": ("CKV_AWS_17",), "awsguard": ("rds-instance-public-access",)},
)

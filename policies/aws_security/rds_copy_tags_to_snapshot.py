"""RDS databases copy their tags to their snapshots."""

# Peers: checkov CKV2_AWS_60 (instances), CKV_AWS_313 (clusters)

from goldenpath.policy import NIST, PolicySpec, get_path

from ._rds import CLUSTER, INSTANCE, is_true


def check(props, config):
    if is_true(get_path(props, "copyTagsToSnapshot")):
        return None
    return (
        "copyTagsToSnapshot is not true (the default is false), so snapshots lose the owner, environment and "
        "data-classification tags; set copyTagsToSnapshot: true"
    )


POLICY = PolicySpec(
    id="aws-rds-copy-tags-to-snapshot",
    description="RDS instances and clusters copy their tags to their snapshots.",
    severity="low",
    rationale="A snapshot holds all of the database's data; without its tags nobody can tell whose it is, how "
    "it is classified or when it may be deleted, so untagged snapshots escape tag-based access control (ABAC), "
    "retention clean-up and cost allocation.",
    remediation="Set `copy_tags_to_snapshot=True` on the `aws.rds.Instance` or `aws.rds.Cluster` (Aurora "
    "snapshots are the cluster's).",
    resource_types=(INSTANCE, CLUSTER),
    check=check,
    controls={NIST: ("CM-8",)},
    peers={"checkov": ("CKV2_AWS_60", "CKV_AWS_313")},
)

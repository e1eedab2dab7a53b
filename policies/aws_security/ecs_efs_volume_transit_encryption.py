"""ECS task definitions mount EFS volumes with encryption in transit."""

from collections.abc import Mapping

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, get_path, note_unknown

from ._containers import TASK_DEFINITION, known
from ._iam import known_entries

# Peers: checkov CKV_AWS_97.

_UNKNOWN = object()


def check(props, config):
    volumes = get_path(props, "volumes")  # unknown as a whole: the policy can't run yet
    messages = []
    for index, volume in known_entries(volumes):
        if not isinstance(volume, Mapping):
            continue
        efs = known(volume, "efsVolumeConfiguration")
        if not isinstance(efs, Mapping):
            continue
        transit = known(efs, "transitEncryption", _UNKNOWN)
        if transit is _UNKNOWN:
            try:
                efs.get("transitEncryption")
            except UnknownValueError as error:
                note_unknown(error)  # unknown until apply: proves nothing yet
                continue
            transit = None
        if isinstance(transit, str) and transit.upper() == "ENABLED":
            continue
        volume_name = known(volume, "name")
        label = (
            f"volume {volume_name!r}"
            if isinstance(volume_name, str) and volume_name
            else f"volume #{index + 1}"
        )
        state = f"is {transit!r}" if isinstance(transit, str) else "is not set (DISABLED)"
        messages.append(
            f"{label} mounts EFS with transitEncryption {state}; set "
            "efs_volume_configuration.transit_encryption to 'ENABLED'"
        )
    return messages


POLICY = PolicySpec(
    id="aws-ecs-efs-volume-transit-encryption",
    description="EFS volumes of ECS task definitions have transitEncryption ENABLED.",
    severity="high",
    rationale="Without transit encryption the task's NFS traffic to EFS is plaintext on the network: anyone who "
    "can capture it in the VPC reads and alters the files, and EFS IAM authorization cannot be used at all.",
    remediation="Set `efs_volume_configuration.transit_encryption='ENABLED'` on each volume of the "
    "aws.ecs.TaskDefinition (and `authorization_config.iam='ENABLED'` with an access point to authorize by "
    "task role).",
    resource_types=(TASK_DEFINITION,),
    check=check,
    controls={NIST: ("SC-8", "SC-8(1)"), PCI: ("4.2.1",)},
    peers={"checkov": ("CKV_AWS_97",)},
)

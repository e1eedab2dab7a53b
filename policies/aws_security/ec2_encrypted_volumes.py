"""EBS volumes of EC2 instances, launch templates, launch configurations and standalone volumes are encrypted."""

from goldenpath.policy import CIS_AWS, NIST, PCI, PolicySpec, as_list, get_path

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
# An Auto Scaling launch configuration describes its instances' volumes with an instance's shape.
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
VOLUME = "aws:ebs/volume:Volume"

# Peers: checkov CKV_AWS_3 (volumes), CKV_AWS_8 (instances, launch configurations),
# cdk-nag AwsSolutions-EC26, awsguard encrypted-volumes (instances).

_FIX = "set encrypted: true"


def _encrypted(value):
    # Launch templates take the flag as the string "true"; instances and volumes as a boolean.
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _device(block, index, kind):
    device = get_path(block, "deviceName")
    return f"{kind} {device!r}" if device else f"{kind} #{index + 1}"


def _instance(props):
    root = get_path(props, "rootBlockDevice")
    if root is None:
        if get_path(props, "launchTemplate") is None:
            yield f"the root volume's encryption is left to the AMI; add rootBlockDevice and {_FIX}"
    elif not _encrypted(get_path(root, "encrypted")):
        yield f"the root volume is not encrypted; {_FIX} on rootBlockDevice"
    for index, block in enumerate(as_list(get_path(props, "ebsBlockDevices"))):
        if not _encrypted(get_path(block, "encrypted")):
            yield f"{_device(block, index, 'EBS volume')} is not encrypted; {_FIX}"


def _launch_template(props):
    for index, mapping in enumerate(as_list(get_path(props, "blockDeviceMappings"))):
        ebs = get_path(mapping, "ebs")
        if ebs is None:
            continue  # an instance store or a suppressed device, not an EBS volume
        if not _encrypted(get_path(ebs, "encrypted")):
            yield f"{_device(mapping, index, 'block device mapping')} creates an unencrypted EBS volume; {_FIX} on ebs"


def _volume(props):
    if not _encrypted(get_path(props, "encrypted")):
        yield f"the volume is not encrypted; {_FIX}"


_CHECKS = {
    INSTANCE: _instance,
    LAUNCH_CONFIGURATION: _instance,
    LAUNCH_TEMPLATE: _launch_template,
    VOLUME: _volume,
}


def check(props, config, resource):
    resource_type = resource.resource_type
    return list(_CHECKS[resource_type](props))


POLICY = PolicySpec(
    id="aws-ec2-encrypted-volumes",
    description="EBS volumes are encrypted: instance and launch configuration root and EBS block devices, launch "
    "template EBS mappings, and standalone volumes.",
    severity="high",
    rationale="An unencrypted EBS volume, and every snapshot taken of it, can be read by anyone who can copy or "
    "share the snapshot; encryption cannot be added to a volume afterwards.",
    remediation="Set `encrypted: true` (and a customer-managed `kmsKeyId`) on rootBlockDevice, every "
    "ebsBlockDevices entry of an instance or launch configuration, every launch template ebs mapping and "
    "every aws.ebs.Volume. Also turn on aws.ebs.EncryptionByDefault in every region so no volume is created unencrypted.",
    resource_types=(INSTANCE, LAUNCH_CONFIGURATION, LAUNCH_TEMPLATE, VOLUME),
    check=check,
    check_receives_resource=True,
    controls={CIS_AWS: ("2.2.1",), NIST: ("SC-28",), PCI: ("3.5.1",)},
    peers={
        "checkov": ("CKV_AWS_3", "CKV_AWS_8"),
        "cdk-nag": ("AwsSolutions-EC26",),
        "awsguard": ("encrypted-volumes",),
    },
)

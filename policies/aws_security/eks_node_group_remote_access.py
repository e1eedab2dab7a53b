"""EKS node groups with SSH access restrict it to source security groups."""

# Peers: checkov CKV_AWS_100.

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, as_list, get_path

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"


def check(props, config):
    try:
        sources = as_list(get_path(props, "remoteAccess.sourceSecurityGroupIds"))
    except UnknownValueError:
        return None  # security groups the stack creates: SSH is restricted to them
    if sources:
        return None
    if not get_path(props, "remoteAccess.ec2SshKey"):
        return None  # no SSH key: EKS opens no SSH port
    return (
        "node group names an SSH key (remoteAccess.ec2SshKey) without remoteAccess.sourceSecurityGroupIds, so EKS "
        "opens port 22 on every node to 0.0.0.0/0; set sourceSecurityGroupIds, or drop remoteAccess and use SSM "
        "Session Manager"
    )


POLICY = PolicySpec(
    id="aws-eks-node-group-remote-access",
    description="EKS managed node groups that allow SSH restrict it to source security groups.",
    severity="high",
    rationale="When a managed node group has an SSH key and no source security groups, EKS adds an inbound rule "
    "for port 22 from 0.0.0.0/0 to every node's security group: the worker nodes, which hold the kubelet's "
    "credentials and every pod's secrets, are open to SSH brute force and key theft from the whole internet.",
    remediation='Set `remote_access={"ec2_ssh_key": ..., "source_security_group_ids": [bastion_sg.id]}` on the '
    "`aws.eks.NodeGroup`, or remove `remote_access` and reach nodes through SSM Session Manager.",
    resource_types=(NODE_GROUP,),
    check=check,
    controls={NIST: ("AC-17", "SC-7")},
    peers={"checkov": ("CKV_AWS_100",)},
)

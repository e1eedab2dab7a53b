"""SSH from the office only: the office CIDRs come from an internal service, loaded on a thread."""

import threading

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
allow_list_url = config.require("allowListUrl")
office_cidrs = []


def load_allow_list():
    # The internal service is not reachable from here; the loader gives up.
    raise ConnectionError(f"allow-list service unreachable at {allow_list_url}")


loader = threading.Thread(target=load_allow_list, name="allow-list-loader")
loader.start()
loader.join()

aws.ec2.SecurityGroup(
    "office-ssh",
    description="SSH from the office",
    ingress=[
        {
            "protocol": "tcp",
            "from_port": 22,
            "to_port": 22,
            "cidr_blocks": office_cidrs or ["0.0.0.0/0"],
            "description": "SSH from the office",
        }
    ],
)

"""SNS topics refuse publishing without TLS (a topic policy Deny on aws:SecureTransport false, or SSE)."""

# Peers: cdk-nag AwsSolutions-SNS3

from goldenpath.policy import NIST, PCI, PolicySpec

from ._elb import Pointers
from ._s3 import UNKNOWN, arn_matches, read
from ._transport import denies_plain_http

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
_EXPECTED = (
    'a statement that denies "sns:Publish" to Principal "*" on the topic when aws:SecureTransport is "false"'
)


def _publish(action: str) -> bool:
    return arn_matches(action, "sns:publish")


def stack_check(resources, config):
    topics = [r for r in resources if r.resource_type == TOPIC]
    policies = Pointers(
        topics, [r for r in resources if r.resource_type == TOPIC_POLICY], "arn", keys=("arn",)
    )
    for topic in topics:
        # SNS refuses plain HTTP on a topic with server-side encryption (AWS: "All requests to topics
        # with SSE enabled must use HTTPS"); a key known only after apply is still a key.
        if read(topic.props, "kmsMasterKeyId") not in (None, ""):
            continue
        documents = [read(p.props, "policy") for p in policies.of(topic)]
        inline = read(topic.props, "policy")
        if inline is not None:
            documents.append(inline)
        if not documents:
            if policies.reach(topic) is False:
                yield (
                    topic.urn,
                    f"topic has no topic policy and no encryption; add a TopicPolicy with {_EXPECTED}",
                )
            continue
        arn = read(topic.props, "arn")
        verdicts = [denies_plain_http(d, None if arn is UNKNOWN else arn, _publish) for d in documents]
        if any(v is not False for v in verdicts) or policies.reach(topic) is None:
            continue  # undecided, or a policy whose target is not known yet may be this topic's
        yield topic.urn, f"topic policy does not refuse publishing over plain HTTP; add {_EXPECTED}"


POLICY = PolicySpec(
    id="aws-sns-tls-only",
    description="Every SNS topic refuses publishing without TLS: its topic policy denies sns:Publish when "
    "aws:SecureTransport is false, or it is encrypted (SNS then requires HTTPS).",
    severity="medium",
    rationale="SNS accepts plain HTTP on an unencrypted topic, so a publisher that is misconfigured or downgraded "
    "sends message bodies readable and alterable on the network; an explicit Deny on aws:SecureTransport=false "
    "refuses such requests (AWS already refuses them on a topic with server-side encryption).",
    remediation="Set `kms_master_key_id` on the `aws.sns.Topic` (goldenpath's Monitoring component does), or add to "
    "the `policy` of its `aws.sns.TopicPolicy` the statement "
    '`{"Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": topic_arn, '
    '"Condition": {"Bool": {"aws:SecureTransport": "false"}}}`.',
    resource_types=(TOPIC, TOPIC_POLICY),
    stack_check=stack_check,
    controls={NIST: ("SC-8",), PCI: ("4.2.1",)},
    peers={"cdk-nag": ("AwsSolutions-SNS3",)},
)

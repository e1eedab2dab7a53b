"""CloudFront distributions record standard access logs."""

from goldenpath.policy import NIST, PCI, PolicySpec

from ._elb import Pointers
from ._s3 import UNKNOWN, read

# Peers: checkov CKV_AWS_86, cdk-nag AwsSolutions-CFR3 (both know only the legacy loggingConfig).

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
# Standard logging v2: a CloudWatch Logs delivery source whose resourceArn is the distribution.
LOG_DELIVERY_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"


def stack_check(resources, config):
    distributions = [r for r in resources if r.resource_type == DISTRIBUTION]
    sources = (
        r
        for r in resources
        if r.resource_type == LOG_DELIVERY_SOURCE and read(r.props, "logType") in ("ACCESS_LOGS", UNKNOWN)
    )
    v2 = Pointers(distributions, sources, "resourceArn", keys=("arn",))
    for distribution in distributions:
        if read(distribution.props, "loggingConfig.bucket") is not None:
            continue  # legacy standard logs (an unknown bucket is still a bucket)
        if v2.reach(distribution) is not False:
            continue
        yield (
            distribution.urn,
            "distribution has no access logs; set loggingConfig.bucket to a log bucket, or add a "
            "LogDeliverySource (logType ACCESS_LOGS, resourceArn the distribution's arn) with a LogDelivery",
        )


POLICY = PolicySpec(
    id="aws-cloudfront-logging",
    description="CloudFront distributions have standard access logs (legacy loggingConfig or logging v2).",
    severity="low",
    rationale="CloudFront access logs are the only per-request record of who fetched what from the edge; "
    "without them abuse, scraping or a leaked signed URL cannot be investigated.",
    remediation="Set `logging_config.bucket` on the `aws.cloudfront.Distribution` to a log bucket's "
    "`bucket_domain_name`, or use standard logging v2: an `aws.cloudwatch.LogDeliverySource` "
    '(`log_type="ACCESS_LOGS"`, `resource_arn=distribution.arn`, in us-east-1), a `LogDeliveryDestination` and a '
    "`LogDelivery`.",
    resource_types=(DISTRIBUTION, LOG_DELIVERY_SOURCE),
    stack_check=stack_check,
    controls={NIST: ("AU-2", "AU-12"), PCI: ("10.2.1",)},
    peers={"checkov": ("CKV_AWS_86",), "cdk-nag": ("AwsSolutions-CFR3",)},
)

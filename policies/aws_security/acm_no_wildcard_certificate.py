"""ACM certificates name each host rather than a wildcard."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PolicySpec, get_path, note_unknown

from ._iam import known_strings

# Peers: none found.

CERTIFICATE = "aws:acm/certificate:Certificate"


def check(props, config):
    names = []
    for path in ("domainName", "subjectAlternativeNames"):
        try:
            found, _ = known_strings(get_path(props, path))
        except UnknownValueError as error:
            note_unknown(error)  # judge the other field; an unknown name may still be a wildcard
            continue
        names += found
    wildcards = list(dict.fromkeys(n for n in names if n.strip().startswith("*.")))
    if wildcards:
        return (
            f"certificate covers wildcard name(s) {', '.join(wildcards)}; request a certificate for the exact "
            "host names (domainName and subjectAlternativeNames) instead"
        )
    return None


POLICY = PolicySpec(
    id="aws-acm-no-wildcard-certificate",
    description="ACM certificates do not use wildcard domain names.",
    severity="low",
    rationale="A wildcard certificate is valid for every host under the domain: wherever it is deployed, its "
    "key can impersonate all of them, and one compromised service exposes the rest.",
    remediation="Set `domain_name` (and `subject_alternative_names`) of the `aws.acm.Certificate` to the exact "
    "host names the service answers on, one certificate per service.",
    resource_types=(CERTIFICATE,),
    check=check,
    controls={NIST: ("SC-12", "SC-17")},
)

"""S3 buckets grant nothing to everyone or to every AWS account through an ACL."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, as_list, get_path

from ._s3 import BUCKET

BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl"
PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_GRANTEES = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers (anyone)",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers (any AWS account)",
}


def _public_grantee(uri):
    return (
        PUBLIC_GRANTEES.get(uri.strip().rstrip("/").replace("https://", "http://"))
        if isinstance(uri, str)
        else None
    )


def _grant_problem(grant):
    who = _public_grantee(get_path(grant, "grantee.uri")) or _public_grantee(get_path(grant, "uri"))
    if not who:
        return None
    permissions = get_path(grant, "permission") or ", ".join(
        str(p) for p in as_list(get_path(grant, "permissions"))
    )
    return f"ACL grants {permissions or 'access'} to {who}; grant only to named accounts"


def check(props, config):
    problems, unknown = [], None
    try:
        acl = get_path(props, "acl")
        if acl in PUBLIC_CANNED_ACLS:
            problems.append(f"canned ACL {acl!r} makes the bucket public; use 'private' (or no ACL)")
    except UnknownValueError as error:
        unknown = error
    # BucketAcl: accessControlPolicy.grants[].grantee.uri; the Bucket's deprecated inline grants[].uri.
    for path in ("accessControlPolicy.grants", "grants"):
        try:
            grants = as_list(get_path(props, path))
        except UnknownValueError as error:
            unknown = unknown or error
            continue
        for grant in grants:
            try:
                problem = _grant_problem(grant)
            except UnknownValueError as error:
                unknown = unknown or error
                continue
            if problem:
                problems.append(problem)
    # A definite public grant is reported even while other parts are unknown; otherwise wait for apply.
    if unknown is not None and not problems:
        raise unknown
    return problems


POLICY = PolicySpec(
    id="aws-s3-no-public-acl",
    description="No S3 bucket ACL grants access to everyone or to every authenticated AWS user.",
    severity="critical",
    rationale="A public-read or authenticated-read ACL exposes every object of the bucket to the internet; "
    '"authenticated" means any AWS account in the world, not yours.',
    remediation='Remove the `aws.s3.BucketAcl` (or set `acl="private"`), drop grants to the AllUsers and '
    "AuthenticatedUsers groups, and prefer `aws.s3.BucketOwnershipControls` with `BucketOwnerEnforced`, which "
    "disables ACLs altogether (goldenpath's Service component does this).",
    resource_types=(BUCKET, BUCKET_ACL),
    check=check,
    controls={NIST: ("AC-3", "AC-4", "SC-7"), PCI: ("1.3.1", "1.4.4")},
    peers={
        "checkov": (
            "CKV_AWS_20",
            "CKV_AWS_57",
            "CKV2_AWS_43",
            "CKV_AWS_375",
        )
    },
)

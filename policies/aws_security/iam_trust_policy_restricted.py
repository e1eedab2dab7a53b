"""Role trust policies trust neither everyone nor an unconfigured account without a condition that pins it."""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import NIST, PCI, PolicySpec, as_list, get_path

from ._conditions import PINNING_KEYS, pins_caller
from ._iam import ROLE, MalformedDocument, is_allow, label, parse
from ._principals import account_of, grantee, read_principal

# Peers: checkov CKV_AWS_60, CKV_AWS_61

# Conditions that tie a cross-account AssumeRole to the party meant (the external id agreed with a
# third party, the organization, or the exact principal).
CROSS_ACCOUNT_KEYS = frozenset(
    {"sts:externalid", "aws:principalorgid", "aws:principalorgpaths", "aws:principalarn"}
)


def _accounts(values):
    """Account ids from config, as 12-digit strings (YAML and JSON may carry an unquoted id as a number)."""
    found = set()
    for value in as_list(values):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
            found.add(str(int(value)).zfill(12))
        elif isinstance(value, str) and value.strip():
            found.add(value.strip())
    return found


def check(props, config):
    document = get_path(props, "assumeRolePolicy")  # unknown until apply: preview cannot run the check
    if document is None or document == "":
        return
    try:
        statements = parse(document)
    except MalformedDocument as error:
        yield f"assumeRolePolicy {error}; give a valid JSON trust policy in assume_role_policy"
        return
    own = _accounts(config.get("accountIds"))
    trusted = _accounts(config.get("trustedAccounts")) | own
    for index, statement in enumerate(statements):
        try:
            if not is_allow(statement):
                continue
            where = label(statement, index)
            condition = statement.get("Condition")
            everyone = grantee(statement)
            if everyone is not None:
                if not pins_caller(condition, PINNING_KEYS):
                    yield (
                        f"trust policy {where} lets {everyone} assume the role with no condition that pins the "
                        "caller; in assume_role_policy name the account or role that assumes it, or add a "
                        "condition on aws:PrincipalOrgID, aws:PrincipalAccount or aws:PrincipalArn with fixed values"
                    )
                continue
            if not own:
                continue  # which accounts are this organization's is not configured: nothing is "another account"
            for principal in read_principal(statement.get("Principal")).aws:
                account = account_of(principal)
                if account is None or account in trusted or pins_caller(condition, CROSS_ACCOUNT_KEYS):
                    continue
                yield (
                    f"trust policy {where} lets {principal} of account {account}, which is neither in accountIds "
                    "nor in trustedAccounts, assume the role with no condition on sts:ExternalId, "
                    "aws:PrincipalOrgID or aws:PrincipalArn; add such a condition in assume_role_policy, or add the "
                    "account to this policy's trustedAccounts once it is reviewed"
                )
        except UnknownValueError:
            continue


POLICY = PolicySpec(
    id="aws-iam-trust-policy-restricted",
    description='IAM role trust policies trust no "*" principal without a pinning condition, and no AWS principal '
    "of an account outside accountIds and trustedAccounts without an sts:ExternalId, aws:PrincipalOrgID or "
    "aws:PrincipalArn condition.",
    severity="critical",
    rationale='A trust policy that lets Principal "*" assume a role hands the role\'s permissions to every AWS '
    "account, unless a condition such as aws:PrincipalOrgID ties the caller to an owner. Trusting an account "
    "outside the organization hands it to whoever administers that account; an sts:ExternalId condition (the "
    "confused deputy guard for third parties), aws:PrincipalOrgID or aws:PrincipalArn narrows it to the party "
    "meant. A resource check cannot know the deploying account, so accounts are judged only when the pack config "
    'lists the organization\'s accounts in accountIds: with accountIds empty (the default) only "*" is checked. '
    "Federated and service principals are judged by other policies (aws-iam-github-oidc-trust-pinned).",
    remediation="In `assume_role_policy` of the `aws.iam.Role` name the account or role that assumes it instead of "
    '"*", or add a condition on aws:PrincipalOrgID, aws:PrincipalAccount or aws:PrincipalArn; for a third-party '
    "account add a `sts:ExternalId` StringEquals condition, or list the reviewed account in this policy's "
    "`trustedAccounts`.",
    resource_types=(ROLE,),
    check=check,
    controls={NIST: ("AC-3", "AC-6"), PCI: ("7.2.1",)},
    peers={"checkov": ("CKV_AWS_60", "CKV_AWS_61")},
    config_schema={
        "accountIds": {
            "type": "array",
            "items": {"type": ["string", "integer"]},
            "default": [],
            "description": "The AWS account ids of this organization. Empty (the default) means unknown: then "
            'only a trust to "*" is flagged, since a resource check cannot tell the deploying account from '
            "another one. When set, an AWS principal of an account not listed here or in trustedAccounts needs "
            "an sts:ExternalId, aws:PrincipalOrgID or aws:PrincipalArn condition.",
        },
        "trustedAccounts": {
            "type": "array",
            "items": {"type": ["string", "integer"]},
            "default": [],
            "description": "Account ids outside accountIds (partners, vendors) that a security review accepted "
            "as trusted without a condition.",
        },
    },
)

"""Roles that trust GitHub Actions OIDC tokens trust one repository's workflows, not all of GitHub."""

import re
from collections.abc import Mapping

from goldenpath.conventions import GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST
from goldenpath.policy import NIST, PCI, PolicySpec, get_path

from ._iam import ROLE, MalformedDocument, is_allow, label, parse, strings

SUB_KEY = f"{GITHUB_OIDC_HOST}:sub"
AUD_KEY = f"{GITHUB_OIDC_HOST}:aud"
# repo:<owner>/<repo>: followed by the ref, environment or event; owner and repo are literal.
_PINNED_SUBJECT = re.compile(r"^repo:[^/:*?\s]+/[^/:*?\s]+:")


def _trusts_github(statement):
    principal = statement.get("Principal")
    if not isinstance(principal, Mapping):
        return False
    return any(p.rstrip("/").endswith(GITHUB_OIDC_HOST) for p in strings(principal.get("Federated")))


def _condition_values(statement, key):
    """Values that restrict ``key``: from String operators (StringEquals, StringLike, …), never StringNot*."""
    conditions = statement.get("Condition")
    if not isinstance(conditions, Mapping):
        return []
    found = []
    for operator, clauses in conditions.items():
        base = operator.rsplit(":", 1)[-1].lower()  # without ForAnyValue:/ForAllValues:
        if not base.startswith("string") or "not" in base or not isinstance(clauses, Mapping):
            continue
        for clause_key, value in clauses.items():
            if clause_key.lower() == key:
                found.extend(strings(value))
    return found


def check(props, config):
    document = get_path(props, "assumeRolePolicy")
    if document is None:
        return
    try:
        statements = parse(document)
    except MalformedDocument as error:
        yield f"assumeRolePolicy {error}; its GitHub trust cannot be checked"
        return
    for index, statement in enumerate(statements):
        if not is_allow(statement) or not _trusts_github(statement):
            continue
        where = label(statement, index)
        subjects = _condition_values(statement, SUB_KEY)
        if not subjects:
            yield (
                f"{where} trusts GitHub Actions tokens of every repository: add a condition on {SUB_KEY} "
                "such as 'repo:<owner>/<repo>:ref:refs/heads/main'"
            )
        else:
            loose = [s for s in subjects if not _PINNED_SUBJECT.match(s)]
            if loose:
                yield (
                    f"{where} lets {', '.join(repr(s) for s in loose)} assume the role; every {SUB_KEY} value "
                    "must start with 'repo:<owner>/<repo>:' with owner and repository spelled out (no wildcard)"
                )
        audiences = _condition_values(statement, AUD_KEY)
        if not audiences:
            yield f"{where} does not check the token audience: add a condition {AUD_KEY} = {GITHUB_OIDC_AUDIENCE!r}"
        elif any(a != GITHUB_OIDC_AUDIENCE for a in audiences):
            yield (
                f"{where} accepts token audiences {', '.join(repr(a) for a in audiences)}; "
                f"{AUD_KEY} must be {GITHUB_OIDC_AUDIENCE!r} only"
            )


POLICY = PolicySpec(
    id="aws-iam-github-oidc-trust-pinned",
    description="IAM roles that trust GitHub's OIDC provider pin the token subject to one repository and the "
    "audience to sts.amazonaws.com.",
    severity="critical",
    rationale="GitHub's OIDC provider issues tokens to every workflow of every repository on github.com. A trust "
    "policy without a subject condition on repo:<owner>/<repo>, or with a wildcard in owner or repository, lets "
    "anyone's workflow assume the role.",
    remediation="Use the goldenpath Ci component: its deploy role trusts exactly repo:<owner>/<repo>:ref:refs/heads/"
    "<branch> (and named GitHub environments) with StringEquals, and the sts.amazonaws.com audience. By hand: add "
    '"Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", '
    '"token.actions.githubusercontent.com:sub": "repo:<owner>/<repo>:ref:refs/heads/main"}}.',
    resource_types=(ROLE,),
    check=check,
    controls={NIST: ("AC-3", "IA-2"), PCI: ("7.2.1",)},
    peers={"checkov": ("CKV_AWS_393",)},
)

"""Rules on values that reach both a blueprint's config and a component's ``Args``, written once.

Each ``check_*`` returns the value it was given or raises ``ValueError``. Messages name no field:
they follow the key the caller reports (``payments-api:github.branch: …`` in a config error, the
field name in a component's validation error).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

from goldenpath import conventions
from goldenpath.models import WITHHELD

# GitHub: an owner is 1-39 letters, digits or inner hyphens; a repository name is up to 100
# letters, digits, '.', '_' or '-', and neither '.' nor '..'.
_GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_GITHUB_BRANCH = re.compile(r"^[A-Za-z0-9._/-]+$")
_GITHUB_OIDC_PROVIDER_ARN = re.compile(
    r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/" + re.escape(conventions.GITHUB_OIDC_HOST) + r"$"
)
ACM_CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$")
ECS_CLUSTER_ARN = re.compile(r"^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster/[A-Za-z0-9_-]{1,255}$")
# The OCI / Docker grammar of a tag, and of a sha256 digest.
_IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_IMAGE_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_ENVIRONMENT_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# --- Tag values -----------------------------------------------------------------------------------

# AWS allows in tag values letters, numbers and spaces in any script, and _ . : / = + - @.
_TAG_VALUE_PUNCTUATION = frozenset("_.:/=+-@")


def check_tag_value(value: str) -> str:
    """A value that becomes an AWS tag (a cost center): not blank, and only what AWS accepts."""
    if not value.strip():
        raise ValueError("must not be blank: it becomes a tag value that platform-required-tags checks")
    bad = sorted(
        {
            c
            for c in value
            if not (c.isalnum() or c in _TAG_VALUE_PUNCTUATION or unicodedata.category(c) == "Zs")
        }
    )
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise ValueError(
            f"has {shown}; an AWS tag value may hold letters, digits, spaces and _ . : / = + - @"
        )
    return value


TagValue = Annotated[str, AfterValidator(check_tag_value)]


# --- GitHub ---------------------------------------------------------------------------------------


def check_github_repository(value: str) -> str:
    """``owner/name`` exactly as GitHub spells it; IAM compares it with the token's ``sub`` claim."""
    if not _GITHUB_REPOSITORY.match(value) or value.split("/")[-1] in (".", ".."):
        raise ValueError(
            "must be a GitHub repository written as owner/name, e.g. acme/payments-api; "
            "wildcards are not allowed"
        )
    return value


def check_github_branch(value: str) -> str:
    """One branch name: it becomes part of an exact ``sub`` claim, so no pattern and no ref prefix."""
    if not _GITHUB_BRANCH.match(value) or value.startswith(("refs/", "/")) or value.endswith("/"):
        raise ValueError(
            "must be one branch name such as 'main' (letters, digits, '.', '_', '-', '/'; "
            "no 'refs/heads/' prefix, no wildcards)"
        )
    return value


def check_github_environments(value: list[str]) -> list[str]:
    """GitHub deployment environment names, each one exact (no wildcards, no ':')."""
    bad = [env for env in value if not env or "*" in env or "?" in env or ":" in env]
    if bad:
        raise ValueError(
            f"must be GitHub environment names without wildcards or ':'; not allowed: {', '.join(map(repr, bad))}"
        )
    return value


def check_github_oidc_provider_arn(value: str) -> str:
    """The account's IAM OIDC provider for GitHub Actions, and no other identity provider."""
    if not _GITHUB_OIDC_PROVIDER_ARN.match(value):
        raise ValueError(
            "must be the account's GitHub OIDC provider, "
            f"arn:aws:iam::<account>:oidc-provider/{conventions.GITHUB_OIDC_HOST}"
        )
    return value


# Field types that carry their rule, for the config models and the component Args alike.
GithubRepository = Annotated[str, AfterValidator(check_github_repository)]
GithubBranch = Annotated[str, AfterValidator(check_github_branch)]
GithubEnvironments = Annotated[list[str], AfterValidator(check_github_environments)]


# --- Load balancer and cluster --------------------------------------------------------------------


def check_acm_certificate_arn(value: str) -> str:
    """An ACM certificate ARN, as an HTTPS listener takes it."""
    if not ACM_CERTIFICATE_ARN.match(value):
        raise ValueError("must be an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<id>")
    return value


def check_ecs_cluster_arn(value: str) -> str:
    """An ECS cluster ARN, from which the cluster's name is read (:func:`ecs_cluster_name`)."""
    if not ECS_CLUSTER_ARN.match(value):
        raise ValueError("must be an ECS cluster ARN, arn:aws:ecs:<region>:<account>:cluster/<name>")
    return value


def ecs_cluster_name(cluster_arn: str) -> str:
    """The cluster name in ``arn:aws:ecs:<region>:<account>:cluster/<name>``."""
    return cluster_arn.rsplit("/", 1)[-1]


# --- Images ---------------------------------------------------------------------------------------


def _tag_problem(tag: str) -> str | None:
    if not tag:
        return "has an empty tag"
    if tag == "latest":
        return "uses the moving tag ':latest'"
    if not _IMAGE_TAG.match(tag):
        return "has a malformed tag"
    return None


def image_problem(image: str) -> str | None:
    """Why ``image`` is not an immutable image reference, or None if it is one."""
    if "@" in image:
        digest = image.split("@", 1)[1]
        return None if _IMAGE_DIGEST.match(digest) else "has a malformed digest (sha256: and 64 hex digits)"
    last_segment = image.rsplit("/", 1)[-1]
    if ":" not in last_segment:
        return "has no tag, so it means ':latest'"
    return _tag_problem(last_segment.rsplit(":", 1)[1])


def check_image(value: str) -> str:
    """A full image reference pinned by a tag other than ``latest`` or by a sha256 digest."""
    problem = image_problem(value)
    if problem:
        raise ValueError(
            f"is not pinned: it {problem}; give an immutable reference such as "
            "'<registry>/<repository>:1.4.2' or '<registry>/<repository>@sha256:<digest>'"
        )
    return value


def check_image_tag(value: str) -> str:
    """A tag that names one image for good: valid tag grammar, and not ``latest``."""
    if _tag_problem(value):
        raise ValueError(
            "must be an immutable image tag such as 1.4.2 or a git sha (up to 128 letters, digits, "
            "'_', '.' or '-', not starting with '.' or '-'); 'latest' is not allowed"
        )
    return value


# --- Containers -----------------------------------------------------------------------------------


def is_environment_variable_name(name: str) -> bool:
    """Whether ``name`` can be a container environment variable (``[A-Za-z_][A-Za-z0-9_]*``)."""
    return bool(_ENVIRONMENT_VARIABLE_NAME.match(name))


# Plain variables by name. Their values are not secrets by design but often hold one, so an error
# names the variables and never repeats a value.
EnvironmentVariables = Annotated[dict[str, str], WITHHELD]


def check_fargate_cpu(cpu: int) -> int:
    """One of the Fargate task CPU sizes."""
    if cpu not in conventions.FARGATE_CPU_MEMORY:
        sizes = ", ".join(str(c) for c in conventions.FARGATE_CPU_MEMORY)
        raise ValueError(f"cpu {cpu} is not a Fargate task size; valid cpu values: {sizes}")
    return cpu


def check_fargate_memory(cpu: int, memory: int) -> int:
    """A memory size Fargate allows with ``cpu`` (which is checked by :func:`check_fargate_cpu`)."""
    allowed = conventions.FARGATE_CPU_MEMORY.get(cpu)
    if allowed is not None and memory not in allowed:
        raise ValueError(
            f"memory {memory} MiB is not valid with cpu {cpu} on Fargate; "
            f"valid memory values for cpu {cpu}: {', '.join(str(m) for m in allowed)}"
        )
    return memory

"""Reading the rules of RBAC Roles and ClusterRoles, for the RBAC policies of this pack.

The leading underscore keeps it out of policy discovery.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import as_list, get_path, note_unknown

ROLE_TYPES: tuple[str, ...] = tuple(
    f"kubernetes:rbac.authorization.k8s.io/{version}:{kind}"
    for version in ("v1", "v1beta1", "v1alpha1")
    for kind in ("ClusterRole", "Role")
)
CORE_GROUP = ""
RBAC_GROUP = "rbac.authorization.k8s.io"


def kind(resource_type: str) -> str:
    return resource_type.rsplit(":", 1)[-1]


class Rule:
    """One PolicyRule: its API groups, resources, verbs and resourceNames as plain strings."""

    def __init__(self, index: int, rule: Mapping[str, Any]):
        self.index = index
        self.api_groups = [g for g in as_list(get_path(rule, "apiGroups")) if isinstance(g, str)]
        self.resources = [r for r in as_list(get_path(rule, "resources")) if isinstance(r, str)]
        self.verbs = [v for v in as_list(get_path(rule, "verbs")) if isinstance(v, str)]
        self.resource_names = [n for n in as_list(get_path(rule, "resourceNames")) if isinstance(n, str)]
        self.non_resource_urls = [u for u in as_list(get_path(rule, "nonResourceURLs")) if isinstance(u, str)]

    def in_group(self, *groups: str) -> bool:
        return "*" in self.api_groups or any(g in self.api_groups for g in groups)

    def covers_resource(self, resource: str) -> bool:
        """Whether the rule names ``resource`` (``pods/exec``), directly or through a wildcard."""
        base, _, sub = resource.partition("/")
        for r in self.resources:
            if r in ("*", resource):
                return True
            if sub and r == f"{base}/*":
                return True
            if sub and r == f"*/{sub}":
                return True
        return False

    def grants(self, *verbs: str) -> list[str]:
        """Those of ``verbs`` the rule grants (all of them for ``*``)."""
        if "*" in self.verbs:
            return list(verbs)
        return [v for v in verbs if v in self.verbs]

    def shown(self) -> str:
        groups = ",".join(f'"{g}"' for g in self.api_groups)
        return f"rules[{self.index}] (apiGroups [{groups}], resources {self.resources}, verbs {self.verbs})"


def judge(props: Mapping[str, Any], judge_rule: Callable[[Rule], Iterator[str]]) -> list[str]:
    """The messages ``judge_rule`` gives for every known rule of a role.

    A rule holding a value not known until apply (preview) is skipped and noted: only what is known
    can prove a violation, and when the known rules prove none the engine says the policy can't run
    yet (see note_unknown). Rules that are unknown as a whole propagate, for the same verdict.
    """
    messages: list[str] = []
    listed = get_path(props, "rules")
    if not isinstance(listed, Sequence) or isinstance(listed, str):
        listed = as_list(listed)
    for index in range(len(listed)):
        try:
            rule = listed[index]
            if not isinstance(rule, Mapping):
                continue
            parsed = Rule(index, rule)
        except UnknownValueError as error:
            note_unknown(error)
            continue
        messages.extend(judge_rule(parsed))
    return messages

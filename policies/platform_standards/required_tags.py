"""Every taggable AWS resource carries the platform's tags, so cost, ownership and blueprint are known."""

from collections.abc import Mapping, Sequence

from pulumi_policy.proxy import UnknownValueError

from goldenpath.conventions import REQUIRED_TAG_KEYS
from goldenpath.policy import NIST, PolicySpec
from goldenpath.taggable import is_taggable

UNDECIDED = object()  # a tag whose presence or value is not known until apply


def _tag_value(tags, key):
    """The value of ``key`` in a tags map or a list of {key, value} blocks; UNDECIDED if unknown."""
    try:
        if isinstance(tags, Mapping):
            return tags.get(key)
        for block in tags:
            if isinstance(block, Mapping) and block.get("key") == key:
                return block.get("value")
        return None
    except UnknownValueError:
        return UNDECIDED


def _tag_sets(props):
    """The resource's own tags and, where the engine reports them, tagsAll (with the provider's default tags).

    None when either is not known until apply.
    """
    sets = []
    for prop in ("tags", "tagsAll"):
        try:
            tags = props.get(prop)
        except UnknownValueError:
            return None
        if isinstance(tags, Mapping) or (isinstance(tags, Sequence) and not isinstance(tags, str)):
            sets.append(tags)
    return sets


def _problems(props, keys):
    sets = _tag_sets(props)
    if sets is None:
        return None
    missing, empty = [], []
    for key in keys:
        values = [_tag_value(tags, key) for tags in sets]
        if UNDECIDED in values:
            continue
        present = [v for v in values if v is not None]
        if not present:
            missing.append(key)
        elif not any(isinstance(v, str) and v.strip() for v in present):
            empty.append(key)
    return missing, empty


def check(props, config, resource):
    if not is_taggable(resource.resource_type):
        return
    problems = _problems(props, list(config["keys"]))
    if problems is None:
        return
    missing, empty = problems
    parts = []
    if missing:
        parts.append(f"missing required tags: {', '.join(missing)}")
    if empty:
        parts.append(f"empty required tags: {', '.join(empty)}")
    if parts:
        yield "; ".join(parts) + " (set tags from goldenpath.conventions.standard_tags)"


POLICY = PolicySpec(
    id="platform-required-tags",
    description="Every taggable AWS resource carries every required tag key with a non-empty value.",
    severity="high",
    rationale="Tags are how cost is allocated, how an alert finds its owning team and how the platform tells "
    "which blueprint and version built a resource; an untagged resource is an orphan nobody pays for or answers "
    "for.",
    remediation="Pass `tags=conventions.standard_tags(team=…, service=…, environment=…, cost_center=…, "
    "blueprint=…)` to every taggable resource (every goldenpath component does, from its Args' `tags`), or set "
    "them once as the aws provider's `defaultTags`.",
    resource_types=("aws:*",),  # every type goldenpath.taggable.is_taggable accepts
    check=check,
    check_receives_resource=True,
    controls={NIST: ("CM-8",)},
    config_schema={
        "keys": {
            "type": "array",
            "items": {"type": "string"},
            "default": list(REQUIRED_TAG_KEYS),
            "description": "Tag keys every taggable AWS resource must carry with a non-empty value.",
        }
    },
)

"""Every taggable AWS resource carries the platform's tags, so cost, ownership and blueprint are known."""

from collections.abc import Mapping, Sequence

from pulumi_policy.proxy import UnknownValueError

from goldenpath.conventions import REQUIRED_TAG_KEYS
from goldenpath.policy import NIST, PolicySpec, note_unknown
from goldenpath.taggable import is_taggable

PRESENT = object()  # a tag that is there, with a value not known until apply


def _tag_value(tags, key):
    """The value of ``key`` in a tags map or a list of {key, value} blocks (None when absent).

    PRESENT when the tag is there with a value known only after apply: a tag that is set. Raises
    UnknownValueError when a block whose key is not known yet may be it.
    """
    if isinstance(tags, Mapping):
        try:
            return tags.get(key)
        except UnknownValueError:
            return PRESENT
    unknown = None
    for index in range(len(tags)):
        try:
            block = tags[index]
            if not isinstance(block, Mapping) or block.get("key") != key:
                continue
        except UnknownValueError as error:
            unknown = unknown or error  # a block known only after apply may be this tag
            continue
        try:
            return block.get("value")
        except UnknownValueError:
            return PRESENT
    if unknown is not None:
        raise unknown
    return None


def _tag_sets(props):
    """The resource's own tags and, where the engine reports them, tagsAll (with the provider's default
    tags), and the error of one of them not known until apply (or None)."""
    sets, unknown = [], None
    for prop in ("tags", "tagsAll"):
        try:
            tags = props.get(prop)
        except UnknownValueError as error:
            unknown = unknown or error
            continue
        if isinstance(tags, Mapping) or (isinstance(tags, Sequence) and not isinstance(tags, str)):
            sets.append(tags)
    return sets, unknown


def _problems(props, keys):
    sets, unknown_set = _tag_sets(props)
    missing, empty = [], []
    for key in keys:
        values, undecided = [], unknown_set
        for tags in sets:
            try:
                values.append(_tag_value(tags, key))
            except UnknownValueError as error:
                undecided = undecided or error
        present = [v for v in values if v is not None]
        if any(v is PRESENT for v in present):
            continue  # set, with a value computed from another resource
        if not present:
            if undecided is not None:
                note_unknown(
                    undecided
                )  # may be in tags known only after apply: can't run if nothing else fails
                continue
            missing.append(key)
        elif not any(isinstance(v, str) and v.strip() for v in present):
            empty.append(key)
    return missing, empty


def check(props, config, resource):
    if not is_taggable(resource.resource_type):
        return
    missing, empty = _problems(props, list(config["keys"]))
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

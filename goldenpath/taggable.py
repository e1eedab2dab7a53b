"""Which AWS resource types carry tags, as pulumi-aws itself declares them.

A type is taggable when its pulumi-aws resource accepts a ``tags`` argument holding resource tags:
a map (almost every type) or a list of tag blocks (``aws:autoscaling/group:Group``). A ``tags``
argument that is a single nested object is not resource tagging (DevOps Guru's
``ResourceCollection`` selects resources *by* tag) and does not count.

The answer is read from the installed provider, so it follows pulumi-aws upgrades with no list to
maintain. Each answer is cached; the first question about a type imports that type's pulumi-aws
submodule only (``aws:s3/bucket:Bucket`` → ``pulumi_aws.s3``), later ones cost a dict lookup.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import keyword

__all__ = ["is_taggable"]

_PACKAGE = "pulumi_aws"
_INDEX_MODULE = "index"


def _python_module(token_module: str) -> str:
    """``s3/bucket`` → ``pulumi_aws.s3``; Python keywords get a trailing ``_`` (``lambda_``)."""
    top = token_module.split("/", 1)[0]
    if top == _INDEX_MODULE:
        return _PACKAGE
    if keyword.iskeyword(top):
        top += "_"
    return f"{_PACKAGE}.{top}"


def _tags_annotation(function: object) -> str | None:
    """The annotation of the ``tags`` parameter ``function`` takes, or None without one."""
    try:
        parameter = inspect.signature(function).parameters.get("tags")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if parameter is None else str(parameter.annotation)


@functools.cache
def is_taggable(type_token: str) -> bool:
    """True when resources of ``type_token`` (``aws:<module>/<name>:<Class>``) carry AWS tags.

    Tokens of other providers, unknown modules or classes, and malformed tokens are not taggable.
    """
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] != "aws" or not parts[1] or not parts[2]:
        return False
    _, token_module, class_name = parts
    try:
        module = importlib.import_module(_python_module(token_module))
        args_class = getattr(module, f"{class_name}Args", None)
        resource_class = getattr(module, class_name, None)
    except ImportError:
        return False
    if not isinstance(resource_class, type):
        return False
    # Every resource declares its inputs on its Args class; _internal_init is the fallback.
    annotation = _tags_annotation(args_class.__init__) if isinstance(args_class, type) else None
    if annotation is None:
        annotation = _tags_annotation(getattr(resource_class, "_internal_init", None))
    if annotation is None:
        return False
    return "Mapping" in annotation or "Sequence" in annotation

"""Base models and input types shared by component ``Args``.

Component args must accept values that only exist once another resource is created (a VPC id
from ``Network``), so their string fields take ``str | pulumi.Output[str]``. ``pulumi.Input[T]``
cannot be used as a pydantic field type; these aliases can.

What is given for some fields never appears in an error: a field *withholds its values* when its
type holds pydantic's ``SecretStr`` or ``SecretBytes`` (how a model types a secret), or when it is
``Annotated[…, WITHHELD]`` (values that are not secrets by design but often hold one, such as
environment variables). Config errors (``goldenpath.config``) and component ``Args`` errors name
the field and what is allowed, never those values.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from typing import Annotated, Any, Union, get_args, get_origin

import pulumi
from pydantic import BaseModel, ConfigDict, SecretBytes, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

StrInput = Union[str, pulumi.Output[str]]  # noqa: UP007 - pydantic needs the Union spelled out
IntInput = Union[int, pulumi.Output[int]]  # noqa: UP007
StrListInput = Union[list[str], pulumi.Output[list[str]], list[StrInput]]  # noqa: UP007

WITHHELD_INPUT = "[withheld]"


class Withheld:
    """``Annotated`` marker of a field whose given values an error must never repeat."""

    def __repr__(self) -> str:
        return "WITHHELD"


WITHHELD = Withheld()


def _type_withholds(annotation: Any) -> bool:
    if annotation in (SecretStr, SecretBytes):
        return True
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        return any(isinstance(m, Withheld) for m in metadata) or _type_withholds(base)
    return any(_type_withholds(arg) for arg in get_args(annotation))


def withholds_values(field: FieldInfo) -> bool:
    """Whether what is given for ``field`` must stay out of every error message."""
    return any(isinstance(m, Withheld) for m in field.metadata) or _type_withholds(field.annotation)


def field_named(model: type[BaseModel], part: Any) -> FieldInfo | None:
    """The field of ``model`` that ``part`` (a field name or its alias) names, if any."""
    if not isinstance(part, str):
        return None
    found = model.model_fields.get(part)
    if found is not None:
        return found
    return next((f for f in model.model_fields.values() if f.alias == part), None)


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model ``annotation`` holds (``list[M]``, ``M | None``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = nested_model(arg)
        if found is not None:
            return found
    return None


def near_withheld(model: type[BaseModel], key: Any) -> bool:
    """Whether ``key`` is no field of ``model`` but is spelt like a withheld one (``secretsValues``).

    Such a key most likely holds what the field it misspells would, so it is withheld too.
    """
    if not isinstance(key, str) or field_named(model, key) is not None:
        return False
    withheld = [f.alias or name for name, f in model.model_fields.items() if withholds_values(f)]
    return bool(difflib.get_close_matches(key, withheld, n=1, cutoff=0.8))


def locate(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, bool]:
    """The model an error's ``loc`` (by field name or alias) ends in, and whether it lies in a withheld field."""
    withheld = False
    for index, part in enumerate(loc):
        field = field_named(model, part) if model is not None else None
        if field is None:
            if model is not None and index == len(loc) - 1 and near_withheld(model, part):
                withheld = True
            continue
        withheld = withheld or withholds_values(field)
        model = nested_model(field.annotation)
    return model, withheld


def leaves(value: Any) -> list[str]:
    """The texts ``value`` holds: its strings and numbers at any depth (mapping keys are names)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int | float):
        return [str(value)]
    if isinstance(value, Mapping):
        return [text for item in value.values() for text in leaves(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in leaves(item)]
    return []


def redact(
    value: Any,
    model: type[BaseModel] | None,
    *,
    withheld: bool = False,
    found: list[str] | None = None,
    withheld_keys: Collection[str] = (),
) -> Any:
    """``value`` with every withheld part replaced by ``[withheld]``; the texts replaced go to ``found``.

    ``model`` is what ``value`` was validated as; ``withheld_keys`` are keys of ``value`` to
    withhold besides the withheld fields (config keys Pulumi holds as secrets).
    """
    if withheld:
        if found is not None:
            found.extend(leaves(value))
        return WITHHELD_INPUT
    if isinstance(value, Mapping) and model is not None:
        redacted = {}
        for key, item in value.items():
            field = field_named(model, key)
            redacted[key] = redact(
                item,
                nested_model(field.annotation) if field is not None else None,
                withheld=key in withheld_keys
                or (withholds_values(field) if field is not None else near_withheld(model, key)),
                found=found,
            )
        return redacted
    if isinstance(value, list) and model is not None:
        return [redact(item, model, found=found) for item in value]
    return value


def withhold_inputs(error: ValidationError, model: type[BaseModel]) -> ValidationError:
    """``error`` with every withheld part of each error's input replaced by ``[withheld]``."""
    items = error.errors(include_url=False)
    details = []
    changed = False
    for item in items:
        found_model, withheld = locate(model, item["loc"])
        given = redact(item["input"], found_model, withheld=withheld)
        changed = changed or given != item["input"]
        detail: dict[str, Any] = {"type": item["type"], "loc": item["loc"], "input": given}
        if "ctx" in item:
            detail["ctx"] = item["ctx"]
        try:
            ValidationError.from_exception_data(error.title, [detail])
        except (KeyError, TypeError, ValueError):
            # A custom error type pydantic cannot rebuild by name keeps its message as written.
            detail = {
                "type": PydanticCustomError(item["type"], item["msg"]),
                "loc": item["loc"],
                "input": given,
            }
        details.append(detail)
    if not changed:
        return error
    return ValidationError.from_exception_data(
        error.title, details, hide_input=bool(model.model_config.get("hide_input_in_errors"))
    )


class ComponentArgs(BaseModel):
    """Base of every component's ``Args``: frozen, no unknown fields, Outputs allowed.

    A refused value of a withheld field (:func:`withholds_values`) is not repeated in the error.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise withhold_inputs(error, type(self)) from None

"""Base models and input types shared by component ``Args``.

Component args must accept values that only exist once another resource is created (a VPC id
from ``Network``), so their string fields take ``str | pulumi.Output[str]``. ``pulumi.Input[T]``
cannot be used as a pydantic field type; these aliases can.
"""

from __future__ import annotations

from typing import Union

import pulumi
from pydantic import BaseModel, ConfigDict

StrInput = Union[str, pulumi.Output[str]]  # noqa: UP007 - pydantic needs the Union spelled out
IntInput = Union[int, pulumi.Output[int]]  # noqa: UP007
StrListInput = Union[list[str], pulumi.Output[list[str]], list[StrInput]]  # noqa: UP007


class ComponentArgs(BaseModel):
    """Base of every component's ``Args``: frozen, no unknown fields, Outputs allowed."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

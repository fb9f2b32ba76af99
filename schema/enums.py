"""Enum members from stored values, for the ``from_row`` of types read by the page.

``SomeEnum(value)`` goes through ``EnumType.__call__`` and ``Enum.__new__`` (~1 µs); a page of
50 recruits builds ~270 members. :func:`by_value` looks them up in a dict built once and
falls back to the enum's own call, so an unknown value raises the enum's own ``ValueError``.

>>> import enum
>>> class Colour(enum.Enum):
...     RED = "red"
>>> colour = by_value(Colour)
>>> colour("red") is Colour.RED
True
>>> colour("green")
Traceback (most recent call last):
ValueError: 'green' is not a valid Colour
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

E = TypeVar("E", bound=Enum)


def by_value(enum_cls: type[E]) -> Callable[[Any], E]:
    members: dict[Any, E] = {member.value: member for member in enum_cls}

    def member(value: Any) -> E:
        try:
            return members[value]
        except (KeyError, TypeError):  # unknown, or unhashable: the enum's own error
            return enum_cls(value)

    return member


__all__ = ["by_value"]

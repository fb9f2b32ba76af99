"""Text a record may not hold: what PostgreSQL cannot store (NUL, unpaired surrogates, numbers
that are not finite) and controls no field means, each named by its field in the record."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from partyplan.resolvers.text import unsafe

from ..errors import SyncError, SyncErrorCode
from .request import SyncRecord


def _bad_character(text: str) -> bool:
    """NUL and the other control characters, lone surrogates, bidi controls: refused wherever a
    record holds text (PostgreSQL stores neither NUL nor a lone surrogate; no field means a
    control). Stricter than free text typed by a person (``resolvers/text.py``): not even a tab
    or a line break."""
    return any(c < " " for c in text) or unsafe(text) is not None


_TEXT_FIELDS = {
    "name": "name",
    "ethnicity": "ethnicity",
    "id_number": "idNumber",
    "phone": "phone",
    "professional_title": "professionalTitle",
    "talent_programme": "talentProgramme",
}


_BAD_TEXT = "含有控制字符或不成对的代理字符"


def _unstorable(value: Any) -> str | None:
    """Why ``value`` (a datum of a step, as JSON, within the depth ``check_shape`` allows) cannot
    be stored, or None."""
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and _bad_character(item):
            return _BAD_TEXT
        if isinstance(item, float) and not math.isfinite(item):
            return "含有非有限的数值"
        if isinstance(item, Mapping):
            if any(_bad_character(k) for k in item):
                return "含有带控制字符或不成对代理字符的键名"
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _data_errors(number: int, data: Any) -> Iterator[SyncError]:
    at = f"steps.{number}.data"
    if not isinstance(data, Mapping):
        yield SyncError(SyncErrorCode.INVALID_DATA, "步骤数据须为 JSON 对象", at)
        return
    for key, value in data.items():
        if _bad_character(key):
            yield SyncError(SyncErrorCode.INVALID_DATA, "键名含有控制字符", at)
            continue
        reason = _unstorable(value)
        if reason is not None:
            place = at if "." in key else f"{at}.{key}"
            yield SyncError(SyncErrorCode.INVALID_DATA, f"该数据项{reason}", place)


def unstorable_text(record: SyncRecord) -> list[SyncError]:
    """Every place of ``record`` holding what cannot be stored, by its field in the record."""
    errors = [
        SyncError(SyncErrorCode.INVALID_DATA, _BAD_TEXT, field)
        for attribute, field in _TEXT_FIELDS.items()
        if isinstance(value := getattr(record.person, attribute), str) and _bad_character(value)
    ]
    if record.code_12371 is not None and _bad_character(record.code_12371):
        errors.append(SyncError(SyncErrorCode.INVALID_DATA, _BAD_TEXT, "code12371"))
    for number, step in enumerate(record.steps):
        errors.extend(_data_errors(number, step.data))
    return errors

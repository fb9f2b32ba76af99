"""The 12371 collection layout read back: the inverse of ``exports12371/rules.py``. Pure.

* A sheet's title names its stage (``STAGE_NAMES`` inverted); a header its item (``ITEMS``
  inverted, compared as ``workbook.header_key``: whitespace and full-/half-width aside).
* :func:`parse` turns a cell's trimmed, non-empty text into the item's value, or raises
  :class:`CellInvalid` with the code the user is shown; :func:`render_row` writes values back
  with the export's own ``rules.cells``, so the normalised text of a parsed cell is by
  construction what the export writes for that value, and an exported file read back gives
  the cells the export wrote.
* Values: dates are ``date`` (strictly ``YYYY-MM-DD`` in ASCII digits: a date typed with
  full-width digits is refused, not guessed at); choices the platform's codes; ``contacts``
  and ``introducers`` a list of names; ``training`` ``{"on", "days"?, "hours"?}``; the two
  meetings ``{"on", "entitled"?, "present"?, "in_favour"?}``.
* :func:`identity_problems` and :func:`order_problems` check a row's values together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType, SimpleNamespace
from typing import Any

from partyplan.resolvers.exports12371 import rules
from partyplan.resolvers.recruits.errors import RecruitError
from partyplan.resolvers.recruits.rules import identity
from partyplan.resolvers.warnings.rules.requirements import ITEMS

from .errors import MASKED_EXPORT, CellInvalid, ImportErrorCode, no_such_date

__all__ = [
    "COUNT_LIMIT",
    "HEADER_ITEMS",
    "IDENTITY_ITEMS",
    "SHEET_STAGES",
    "identity_problems",
    "is_notice",
    "masked_notice",
    "order_problems",
    "parse",
    "render",
    "render_row",
    "stage_of",
]

#: Sheet title -> stage.
SHEET_STAGES: Mapping[str, str] = MappingProxyType(
    {title: stage for stage, title in rules.STAGE_NAMES.items()}
)
#: Header label -> item.
HEADER_ITEMS: Mapping[str, str] = MappingProxyType({label: item for item, label in ITEMS.items()})
#: The columns every sheet must have: who the row is.
IDENTITY_ITEMS = ("name", "id_number")

#: Largest count of days, hours or votes accepted (far beyond any real one; a number of
#: thousands of digits is refused before it is converted).
COUNT_LIMIT = 1_000_000
#: Longest branch name, members named in one cell.
BRANCH_LIMIT = 200
MEMBERS_LIMIT = 20

_DATE_ITEMS = frozenset(
    {
        "birth_date",
        "application_date",
        "activist_date",
        "target_date",
        "approval",
        "oath",
        "pre_review",
        "conversion_application",
        "conversion_approval",
    }
)
_CHOICES = {
    item: MappingProxyType({label: code for code, label in labels.items()})
    for item, labels in rules.CHOICE_LABELS.items()
}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Hand-typed composites use ASCII brackets and commas as often as the export's full-width ones.
_PUNCTUATION = str.maketrans({"(": "（", ")": "）", ",": "，"})
_COMPOSITE = re.compile(r"(?P<on>[^（）]*)(?:（(?P<detail>[^（）]*)）)?")
_COUNT = re.compile(r"[0-9]{1,7}")
# A member the export could not name (no longer in the roster) is written as their code.
_MEMBER_CODE = re.compile(r"[0-9A-Za-z_.-]{1,50}")
_TRAINING = (("days", "", "天"), ("hours", "", "学时"))
_VOTES = (("entitled", "应到", "人"), ("present", "实到", "人"), ("in_favour", "赞成", "人"))
#: Each count of a composite cell, as a message names it.
_COUNT_LABELS = {
    "days": "培训天数",
    "hours": "培训学时",
    "entitled": "应到人数",
    "present": "实到人数",
    "in_favour": "赞成人数",
}


def stage_of(title: str) -> str | None:
    """The stage a sheet's title names, or None."""
    return SHEET_STAGES.get(title.strip())


def is_notice(text: str) -> bool:
    """The export's first row (either notice, or one edited by hand: it starts 注意)."""
    return text in (rules.NOTICE_CLEAR, rules.NOTICE_MASKED) or text.startswith("注意")


def masked_notice(text: str) -> bool:
    return text == rules.NOTICE_MASKED or ("已脱敏" in text and "未脱敏" not in text)


def _invalid(message: str) -> CellInvalid:
    return CellInvalid(ImportErrorCode.INVALID_VALUE, message)


def _date(text: str) -> date:
    if not _DATE.fullmatch(text):
        raise CellInvalid(ImportErrorCode.INVALID_DATE, f"“{text[:40]}”不是 YYYY-MM-DD 格式的日期")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CellInvalid(ImportErrorCode.INVALID_DATE, no_such_date(text)) from None


def _count(text: str, what: str) -> int:
    if not _COUNT.fullmatch(text) or int(text) > COUNT_LIMIT:
        raise _invalid(f"{_COUNT_LABELS[what]}须为 0 至 {COUNT_LIMIT:,} 的整数")
    return int(text)


def _composite(text: str, parts: tuple[tuple[str, str, str], ...], shape: str) -> dict:
    """``YYYY-MM-DD`` optionally followed by ``（part，part）``, the parts in ``parts``' order,
    each ``prefix N suffix``, any of them left out (as the export leaves out what it lacks)."""
    match = _COMPOSITE.fullmatch(text.translate(_PUNCTUATION))
    if match is None:
        raise _invalid(f"格式应为 {shape}")
    value: dict[str, Any] = {"on": _date(match["on"].strip())}
    detail = match["detail"]
    if detail is None:
        return value
    remaining = list(parts)
    for piece in detail.split("，"):
        piece = piece.strip()
        while remaining:
            key, prefix, suffix = remaining.pop(0)
            if (
                piece.startswith(prefix)
                and piece.endswith(suffix)
                and len(piece) > len(prefix + suffix)
            ):
                value[key] = _count(piece[len(prefix) : len(piece) - len(suffix)], key)
                break
        else:
            raise _invalid(f"格式应为 {shape}")
    return value


def _person(text: str) -> str:
    try:
        return identity.check_name(text)
    except RecruitError as failure:
        raise _invalid(f"“{text[:60]}”：{failure.message}") from None


def _members(text: str) -> list[str]:
    names = []
    for part in text.split("、"):
        part = part.strip()
        if not part:
            raise _invalid("多名党员之间以“、”分隔，不能留空")
        try:
            names.append(_person(part))
        except CellInvalid:
            if not _MEMBER_CODE.fullmatch(part):
                raise
            names.append(part)
    if len(names) > MEMBERS_LIMIT:
        raise _invalid(f"至多填写 {MEMBERS_LIMIT} 名党员")
    return names


def _masked(text: str) -> None:
    if "*" in text:
        raise CellInvalid(ImportErrorCode.MASKED_ID_NUMBER, MASKED_EXPORT)


def parse(item: str, text: str, *, today: date) -> Any:
    """The value of ``item`` written as ``text`` (trimmed, not empty), checked as the platform
    checks its own input; ``today`` bounds the ID number's birth date."""
    if item in _DATE_ITEMS:
        return _date(text)
    if item in _CHOICES:
        code = _CHOICES[item].get(text)
        if code is None:
            raise CellInvalid(
                ImportErrorCode.UNKNOWN_CHOICE,
                f"“{text[:40]}”不是以下之一：{'、'.join(_CHOICES[item])}",
            )
        return code
    match item:
        case "name":
            return _person(text)
        case "id_number":
            _masked(text)
            try:
                return identity.check_id_number(text, today=today)
            except RecruitError as failure:
                raise CellInvalid(ImportErrorCode.INVALID_ID_NUMBER, failure.message) from None
        case "phone":
            _masked(text)
            try:
                return identity.check_phone(text)
            except RecruitError as failure:
                raise _invalid(failure.message) from None
        case "ethnicity":
            try:
                return identity.check_ethnicity(text)
            except RecruitError as failure:
                raise CellInvalid(ImportErrorCode.UNKNOWN_ETHNICITY, failure.message) from None
        case "branch":
            if len(text) > BRANCH_LIMIT:
                raise _invalid(f"党支部名称至多 {BRANCH_LIMIT} 个字符")
            return text
        case "contacts" | "introducers":
            return _members(text)
        case "training":
            return _composite(text, _TRAINING, "YYYY-MM-DD（N天，M学时）")
        case "branch_meeting" | "conversion_meeting":
            return _composite(text, _VOTES, "YYYY-MM-DD（应到N人，实到M人，赞成K人）")
    raise KeyError(item)  # a header maps only to an item of ITEMS, all handled above


# --- rendering: the export's own cells ---------------------------------------------------------

_RECRUIT_COLUMNS = {
    "applied_on": "application_date",
    "activist_on": "activist_date",
    "target_on": "target_date",
    "approved_on": "approval",
    "converted_on": "conversion_approval",
}
_DIRECT = ("name", "gender", "ethnicity", "birth_date", "education", "category", "branch")


def _step(item: str, value: Any) -> tuple[date, Mapping[str, Any]]:
    if item in ("contacts", "introducers"):
        return date.min, {item: value}  # named by name: ``names`` below maps nothing
    if item == "recommended_by":
        return date.min, {"recommended_by": value}
    if item == "political_review":
        return date.min, {"conclusion": value}
    if item in ("training", "branch_meeting", "conversion_meeting"):
        return value["on"], {key: count for key, count in value.items() if key != "on"}
    return value, {}  # a step shown by its date: oath, pre_review, conversion_application


def render_row(items: tuple[str, ...], values: Mapping[str, Any]) -> dict[str, str]:
    """The cells ``rules.cells`` writes for ``values`` (an item absent is ``""``)."""
    recruit = SimpleNamespace(
        **{attribute: values.get(attribute) for attribute in _DIRECT},
        **{column: values.get(item) for column, item in _RECRUIT_COLUMNS.items()},
    )
    steps = {
        rules.STEP_ITEMS[item]: _step(item, values[item])
        for item in items
        if item in rules.STEP_ITEMS and item in values
    }
    pii = {item: values[item] for item in rules.PII_ITEMS if item in values}
    return dict(zip(items, rules.cells(items, recruit, steps, {}, pii), strict=True))


def render(item: str, value: Any) -> str:
    return render_row((item,), {item: value})[item]


# --- a row's values together --------------------------------------------------------------------


def identity_problems(values: Mapping[str, Any]) -> list[tuple[str, CellInvalid]]:
    """性别 and 出生日期 against the (valid) ID number: (item, problem) for each that differs."""
    id_number = values["id_number"]
    problems = []
    born = identity.birth_date_of(id_number)
    if "birth_date" in values and values["birth_date"] != born:
        message = f"出生日期与公民身份号码中的出生日期（{born.isoformat()}）不符"
        problems.append(("birth_date", CellInvalid(ImportErrorCode.IDENTITY_MISMATCH, message)))
    gender = identity.gender_of(id_number)
    if "gender" in values and values["gender"] != gender:
        message = f"性别与公民身份号码中的性别（{rules.CHOICE_LABELS['gender'][gender]}）不符"
        problems.append(("gender", CellInvalid(ImportErrorCode.IDENTITY_MISMATCH, message)))
    return problems


# Procedure order of the dated items (细则: steps 1, 3, 7, 11, 13, 15, 17, then the oath and
# the conversion): each item's date may not precede any of the items it follows.
_FOLLOWS = {
    "activist_date": ("application_date",),
    "target_date": ("activist_date",),
    "training": ("target_date",),
    "pre_review": ("training", "target_date"),
    "branch_meeting": ("pre_review",),
    "approval": ("branch_meeting",),
    "oath": ("approval",),
    "conversion_application": ("approval",),
    "conversion_meeting": ("conversion_application",),
    "conversion_approval": ("conversion_meeting",),
}


def _on(value: Any) -> date:
    return value["on"] if isinstance(value, dict) else value


def _before(item: str) -> list[str]:
    """Every item ``item`` follows, nearest first."""
    seen: list[str] = []
    frontier = list(_FOLLOWS.get(item, ()))
    while frontier:
        earlier = frontier.pop(0)
        if earlier not in seen:
            seen.append(earlier)
            frontier.extend(_FOLLOWS.get(earlier, ()))
    return seen


_EARLIER = {item: tuple(_before(item)) for item in _FOLLOWS}


def order_problems(values: Mapping[str, Any]) -> list[tuple[str, CellInvalid]]:
    """DATES_OUT_OF_ORDER for each dated item before one it follows (the nearest such)."""
    problems = []
    for item, earlier_items in _EARLIER.items():
        if item not in values:
            continue
        on = _on(values[item])
        for earlier in earlier_items:
            if earlier in values and on < _on(values[earlier]):
                message = (
                    f"{ITEMS[item]} {on.isoformat()} 早于"
                    f"{ITEMS[earlier]} {_on(values[earlier]).isoformat()}"
                )
                problems.append((item, CellInvalid(ImportErrorCode.DATES_OUT_OF_ORDER, message)))
                break
    return problems

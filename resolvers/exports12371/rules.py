"""The 12371 collection layout, derived from the one list of what the 12371 system expects
(``warnings/rules/requirements.py``): no column is named here that the list does not name.

* One sheet per stage, in procedure order (``STAGE_ORDER``); a cancelled recruit is no stage
  of the 12371 system and is not exported.
* A stage's columns are the items due by that stage (the default requirements of that stage
  and every earlier one), in the order of ``ITEMS``, headed by the item's Chinese label: a
  probationary member's sheet carries what was collected as applicant, activist and
  development target too, as the 12371 forms do.
* Every cell is text: a date is ``YYYY-MM-DD``, a choice its Chinese label, a vote
  "应到 实到 赞成", members named by name. The first row says whether ID numbers and phones
  are masked, so a printed sheet cannot pass for the unmasked one.

Pure: the service hands in the stored row, its current steps and the roster's names.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

from partyplan.resolvers.warnings.rules.requirements import (
    DEFAULT_REQUIREMENTS,
    ITEMS,
    STAGE_MILESTONES,
    STAGE_ORDER,
)

from .errors import ExportError, ExportErrorCode

__all__ = [
    "CHOICE_LABELS",
    "NOTICE_CLEAR",
    "NOTICE_MASKED",
    "PII_ITEMS",
    "STAGE_NAMES",
    "STAGE_ORDER",
    "STEP_ITEMS",
    "cells",
    "check_stage",
    "columns",
    "headers",
    "notice",
]

#: The items shown in clear only to a caller with ``pii.read``.
PII_ITEMS = frozenset({"id_number", "phone"})

#: Sheet titles.
STAGE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "applicant": "入党申请人",
        "activist": "入党积极分子",
        "development_target": "发展对象",
        "probationary": "预备党员",
        "full_member": "正式党员",
    }
)
assert tuple(STAGE_NAMES) == STAGE_ORDER

#: Items read from the recruit's current (not superseded) step of that code.
STEP_ITEMS: Mapping[str, str] = MappingProxyType(
    {
        "contacts": "contacts",
        "recommended_by": "activist",
        "political_review": "political_review",
        "training": "training",
        "pre_review": "pre_review",
        "introducers": "introducers",
        "branch_meeting": "branch_meeting",
        "oath": "oath",
        "conversion_application": "conversion_application",
        "conversion_meeting": "conversion_meeting",
    }
)

_GENDERS = {"male": "男", "female": "女"}
_CATEGORIES = {
    "undergraduate": "本专科学生",
    "postgraduate": "研究生",
    "teacher": "教师",
    "other_staff": "其他教职工",
    "other": "其他",
}
_EDUCATION = {
    "below_college": "大专以下",
    "college": "大专",
    "bachelor": "大学本科",
    "master": "硕士研究生",
    "doctorate": "博士研究生",
}
_RECOMMENDED_BY = {"party_members": "党员推荐", "mass_organization": "群团组织推优"}
_CONCLUSIONS = {"qualified": "合格", "unqualified": "不合格"}
#: The label of each code of the items shown as a choice (the 12371 import inverts them).
CHOICE_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "gender": MappingProxyType(_GENDERS),
        "education": MappingProxyType(_EDUCATION),
        "category": MappingProxyType(_CATEGORIES),
        "recommended_by": MappingProxyType(_RECOMMENDED_BY),
        "political_review": MappingProxyType(_CONCLUSIONS),
    }
)

NOTICE_MASKED = "注意：本表中的公民身份号码和手机号码已脱敏（部分隐藏）。"
NOTICE_CLEAR = "注意：本表含未脱敏的公民身份号码和手机号码，导出已记入审计日志，请妥善保管。"


def check_stage(stage: str | None) -> tuple[str, ...]:
    """The stages to export: all of them, or the one asked for if the 12371 system has it."""
    if stage is None:
        return STAGE_ORDER
    if stage not in STAGE_ORDER:
        raise ExportError(
            ExportErrorCode.UNKNOWN_STAGE,
            f"12371 导出只有以下阶段：{'、'.join(f'{s}（{STAGE_NAMES[s]}）' for s in STAGE_ORDER)}",
            "stage",
        )
    return (stage,)


def columns(stage: str, requirements: Any = DEFAULT_REQUIREMENTS) -> tuple[str, ...]:
    """The items due by ``stage``, in the order of ``ITEMS``."""
    reached = set(STAGE_ORDER[: STAGE_ORDER.index(stage) + 1])
    due = {entry["item"] for entry in requirements if entry["stage"] in reached}
    return tuple(item for item in ITEMS if item in due)


def headers(items: tuple[str, ...]) -> list[str]:
    return [ITEMS[item] for item in items]


def notice(unmasked: bool) -> str:
    return NOTICE_CLEAR if unmasked else NOTICE_MASKED


def milestone(stage: str) -> str:
    """The recruit's column holding the date it entered ``stage`` (a period's filter)."""
    return STAGE_MILESTONES[stage]


def _day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def _votes(data: Mapping[str, Any]) -> str:
    parts = [("应到", "entitled"), ("实到", "present"), ("赞成", "in_favour")]
    return "，".join(f"{label}{data[key]}人" for label, key in parts if key in data)


def _named(codes: Any, names: Mapping[str, str]) -> str:
    if not isinstance(codes, list):
        return ""
    return "、".join(names.get(str(code), str(code)) for code in codes)


def _step(item: str, step: tuple[date, Mapping[str, Any]] | None, names: Mapping[str, str]) -> str:
    if step is None:
        return ""
    on, data = step
    if item in ("contacts", "introducers"):
        return _named(data.get(item), names)
    if item == "recommended_by":
        value = data.get("recommended_by")
        return _RECOMMENDED_BY.get(value, "") if isinstance(value, str) else ""
    if item == "political_review":
        value = data.get("conclusion")
        return _CONCLUSIONS.get(value, "") if isinstance(value, str) else ""
    if item == "training":
        extent = "，".join(
            f"{data[key]}{unit}" for key, unit in (("days", "天"), ("hours", "学时")) if key in data
        )
        return f"{_day(on)}（{extent}）" if extent else _day(on)
    if item in ("branch_meeting", "conversion_meeting"):
        votes = _votes(data)
        return f"{_day(on)}（{votes}）" if votes else _day(on)
    return _day(on)


def cells(
    items: tuple[str, ...],
    recruit: Any,
    steps: Mapping[str, tuple[date, Mapping[str, Any]]],
    names: Mapping[str, str],
    pii: Mapping[str, str],
) -> list[str]:
    """One recruit's row: ``recruit`` the stored row (with ``branch``, its branch's name),
    ``steps`` its current step of each code (date, data), ``names`` the roster's names by
    member code, ``pii`` the ID number and phone as they are to be shown (clear or masked)."""
    direct = {
        "name": recruit.name,
        "gender": _GENDERS.get(recruit.gender, recruit.gender),
        "ethnicity": recruit.ethnicity,
        "birth_date": _day(recruit.birth_date),
        "education": _EDUCATION.get(recruit.education, recruit.education),
        "category": _CATEGORIES.get(recruit.category, recruit.category),
        "branch": recruit.branch,
        "application_date": _day(recruit.applied_on),
        "activist_date": _day(recruit.activist_on),
        "target_date": _day(recruit.target_on),
        "approval": _day(recruit.approved_on),
        "conversion_approval": _day(recruit.converted_on),
    }
    row = []
    for item in items:
        if item in PII_ITEMS:
            row.append(pii.get(item) or "")
        elif item in STEP_ITEMS:
            row.append(_step(item, steps.get(STEP_ITEMS[item]), names))
        else:
            row.append(direct[item] or "")
    return row

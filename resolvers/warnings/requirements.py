"""What the 12371 system expects of a recruit by each stage (应录尽录), as editable data.

The commission's list (``warning_rules.params.requirements`` of ``missing_data``) names items
of a fixed vocabulary, each checkable against the stored record: ``ITEMS`` maps an item to its
label and the SQL that holds when it is recorded. An entry ``{"stage", "item", "grace_days"}``
makes the item due once the recruit has been in ``stage`` for ``grace_days`` days, or as soon as
it has moved on to a later stage (an item recorded during a stage is certainly due by then).
The defaults follow 12371-FIELDS.md; its 入党志愿书编号 (form number) is left out because the
procedure's application-form step does not collect it yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .errors import WarningError, WarningErrorCode

STAGE_MILESTONES: Mapping[str, str] = MappingProxyType(
    {
        "applicant": "applied_on",
        "activist": "activist_on",
        "development_target": "target_on",
        "probationary": "approved_on",
        "full_member": "converted_on",
    }
)
STAGE_ORDER = tuple(STAGE_MILESTONES)


@dataclass(frozen=True)
class StepItem:
    """Recorded when the recruit has a current (not superseded) step ``code`` whose data meet
    ``condition`` (SQL over the step ``s``)."""

    code: str
    condition: str = "true"


_VOTES = "s.data ?& array['entitled', 'present', 'in_favour']"

# item: (label, SQL over the recruit ``r`` that holds when recorded, or the step that records it)
ITEMS: Mapping[str, tuple[str, str | StepItem]] = MappingProxyType(
    {
        "name": ("姓名", "btrim(r.name) <> ''"),
        "gender": ("性别", "r.gender IS NOT NULL"),
        "id_number": ("公民身份号码", "r.id_number_hash IS NOT NULL"),
        "ethnicity": ("民族", "r.ethnicity IS NOT NULL"),
        "birth_date": ("出生日期", "r.birth_date IS NOT NULL"),
        "education": ("学历", "r.education IS NOT NULL"),
        "category": ("人员类别", "r.category IS NOT NULL"),
        "branch": ("所在党支部", "r.branch_id IS NOT NULL"),
        "application_date": ("申请入党日期", "r.applied_on IS NOT NULL"),
        "phone": ("手机号码", "r.phone_enc IS NOT NULL"),
        "activist_date": ("确定为入党积极分子日期", "r.activist_on IS NOT NULL"),
        "contacts": (
            "培养联系人（2 名）",
            StepItem("contacts", "jsonb_array_length(s.data->'contacts') >= 2"),
        ),
        "recommended_by": ("推荐方式", StepItem("activist", "s.data ? 'recommended_by'")),
        "target_date": ("确定为发展对象日期", "r.target_on IS NOT NULL"),
        "political_review": ("政治审查", StepItem("political_review", "s.data ? 'conclusion'")),
        "training": ("集中培训", StepItem("training", "s.data ? 'hours' OR s.data ? 'days'")),
        "pre_review": ("上级党委预审", StepItem("pre_review")),
        "introducers": (
            "入党介绍人（2 名）",
            StepItem("introducers", "jsonb_array_length(s.data->'introducers') >= 2"),
        ),
        "branch_meeting": (
            "支部大会讨论（应到、实到、赞成人数）",
            StepItem("branch_meeting", _VOTES),
        ),
        "approval": ("基层党委审批", "r.approved_on IS NOT NULL"),
        "oath": ("入党宣誓", StepItem("oath")),
        "conversion_application": ("转正申请", StepItem("conversion_application")),
        "conversion_meeting": (
            "支部大会讨论转正（表决情况）",
            StepItem("conversion_meeting", _VOTES),
        ),
        "conversion_approval": ("党委审批转正", "r.converted_on IS NOT NULL"),
    }
)

# (stage, item, grace_days)
_DEFAULTS = [
    *(
        ("applicant", item, 0)
        for item in (
            "name",
            "gender",
            "id_number",
            "ethnicity",
            "birth_date",
            "education",
            "category",
            "branch",
            "application_date",
            "phone",
        )
    ),
    ("activist", "activist_date", 0),
    ("activist", "recommended_by", 0),
    ("activist", "contacts", 30),
    ("development_target", "target_date", 0),
    ("development_target", "political_review", 365),
    ("development_target", "training", 365),
    ("development_target", "pre_review", 365),
    ("probationary", "introducers", 0),
    ("probationary", "branch_meeting", 0),
    ("probationary", "approval", 0),
    ("probationary", "oath", 31),
    ("full_member", "conversion_application", 0),
    ("full_member", "conversion_meeting", 0),
    ("full_member", "conversion_approval", 0),
]
DEFAULT_REQUIREMENTS = tuple(
    MappingProxyType({"stage": s, "item": i, "grace_days": g}) for s, i, g in _DEFAULTS
)


def check_requirements(value: Any) -> list[dict[str, Any]]:
    """The list as stored: every entry names a known stage and item, grace 0–730 days."""
    if not isinstance(value, list | tuple) or len(value) > 200:
        raise WarningError(
            WarningErrorCode.INVALID_RULE, "requirements is a list of entries", "params"
        )
    checked = []
    for index, entry in enumerate(value):
        where = f"params.requirements[{index}]"
        if not isinstance(entry, Mapping) or set(entry) - {"stage", "item", "grace_days"}:
            raise WarningError(
                WarningErrorCode.INVALID_RULE, "an entry has stage, item and grace_days", where
            )
        grace = entry.get("grace_days", 0)
        if entry.get("stage") not in STAGE_MILESTONES or entry.get("item") not in ITEMS:
            raise WarningError(
                WarningErrorCode.INVALID_RULE,
                f"unknown stage or item (items: {', '.join(ITEMS)})",
                where,
            )
        if isinstance(grace, bool) or not isinstance(grace, int) or not 0 <= grace <= 730:
            raise WarningError(
                WarningErrorCode.INVALID_RULE, "grace_days is an integer from 0 to 730", where
            )
        checked.append({"stage": entry["stage"], "item": entry["item"], "grace_days": grace})
    return checked


@dataclass(frozen=True)
class MissingItemsSql:
    """``missing``: an SQL ``text[]`` over recruit ``r`` and date ``:today``, the labels of the
    items due and not recorded; it reads the step items from ``steps``, a ``LEFT JOIN LATERAL``
    to place after ``r`` (empty when no item is a step's).

    The lateral reads one recruit's current steps through ``ix_recruit_steps_recruit_id`` once
    for every step item together: the scan's cost follows the commission's recruits, where an
    ``EXISTS`` per item let the planner hash the whole of ``recruit_steps`` once per item.
    """

    missing: str
    steps: str


def missing_items_sql(requirements: list[dict[str, Any]]) -> MissingItemsSql:
    cases, step_items, step_stages = [], {}, set()
    for entry in requirements:
        stage, (label, recorded) = entry["stage"], ITEMS[entry["item"]]
        if isinstance(recorded, StepItem):
            step_items[entry["item"]] = recorded
            step_stages.add(STAGE_MILESTONES[stage])
            recorded = f'coalesce(st."{entry["item"]}", false)'
        milestone = STAGE_MILESTONES[stage]
        later = [STAGE_MILESTONES[s] for s in STAGE_ORDER[STAGE_ORDER.index(stage) + 1 :]]
        due = f"r.{milestone} + {int(entry['grace_days'])} <= CAST(:today AS date)"
        if later:
            due = f"({due} OR " + " OR ".join(f"r.{m} IS NOT NULL" for m in later) + ")"
        cases.append(
            f"CASE WHEN r.{milestone} IS NOT NULL AND {due} AND NOT ({recorded}) THEN '{label}' END"
        )
    missing = (
        "array_remove(ARRAY[" + ", ".join(cases) + "]::text[], NULL)"
        if cases
        else ("ARRAY[]::text[]")
    )
    return MissingItemsSql(missing, _steps_lateral(step_items, sorted(step_stages)))


def _steps_lateral(items: dict[str, StepItem], milestones: list[str]) -> str:
    """Skipped (a one-time filter) for a recruit who has reached none of the items' stages."""
    if not items:
        return ""
    columns = ", ".join(
        f"bool_or(s.step_code = '{item.code}' AND ({item.condition})) AS \"{name}\""
        for name, item in items.items()
    )
    codes = ", ".join(sorted({f"'{item.code}'" for item in items.values()}))
    return (
        f" LEFT JOIN LATERAL (SELECT {columns} FROM recruit_steps s"
        f" WHERE s.recruit_id = r.id AND s.step_code IN ({codes})"
        f" AND ({' OR '.join(f'r.{m} IS NOT NULL' for m in milestones)})"
        " AND NOT EXISTS (SELECT 1 FROM recruit_steps c WHERE c.supersedes_id = s.id)) st ON true"
    )

"""What the 12371 system expects of a recruit by each stage (应录尽录), as editable data.

The commission's list (``warning_rules.params.requirements`` of ``missing_data``) names items
of a fixed vocabulary, each checkable against the stored record: ``ITEMS`` maps an item to its
label (``repository.records.RECORDED`` holds the SQL that tells it recorded). An entry
``{"stage", "item", "grace_days"}`` makes the item due once the recruit has been in ``stage``
for ``grace_days`` days, or as soon as it has moved on to a later stage (an item recorded
during a stage is certainly due by then); ``STAGE_MILESTONES`` names the recruit's date of
entering each stage.
The defaults follow the public collection forms (docs/domain.md, "What the 12371 system
expects"); the form number (入党志愿书编号) is left out because the procedure's application-form
step does not collect it yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..errors import WarningError, WarningErrorCode

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


# item: its label (what the 12371 system calls it)
ITEMS: Mapping[str, str] = MappingProxyType(
    {
        "name": "姓名",
        "gender": "性别",
        "id_number": "公民身份号码",
        "ethnicity": "民族",
        "birth_date": "出生日期",
        "education": "学历",
        "category": "人员类别",
        "branch": "所在党支部",
        "application_date": "申请入党日期",
        "phone": "手机号码",
        "activist_date": "确定为入党积极分子日期",
        "contacts": "培养联系人（2 名）",
        "recommended_by": "推荐方式",
        "target_date": "确定为发展对象日期",
        "political_review": "政治审查",
        "training": "集中培训",
        "pre_review": "上级党委预审",
        "introducers": "入党介绍人（2 名）",
        "branch_meeting": "支部大会讨论（应到、实到、赞成人数）",
        "approval": "基层党委审批",
        "oath": "入党宣誓",
        "conversion_application": "转正申请",
        "conversion_meeting": "支部大会讨论转正（表决情况）",
        "conversion_approval": "党委审批转正",
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
            WarningErrorCode.INVALID_RULE,
            "应录项目（requirements）应为不超过 200 条的列表",
            "params.requirements",
        )
    checked = []
    for index, entry in enumerate(value):
        where = f"params.requirements.{index}"
        if not isinstance(entry, Mapping) or set(entry) - {"stage", "item", "grace_days"}:
            raise WarningError(
                WarningErrorCode.INVALID_RULE,
                "每条应录项目只能含 stage（阶段）、item（项目）和 grace_days（宽限天数）",
                where,
            )
        grace = entry.get("grace_days", 0)
        if entry.get("stage") not in STAGE_MILESTONES or entry.get("item") not in ITEMS:
            raise WarningError(
                WarningErrorCode.INVALID_RULE,
                f"阶段或项目不存在（阶段可为：{'、'.join(STAGE_MILESTONES)}；"
                f"项目可为：{'、'.join(ITEMS)}）",
                where,
            )
        if isinstance(grace, bool) or not isinstance(grace, int) or not 0 <= grace <= 730:
            raise WarningError(
                WarningErrorCode.INVALID_RULE,
                "宽限天数（grace_days）应为 0 至 730 之间的整数",
                where,
            )
        checked.append({"stage": entry["stage"], "item": entry["item"], "grace_days": grace})
    return checked

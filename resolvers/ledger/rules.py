"""The ledger's layout and its cells, derived from the recorded steps. Pure: the service hands in
the stored recruit, its current steps by code (oldest first) and the roster's names.

A row per activist or development target (入党积极分子、发展对象), in branch order. Training
progress is what the steps recorded: the designation as activist (step 3) and its filing
(step 4), the contact persons (培养联系人, step 5: members of the roster, named by name), the
assessments (培养教育考察, step 6: how many and the last), the designation as development
target (step 7), the political review (step 10) and the concentrated training (step 11); then
the next step the rules expect and its due date. The ID number is as the caller may see it
(masked without ``pii.read``), and the first row says which.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from partyplan.resolvers.exports12371.rules import CHOICE_LABELS, STAGE_NAMES
from partyplan.resolvers.recruits.rules.steps import STEP_BY_CODE

from .errors import LedgerError, LedgerErrorCode

STAGES = ("activist", "development_target")
#: The steps whose records the ledger reads.
STEP_CODES = (
    "activist",
    "activist_filing",
    "contacts",
    "cultivation",
    "political_review",
    "training",
)
#: Units a ledger is kept for: a school's committee, a unit committee (院系党委/党总支).
COMMITTEE_KINDS = ("school", "committee")
HEADERS = (
    "序号",
    "所在党支部",
    "姓名",
    "性别",
    "公民身份号码",
    "出生日期",
    "人员类别",
    "学历",
    "当前阶段",
    "申请入党日期",
    "确定为入党积极分子日期",
    "推荐方式",
    "上级党委备案日期",
    "培养联系人",
    "指定培养联系人日期",
    "培养考察次数",
    "最近一次考察日期",
    "最近一次考察意见",
    "确定为发展对象日期",
    "政治审查结论",
    "集中培训日期",
    "培训天数/学时",
    "下一环节",
    "应完成日期",
)
NOTICE_MASKED = "注意：本台账中的公民身份号码已脱敏（部分隐藏）。"
NOTICE_CLEAR = "注意：本台账含未脱敏的公民身份号码，导出已记入审计日志，请妥善保管。"

Steps = Mapping[str, Sequence[tuple[date, Mapping[str, Any]]]]


def check_committee(unit: Any) -> None:
    if unit.kind not in COMMITTEE_KINDS:
        raise LedgerError(
            LedgerErrorCode.NOT_A_COMMITTEE,
            "台账以基层党委为单位建立：请选择学校党委或院系党委（党总支）",
            "unitId",
        )


def notice(unmasked: bool) -> str:
    return NOTICE_CLEAR if unmasked else NOTICE_MASKED


def _day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def _label(item: str, value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return CHOICE_LABELS[item].get(value, value)


def contact_codes(steps: Steps) -> list[str]:
    """The member codes the current contacts step names."""
    records = steps.get("contacts") or ()
    if not records:
        return []
    codes = records[-1][1].get("contacts")
    return [str(c) for c in codes] if isinstance(codes, list) else []


def _step_name(code: str | None) -> str:
    if code is None:
        return ""
    step = STEP_BY_CODE.get(code)
    if step is None:
        return code
    return f"第{step.number}步 {step.name}" if step.number else step.name


def cells(
    index: int, recruit: Any, steps: Steps, names: Mapping[str, str], id_number: str
) -> list[Any]:
    """One row: ``names`` the contact persons' names by member code."""

    def last(code: str) -> tuple[date, Mapping[str, Any]] | None:
        records = steps.get(code) or ()
        return records[-1] if records else None

    activist, filing, contacts = last("activist"), last("activist_filing"), last("contacts")
    review, training = last("political_review"), last("training")
    assessments = steps.get("cultivation") or ()
    latest = assessments[-1] if assessments else None
    extent = ""
    if training is not None:
        extent = "，".join(
            f"{training[1][key]}{unit}"
            for key, unit in (("days", "天"), ("hours", "学时"))
            if key in training[1]
        )
    assessment = "" if latest is None else latest[1].get("assessment")
    return [
        index,
        recruit.branch,
        recruit.name,
        _label("gender", recruit.gender),
        id_number,
        _day(recruit.birth_date),
        _label("category", recruit.category),
        _label("education", recruit.education),
        STAGE_NAMES.get(recruit.stage, recruit.stage),
        _day(recruit.applied_on),
        _day(recruit.activist_on),
        "" if activist is None else _label("recommended_by", activist[1].get("recommended_by")),
        "" if filing is None else _day(filing[0]),
        "、".join(names.get(code, code) for code in contact_codes(steps)),
        "" if contacts is None else _day(contacts[0]),
        len(assessments),
        "" if latest is None else _day(latest[0]),
        assessment if isinstance(assessment, str) else "",
        _day(recruit.target_on),
        "" if review is None else _label("political_review", review[1].get("conclusion")),
        "" if training is None else _day(training[0]),
        extent,
        _step_name(recruit.next_step),
        _day(recruit.next_due_on),
    ]

"""A recruit's recorded history as the schema shows it: the steps (corrections applied) and the
compliance findings they raised, with the request's loaders for both.

The loaders cache finished objects per request; a write that has just returned the recruit's
steps and findings primes them, so that the payload shows what was written rather than what an
earlier field of the same document had loaded.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from partyplan.resolvers.recruits.rules.steps import STEP_BY_CODE

from ..enums import by_value
from . import loaders
from .enums import ProcedureStep

_procedure_step = by_value(ProcedureStep)


@strawberry.type(
    description="已记录的步骤：One step recorded for a recruit, as it stands after corrections."
)
class RecordedStep:
    id: relay.GlobalID = strawberry.field(
        description="步骤记录标识：The RecruitStep id; give it to correctStep as `stepId`."
    )
    step: ProcedureStep = strawberry.field(  # type: ignore[valid-type]
        description="步骤：Which step of the procedure this records."
    )
    number: int | None = strawberry.field(
        description="步骤序号 1–25；null for 延长预备期 and 取消预备党员资格."
    )
    name: str = strawberry.field(description="步骤名称：The step's official name (细则).")
    on: date = strawberry.field(description="日期：The date the step took place.")
    data: JSON = strawberry.field(
        description="步骤数据：The step's data as stored, keys in snake_case (`in_favour`); "
        "which keys a step carries: stepDefinitions."
    )
    rule_version: str = strawberry.field(
        description="规则版本：The version of the rules the step was judged by when recorded."
    )
    recorded_at: datetime = strawberry.field(
        description="录入时间：When the step was entered (or corrected) on the platform."
    )
    correction_reason: str | None = strawberry.field(
        description="更正理由：Set when this record corrects an earlier one; null otherwise."
    )

    @classmethod
    def from_row(cls, row: Any) -> RecordedStep:
        step = STEP_BY_CODE[row.step_code]
        return cls(
            id=relay.GlobalID("RecruitStep", str(row.id)),
            step=_procedure_step(row.step_code),
            number=step.number,
            name=step.name,
            on=row.on_date,
            data=row.data,
            rule_version=row.rule_version,
            recorded_at=row.created_at,
            correction_reason=row.correction_reason,
        )


@strawberry.type(
    description="合规提示：A step recorded later than its time limit, or recorded where the "
    "细则 says it is normally not done: accepted, and kept open for inspection."
)
class ComplianceFinding:
    rule_id: str = strawberry.field(
        description="规则标识：The rule: a time limit broken, or an advisory rule's finding."
    )
    rule_version: str = strawberry.field(description="规则版本：The version of that rule.")
    article: str | None = strawberry.field(
        description="条款：The article of the 细则 (or of an overlay) the rule applies; null "
        "when it cites none."
    )
    severity: str = strawberry.field(description="严重程度：`warning` or `serious`.")
    step: ProcedureStep = strawberry.field(  # type: ignore[valid-type]
        description="步骤：The step recorded late."
    )
    message: str = strawberry.field(description="说明：What is late and why, for display.")
    due_on: date | None = strawberry.field(
        description="时限：The deadline missed (of the furthest tier missed); null on findings "
        "that name no date."
    )
    days_late: int | None = strawberry.field(
        description="逾期天数：Calendar days from `dueOn` to the step's date; null when `dueOn` is."
    )

    @classmethod
    def from_row(cls, row: Any) -> ComplianceFinding:
        return cls(
            rule_id=row.rule_id,
            rule_version=row.rule_version,
            article=row.article,
            severity=row.severity,
            step=_procedure_step(row.step_code),
            message=row.message,
            due_on=row.due_on,
            days_late=row.days_late,
        )


_STEPS = loaders.steps_by_recruit(RecordedStep.from_row)
_FINDINGS = loaders.findings_by_recruit(ComplianceFinding.from_row)


async def load_steps(info: strawberry.Info, recruit_id: int) -> list[RecordedStep]:
    return await info.context.loader("recruit_steps", _STEPS).load(recruit_id)


async def load_findings(info: strawberry.Info, recruit_id: int) -> list[ComplianceFinding]:
    return await info.context.loader("recruit_findings", _FINDINGS).load(recruit_id)


def prime_steps(info: strawberry.Info, recruit_id: int, rows: list[Any]) -> None:
    """The recruit's current steps, as a write just returned them, for the rest of the request."""
    loader = info.context.loader("recruit_steps", _STEPS)
    loader.prime(recruit_id, [RecordedStep.from_row(r) for r in rows], force=True)


def prime_findings(info: strawberry.Info, recruit_id: int, rows: list[Any]) -> None:
    """The recruit's findings, as a write just returned them, for the rest of the request."""
    loader = info.context.loader("recruit_findings", _FINDINGS)
    loader.prime(recruit_id, [ComplianceFinding.from_row(r) for r in rows], force=True)


__all__ = [
    "ComplianceFinding",
    "RecordedStep",
    "load_findings",
    "load_steps",
    "prime_findings",
    "prime_steps",
]

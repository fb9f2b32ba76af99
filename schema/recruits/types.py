"""The recruit (发展对象) as the schema shows it: its record, derived standing, branch, steps,
findings and annulment; PII shown only as the caller may see it.

The recruit's enums (``enums.py``), recorded history (``history.py``) and talent filings
(``talent_filing.py``) live beside it and are importable from here as before.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

import strawberry
from strawberry import relay

from partyplan.resolvers.annulments import service as annulments

from ..annulments.types import AdmissionAnnulment
from ..enums import by_value
from ..execution import prefetched
from ..units.types import Unit, load_unit
from .enums import Education, Gender, ProcedureStep, RecruitCategory, RecruitStage
from .history import (
    ComplianceFinding,
    RecordedStep,
    load_findings,
    load_steps,
    prime_findings,
    prime_steps,
)
from .talent_filing import FilingLevel, FilingStatus, TalentFiling

_stage, _category, _education = (
    by_value(RecruitStage),
    by_value(RecruitCategory),
    by_value(Education),
)
_gender, _procedure_step = by_value(Gender), by_value(ProcedureStep)


class ShownFields(Protocol):
    """A recruit's ID number and phone as the caller may see them (``queries.ShownPii``):
    a value returned in clear is recorded for the request's audit."""

    def id_number(self) -> str: ...

    def phone(self) -> str | None: ...


def _shown_id_number(root: Recruit) -> str:
    return root.shown_pii.id_number()


def _shown_phone(root: Recruit) -> str | None:
    return root.shown_pii.phone()


@strawberry.type(
    description="发展对象（广义）：一名入党申请人至正式党员的完整记录。The whole record of one "
    "person, from application to full membership."
)
class Recruit(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="姓名：The person's name.")
    gender: Gender = strawberry.field(description="性别：As recorded.")
    ethnicity: str = strawberry.field(
        description="民族：One of the 56 ethnic groups' standard names."
    )
    birth_date: date = strawberry.field(
        description="出生日期：As recorded (it agrees with the ID number)."
    )
    id_number: str = strawberry.field(
        resolver=_shown_id_number,
        description="公民身份号码：Masked (110***********1234) unless the caller holds "
        "`pii.read`; a number shown in clear is audited.",
    )
    phone: str | None = strawberry.field(
        resolver=_shown_phone,
        description="手机号码：Masked without `pii.read`; null when not given.",
    )
    category: RecruitCategory = strawberry.field(
        description="人员类别：Student, teacher or other staff."
    )
    education: Education = strawberry.field(
        description="最高学历：The highest education completed."
    )
    professional_title: str | None = strawberry.field(
        description="专业技术职务：null when none was given."
    )
    high_knowledge: bool = strawberry.field(
        description="高知群体：Whether the person counts as highly educated."
    )
    talent_programme: str | None = strawberry.field(
        description="人才计划（高层次人才）：null when none."
    )
    code_12371: str | None = strawberry.field(
        name="code12371",
        description="12371 系统编号：The person's identifier in 12371; null until known.",
    )
    stage: RecruitStage = strawberry.field(description="发展阶段：Derived from the recorded steps.")
    stage_since: date = strawberry.field(
        description="进入当前阶段的日期：The date of the step that entered the current stage."
    )
    next_step: ProcedureStep | None = strawberry.field(  # type: ignore[valid-type]
        description="下一步骤：The step the procedure expects next; null when none is expected."
    )
    next_due_on: date | None = strawberry.field(
        description="下一步骤的时限：null when the next step has no time limit."
    )
    open_findings: int = strawberry.field(
        description="未结合规提示数：How many compliance findings (late steps) are open."
    )
    approved_on: date | None = strawberry.field(
        description="接收为预备党员的审批日期（第 17 步）：null before."
    )
    exempt: bool = strawberry.field(
        description="已备案的高层次人才：不占指导性计划。Whether an acknowledged filing exempts the admission from the 发展党员指导性计划."
    )
    annulled_on: date | None = strawberry.field(
        description="不予承认的决定日期：Set when the admission was annulled (一律不予承认): it "
        "counts in no roll-up; null otherwise. `annulment` gives the decision."
    )
    branch_id: strawberry.Private[int]
    # (ID number, phone) as the caller may see them, decrypted only when a client asks.
    shown_pii: strawberry.Private[ShownFields]
    # The branch, when the statement that read the recruit joined it (lists do).
    branch_unit: strawberry.Private[Unit | None] = None
    # The findings, when the list fetched them for its whole page in one statement.
    prefetched_findings: strawberry.Private[list[ComplianceFinding] | None] = None

    @classmethod
    def from_row(cls, row: Any, shown_pii: ShownFields) -> Recruit:
        return cls(
            id=row.id,
            name=row.name,
            gender=_gender(row.gender),
            ethnicity=row.ethnicity,
            birth_date=row.birth_date,
            shown_pii=shown_pii,
            category=_category(row.category),
            education=_education(row.education),
            professional_title=row.professional_title,
            high_knowledge=row.high_knowledge,
            talent_programme=row.talent_programme,
            code_12371=row.code_12371,
            stage=_stage(row.stage),
            stage_since=row.stage_since,
            next_step=None if row.next_step is None else _procedure_step(row.next_step),
            next_due_on=row.next_due_on,
            open_findings=row.open_findings,
            approved_on=row.approved_on,
            exempt=row.exempt,
            annulled_on=getattr(row, "annulled_on", None),
            branch_id=row.branch_id,
            branch_unit=Unit.from_joined(row, "branch_unit_")
            if hasattr(row, "branch_unit_path")
            else None,
        )

    @strawberry.field(
        description="所在党支部：null when the caller may not see it.",
        metadata=prefetched("branch_unit"),
    )
    def branch(self, info: strawberry.Info) -> Unit | None:
        # Joined: a plain value, no loader and no await per row (docs/stack.md: an async field
        # costs twice a plain one). Otherwise the request's unit loader.
        return self.branch_unit if self.branch_unit is not None else load_unit(info, self.branch_id)

    @strawberry.field(
        description="不予承认：The annulment of the admission (reason, document number, who "
        "decided); null when none, or when it lies at a school the caller may not see."
    )
    async def annulment(self, info: strawberry.Info) -> AdmissionAnnulment | None:
        if self.annulled_on is None:  # the recruit's own mark: no statement for the others
            return None
        found = await annulments.of_recruits(await info.context.session(), [self.id])
        row = found.get(self.id)
        return None if row is None else AdmissionAnnulment.from_row(row)

    @strawberry.field(
        description="已记录的步骤：Recorded steps in date order (corrections applied)."
    )
    async def steps(self, info: strawberry.Info) -> list[RecordedStep]:
        return await load_steps(info, self.id)

    @strawberry.field(
        description="合规提示：Open compliance findings (late steps).",
        metadata=prefetched("prefetched_findings"),
    )
    def findings(self, info: strawberry.Info) -> list[ComplianceFinding]:
        # A list's page fetched them at once: a plain value. Otherwise the request's loader
        # (an awaitable, which graphql-core awaits).
        if self.prefetched_findings is not None:
            return self.prefetched_findings
        return load_findings(info, self.id)  # type: ignore[return-value]


__all__ = [
    "ComplianceFinding",
    "Education",
    "FilingLevel",
    "FilingStatus",
    "Gender",
    "ProcedureStep",
    "RecordedStep",
    "Recruit",
    "RecruitCategory",
    "RecruitStage",
    "ShownFields",
    "TalentFiling",
    "load_findings",
    "load_steps",
    "prime_findings",
    "prime_steps",
]

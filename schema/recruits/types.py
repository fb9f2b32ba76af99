from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, Protocol

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from partyplan.resolvers.annulments import service as annulments
from partyplan.resolvers.recruits.rules.steps import STEP_BY_CODE, STEPS

from ..annulments.types import AdmissionAnnulment
from ..enums import by_value
from ..execution import prefetched
from ..units.types import Unit, load_unit
from . import loaders


@strawberry.enum(description="发展阶段：Where a recruit stands in the procedure.")
class RecruitStage(Enum):
    APPLICANT = strawberry.enum_value("applicant", description="入党申请人")
    ACTIVIST = strawberry.enum_value("activist", description="入党积极分子")
    DEVELOPMENT_TARGET = strawberry.enum_value(
        "development_target", description="发展对象：The recruit's id."
    )
    PROBATIONARY = strawberry.enum_value(
        "probationary", description="预备党员：The probationary member's recruit id."
    )
    FULL_MEMBER = strawberry.enum_value("full_member", description="正式党员")
    CANCELLED = strawberry.enum_value("cancelled", description="取消预备党员资格")


@strawberry.enum(description="人员类别：Student, teacher or other staff, as 12371 counts them.")
class RecruitCategory(Enum):
    UNDERGRADUATE = strawberry.enum_value("undergraduate", description="本专科学生")
    POSTGRADUATE = strawberry.enum_value("postgraduate", description="研究生")
    TEACHER = strawberry.enum_value("teacher", description="教师")
    OTHER_STAFF = strawberry.enum_value("other_staff", description="其他教职工")
    OTHER = strawberry.enum_value("other", description="其他")


@strawberry.enum(description="最高学历：The highest education completed.")
class Education(Enum):
    BELOW_COLLEGE = strawberry.enum_value("below_college", description="大专以下")
    COLLEGE = strawberry.enum_value("college", description="大专")
    BACHELOR = strawberry.enum_value("bachelor", description="大学本科")
    MASTER = strawberry.enum_value("master", description="硕士研究生")
    DOCTORATE = strawberry.enum_value("doctorate", description="博士研究生")


@strawberry.enum(description="性别：Gender, as the ID number encodes it.")
class Gender(Enum):
    MALE = strawberry.enum_value("male", description="男")
    FEMALE = strawberry.enum_value("female", description="女")


ProcedureStep = strawberry.enum(
    Enum(  # type: ignore[misc]
        "ProcedureStep",
        {
            s.code.upper(): strawberry.enum_value(
                s.code, description=f"{s.number or '—'}. {s.name}（{s.article}）"
            )
            for s in STEPS
        },
    ),
    description="发展党员工作的 25 个步骤（及延长预备期、取消预备党员资格）：Each value "
    "describes itself as number, official name and article of the 细则.",
)


_stage, _category, _education = (
    by_value(RecruitStage),
    by_value(RecruitCategory),
    by_value(Education),
)
_gender, _procedure_step = by_value(Gender), by_value(ProcedureStep)


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


_STEPS = loaders.steps_by_recruit(RecordedStep.from_row)
_FINDINGS = loaders.findings_by_recruit(ComplianceFinding.from_row)


async def load_steps(info: strawberry.Info, recruit_id: int) -> list[RecordedStep]:
    return await info.context.loader("recruit_steps", _STEPS).load(recruit_id)


async def load_findings(info: strawberry.Info, recruit_id: int) -> list[ComplianceFinding]:
    return await info.context.loader("recruit_findings", _FINDINGS).load(recruit_id)


@strawberry.enum(description="备案状态：Where a high-level-talent filing stands.")
class FilingStatus(Enum):
    FILED = strawberry.enum_value("filed", description="已报备，待确认（学校党委或工委，见 level）")
    ACKNOWLEDGED = strawberry.enum_value("acknowledged", description="已确认：不占指导性计划")
    RETURNED = strawberry.enum_value("returned", description="已退回")


@strawberry.enum(
    description="备案层级：Whose acknowledgement a filing awaits (by the commission's region)."
)
class FilingLevel(Enum):
    SCHOOL = strawberry.enum_value(
        "school", description="报学校党委备案（重庆）：the school's Party committee acknowledges it"
    )
    COMMISSION = strawberry.enum_value(
        "commission",
        description="报省委教育工委备案（山西：并报省委组织部）：the commission acknowledges it",
    )


@strawberry.type(
    description="高层次人才备案：A school's filing of a recruit as a high-level talent; once "
    "acknowledged by the commission, the admission does not count against the quota."
)
class TalentFiling(relay.Node):
    id: relay.NodeID[int]
    recruit_id: relay.GlobalID = strawberry.field(description="发展对象：The recruit's id.")
    recruit_name: str = strawberry.field(
        description="发展对象姓名：The recruit's name, for display."
    )
    programme: str = strawberry.field(description="人才计划名称：The talent programme's name.")
    evidence_note: str | None = strawberry.field(
        description="证明材料说明：The school's note on the evidence; null when none."
    )
    status: FilingStatus = strawberry.field(
        description="备案状态：Pending, acknowledged or returned."
    )
    return_reason: str | None = strawberry.field(
        description="退回理由：Set when the commission returned the filing; null otherwise."
    )
    filed_at: datetime = strawberry.field(description="报备时间：When the school filed it.")
    reviewed_at: datetime | None = strawberry.field(
        description="确认或退回的时间：null while the filing is pending."
    )
    level: FilingLevel = strawberry.field(
        description="备案层级：Who acknowledges it — the school's Party committee or the "
        "commission — as the commission's region set when it was filed."
    )
    destinations: list[str] = strawberry.field(
        description="报备机关：The bodies it is filed with, as the notice names them "
        "(学校党委; 省委教育工委、省委组织部)."
    )

    @classmethod
    def from_row(cls, row: Any, recruit_name: str | None = None) -> TalentFiling:
        return cls(
            id=row.id,
            recruit_id=relay.GlobalID("Recruit", str(row.recruit_id)),
            recruit_name=recruit_name or getattr(row, "recruit_name", ""),
            programme=row.programme,
            evidence_note=row.evidence_note,
            status=FilingStatus(row.status),
            return_reason=row.return_reason,
            filed_at=row.created_at,
            reviewed_at=row.reviewed_at,
            level=FilingLevel(row.level),
            destinations=list(row.destinations),
        )


def prime_steps(info: strawberry.Info, recruit_id: int, rows: list[Any]) -> None:
    """The recruit's current steps, as a write just returned them, for the rest of the request."""
    loader = info.context.loader("recruit_steps", _STEPS)
    loader.prime(recruit_id, [RecordedStep.from_row(r) for r in rows], force=True)


def prime_findings(info: strawberry.Info, recruit_id: int, rows: list[Any]) -> None:
    """The recruit's findings, as a write just returned them, for the rest of the request."""
    loader = info.context.loader("recruit_findings", _FINDINGS)
    loader.prime(recruit_id, [ComplianceFinding.from_row(r) for r in rows], force=True)

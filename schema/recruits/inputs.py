from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from .types import Education, Gender, ProcedureStep, RecruitCategory

#: The ``data`` argument of every input that records a step (recordStep, correctStep, the steps
#: of importRecruits and syncRecruits): both spellings, as ``rules/data_keys.py`` accepts them.
STEP_DATA = (
    "The step's data, a JSON object whose keys are the step's fields (stepDefinitions): "
    "camelCase (`inFavour`, `talkedBy`, `documentNo`) or snake_case as stored and as "
    "RecordedStep.data returns them (`in_favour`), each key in one spelling only "
    "(DUPLICATE_DATUM). Errors name a key as it was sent (`data.inFavour`); one left out, "
    "camelCase when any key was sent camelCase."
)


@strawberry.input(description="新建入党申请人记录（同时记录第 1 步：递交入党申请书）。")
class CreateRecruitInput:
    branch_id: relay.GlobalID = strawberry.field(description="所在党支部")
    name: str
    gender: Gender
    ethnicity: str = strawberry.field(description="如“汉族”“回族”")
    birth_date: date
    id_number: str = strawberry.field(description="公民身份号码（18 位，校验码按 GB 11643）")
    phone: str | None = None
    category: RecruitCategory
    education: Education
    professional_title: str | None = None
    high_knowledge: bool = False
    talent_programme: str | None = None
    application_date: date = strawberry.field(description="申请入党日期")


@strawberry.input(
    description="记录一个步骤；data 随步骤而定（如支部大会：entitled, present, inFavour），"
    "见 stepDefinitions。"
)
class RecordStepInput:
    recruit_id: relay.GlobalID
    step: ProcedureStep  # type: ignore[valid-type]
    on: date
    data: JSON = strawberry.field(default_factory=dict, description=STEP_DATA)


@strawberry.input
class FileTalentInput:
    recruit_id: relay.GlobalID
    programme: str = strawberry.field(description="省级及以上人才引进培养支持计划名称")
    evidence_note: str | None = None


@strawberry.input
class AcknowledgeFilingInput:
    filing_id: relay.GlobalID


@strawberry.input
class ReturnFilingInput:
    filing_id: relay.GlobalID
    reason: str


@strawberry.input(description="更正一个已记录的步骤（留痕：新记录取代旧记录，须说明理由）。")
class CorrectStepInput:
    step_id: relay.GlobalID
    on: date
    data: JSON = strawberry.field(default_factory=dict, description=STEP_DATA)
    reason: str


@strawberry.input(description="转接：发展对象转到另一支部（或学校），全部记录随之转移。")
class TransferRecruitInput:
    recruit_id: relay.GlobalID
    to_branch_id: relay.GlobalID
    reason: str


@strawberry.input(description="导入记录中的一个既往步骤")
class ImportStepInput:
    step: ProcedureStep  # type: ignore[valid-type]
    on: date
    data: JSON = strawberry.field(default_factory=dict, description=STEP_DATA)


@strawberry.input(description="批量录入的一行：人员信息及其既往步骤（按日期先后）。")
class ImportRecruitRowInput(CreateRecruitInput):
    steps: list[ImportStepInput] = strawberry.field(default_factory=list)


@strawberry.input
class ImportRecruitsInput:
    rows: list[ImportRecruitRowInput]


@strawberry.input(description="延长预备期（只能一次，6–12 个月；支部大会决定）。")
class ExtendProbationInput:
    recruit_id: relay.GlobalID
    on: date = strawberry.field(description="支部大会决定的日期")
    months: int
    reason: str | None = None


@strawberry.input(description="取消预备党员资格（支部大会决定）。")
class CancelProbationInput:
    recruit_id: relay.GlobalID
    on: date
    reason: str | None = None

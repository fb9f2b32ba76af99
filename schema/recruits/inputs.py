from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from .types import Education, Gender, ProcedureStep, RecruitCategory

#: The ``data`` argument of every input that records a step (recordStep, correctStep, the steps
#: of importRecruits and syncRecruits): both spellings, as ``rules/data_keys.py`` accepts them.
STEP_DATA = (
    "步骤数据：The step's data, a JSON object whose keys are the step's fields (stepDefinitions): "
    "camelCase (`inFavour`, `talkedBy`, `documentNo`) or snake_case as stored and as "
    "RecordedStep.data returns them (`in_favour`), each key in one spelling only "
    "(DUPLICATE_DATUM). Errors name a key as it was sent (`data.inFavour`); one left out, "
    "camelCase when any key was sent camelCase."
)


@strawberry.input(
    description="新建入党申请人记录（同时记录第 1 步：递交入党申请书）。A new applicant, with step 1 recorded."
)
class CreateRecruitInput:
    branch_id: relay.GlobalID = strawberry.field(description="所在党支部：The branch's unit id.")
    name: str = strawberry.field(description="姓名：The person's name.")
    gender: Gender = strawberry.field(description="性别：Must agree with the ID number.")
    ethnicity: str = strawberry.field(
        description="民族：如“汉族”“回族” (one of the 56 standard names)."
    )
    birth_date: date = strawberry.field(description="出生日期：Must agree with the ID number.")
    id_number: str = strawberry.field(
        description="公民身份号码（18 位，校验码按 GB 11643）：Stored encrypted."
    )
    phone: str | None = strawberry.field(
        default=None, description="手机号码：A mainland mobile number; optional."
    )
    category: RecruitCategory = strawberry.field(
        description="人员类别：Student, teacher or other staff."
    )
    education: Education = strawberry.field(
        description="最高学历：The highest education completed."
    )
    professional_title: str | None = strawberry.field(
        default=None, description="专业技术职务：optional."
    )
    high_knowledge: bool = strawberry.field(
        default=False, description="高知群体：false by default."
    )
    talent_programme: str | None = strawberry.field(
        default=None, description="人才计划（高层次人才）：optional."
    )
    application_date: date = strawberry.field(
        description="申请入党日期：The applicant must be 18 or older on it."
    )


@strawberry.input(
    description="记录一个步骤；data 随步骤而定（如支部大会：entitled, present, inFavour），"
    "见 stepDefinitions。"
)
class RecordStepInput:
    recruit_id: relay.GlobalID = strawberry.field(description="发展对象：The recruit's id.")
    step: ProcedureStep = strawberry.field(  # type: ignore[valid-type]
        description="步骤：Which step; stepDefinitions lists each with its data."
    )
    on: date = strawberry.field(description="日期：The date the step took place; not after today.")
    data: JSON = strawberry.field(default_factory=dict, description=STEP_DATA)


@strawberry.input(description="高层次人才备案：The recruit and the talent programme.")
class FileTalentInput:
    recruit_id: relay.GlobalID = strawberry.field(description="发展对象：The recruit's id.")
    programme: str = strawberry.field(
        description="省级及以上人才引进培养支持计划名称：The programme's name."
    )
    evidence_note: str | None = strawberry.field(
        default=None, description="证明材料说明：optional."
    )


@strawberry.input(description="确认备案：The filing the commission acknowledges.")
class AcknowledgeFilingInput:
    filing_id: relay.GlobalID = strawberry.field(description="高层次人才备案：The filing's id.")


@strawberry.input(description="退回备案：The filing the commission returns, and why.")
class ReturnFilingInput:
    filing_id: relay.GlobalID = strawberry.field(description="高层次人才备案：The filing's id.")
    reason: str = strawberry.field(description="退回理由：Required, shown to the school.")


@strawberry.input(
    description="更正一个已记录的步骤（留痕：新记录取代旧记录，须说明理由）。The new record supersedes the old; both are kept."
)
class CorrectStepInput:
    step_id: relay.GlobalID = strawberry.field(
        description="步骤记录：The RecordedStep id of the newest record of the step."
    )
    on: date = strawberry.field(description="日期：The corrected date.")
    data: JSON = strawberry.field(default_factory=dict, description=STEP_DATA)
    reason: str = strawberry.field(description="更正理由：Required; kept with the record.")


@strawberry.input(
    description="转接：发展对象转到另一支部（或学校），全部记录随之转移。A recruit moves to another branch with its whole record."
)
class TransferRecruitInput:
    recruit_id: relay.GlobalID = strawberry.field(description="发展对象：The recruit's id.")
    to_branch_id: relay.GlobalID = strawberry.field(
        description="转入党支部：The branch the recruit moves to."
    )
    reason: str = strawberry.field(description="转接理由：Required; kept with the record.")


@strawberry.input(description="导入记录中的一个既往步骤：One past step of an imported record.")
class ImportStepInput:
    step: ProcedureStep = strawberry.field(  # type: ignore[valid-type]
        description="步骤：Which step of the procedure."
    )
    on: date = strawberry.field(description="日期：The date the step took place.")
    data: JSON = strawberry.field(default_factory=dict, description=STEP_DATA)


@strawberry.input(
    description="批量录入的一行：人员信息及其既往步骤（按日期先后）。One person and their past steps."
)
class ImportRecruitRowInput(CreateRecruitInput):
    steps: list[ImportStepInput] = strawberry.field(
        default_factory=list,
        description="既往步骤：The steps after the application, in date order; none by default.",
    )


@strawberry.input(description="批量录入：The rows, all created or none.")
class ImportRecruitsInput:
    rows: list[ImportRecruitRowInput] = strawberry.field(
        description="各行：Errors name a row by its position, from 0 (`rows.3.idNumber`)."
    )


@strawberry.input(
    description="延长预备期（只能一次，6–12 个月；支部大会决定）。Extends the probation once."
)
class ExtendProbationInput:
    recruit_id: relay.GlobalID = strawberry.field(
        description="预备党员：The probationary member's recruit id."
    )
    on: date = strawberry.field(
        description="支部大会决定的日期：The date of the branch meeting's decision."
    )
    months: int = strawberry.field(description="延长的月数：The months of the extension, 6 to 12.")
    reason: str | None = strawberry.field(default=None, description="理由：optional.")


@strawberry.input(
    description="取消预备党员资格（支部大会决定）。Ends the probation without admission."
)
class CancelProbationInput:
    recruit_id: relay.GlobalID = strawberry.field(
        description="预备党员：The probationary member's recruit id."
    )
    on: date = strawberry.field(
        description="支部大会决定的日期：The date of the branch meeting's decision."
    )
    reason: str | None = strawberry.field(default=None, description="理由：optional.")

"""The enums of a recruit's record: stage, category, education, gender and the procedure's steps.

Stored values are the enums' values; ``ProcedureStep`` is built from the rules' step table so
that the schema names every step the procedure knows, and only those.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from partyplan.resolvers.recruits.rules.steps import STEPS


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

__all__ = ["Education", "Gender", "ProcedureStep", "RecruitCategory", "RecruitStage"]

"""What the recruit mutations answer: the object, or typed errors naming the input path."""

from __future__ import annotations

import strawberry

from .codes import RecruitErrorCodeEnum
from .types import Recruit, TalentFiling


@strawberry.type(description="发展对象操作的错误：Why a recruit mutation was refused.")
class RecruitError:
    code: RecruitErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：What was wrong (see the enum's values)."
    )
    field: str | None = strawberry.field(
        description="输入中的路径：The input field at fault, from the input (`recruitId`, "
        "`data.inFavour`); null when the error concerns no one field."
    )
    message: str = strawberry.field(
        description="说明：Why, in Chinese, for display; tell errors apart by `code`."
    )


@strawberry.type(
    description="发展对象操作的结果：The recruit as the caller may see it, or the errors."
)
class RecruitPayload:
    recruit: Recruit | None = strawberry.field(
        description="发展对象：The recruit after the change; null when refused (see errors)."
    )
    errors: list[RecruitError] = strawberry.field(
        description="错误：Empty on success; any error means nothing was written."
    )


@strawberry.type(description="备案操作的结果：The filing, or the errors.")
class TalentFilingPayload:
    filing: TalentFiling | None = strawberry.field(
        description="高层次人才备案：null when refused (see errors)."
    )
    errors: list[RecruitError] = strawberry.field(description="错误：Empty on success.")


@strawberry.type(
    description="批量录入中一行的错误：行号（从 0 起）、字段（自 input 起的路径，如 rows.3.idNumber）、原因。"
)
class ImportRowError:
    index: int = strawberry.field(
        description="行号：The row's position in `rows`, from 0; 0 also for an error of the whole request (see `field`)."
    )
    code: RecruitErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：What was wrong (see the enum's values)."
    )
    field: str | None = strawberry.field(
        description="输入中的路径：From the input, e.g. `rows.3.idNumber`, "
        "`rows.3.steps.2.on`; null when it concerns no one field."
    )
    message: str = strawberry.field(
        description="说明：Why, in Chinese, for display; tell errors apart by `code`."
    )


@strawberry.type(
    description="批量录入的结果：Every row created, or every row's errors (all or nothing)."
)
class ImportRecruitsPayload:
    recruits: list[Recruit] = strawberry.field(
        description="新建的发展对象：Empty when any row was refused."
    )
    errors: list[ImportRowError] = strawberry.field(
        description="错误：Every bad row's errors; empty on success."
    )

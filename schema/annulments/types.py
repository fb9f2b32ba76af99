"""GraphQL types of annulments (一律不予承认)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry import relay

from partyplan.resolvers.annulments.errors import AnnulmentErrorCode

from ..wording import coded_enum

ANNULMENT_CODES: Mapping[str, str] = {
    AnnulmentErrorCode.NOT_ADMITTED: "尚未接收为预备党员：The recruit has no admission (step 17) "
    "to annul.",
    AnnulmentErrorCode.ALREADY_ANNULLED: "已宣布不予承认：The admission was annulled already; an "
    "annulment is final and made once.",
    AnnulmentErrorCode.PERIOD_CLOSED: "计划期已关闭：A period containing the approval is closed; "
    "its figures are frozen.",
    AnnulmentErrorCode.REQUIRED: "必填项为空：The reason or the document number is missing.",
    AnnulmentErrorCode.INVALID_TEXT: "文字无效：Too long, or holding characters no text may hold.",
    AnnulmentErrorCode.INVALID_DATE: "日期无效：The decision is dated before the approval or "
    "after today.",
}

AnnulmentErrorCodeEnum = coded_enum(
    "AnnulmentErrorCode",
    "不予承认错误：Why an annulment was refused.",
    AnnulmentErrorCode,
    ANNULMENT_CODES,
)


@strawberry.type(description="不予承认操作的错误：Why an annulment was refused.")
class AnnulmentError:
    code: AnnulmentErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="错误代码：What was wrong (see the enum's values)."
    )
    field: str | None = strawberry.field(
        description="输入中的路径：The input field at fault (`recruitId`, `reason`, "
        "`documentNo`, `annulledOn`); null when the error concerns no one field."
    )
    message: str = strawberry.field(
        description="说明：Why, in Chinese, for display; tell errors apart by `code`."
    )


@strawberry.type(
    description="不予承认的发展：违反规定吸收入党的，一律不予承认，并在支部党员大会上公布。An admission "
    "annulled as irregular: final evidence, never changed; the admission counts in no roll-up."
)
class AdmissionAnnulment(relay.Node):
    id: relay.NodeID[int]
    recruit_id: relay.GlobalID = strawberry.field(description="发展对象：The recruit's id.")
    recruit_name: str = strawberry.field(
        description="姓名：The person's name as recorded when annulled."
    )
    branch_id: relay.GlobalID = strawberry.field(
        description="接收的党支部：The branch the admission was approved at (where it is "
        "announced)."
    )
    branch_name: str | None = strawberry.field(
        description="党支部名称：null when the caller may not see the branch."
    )
    approved_on: date = strawberry.field(
        description="原接收预备党员的审批日期：The approval (step 17) annulled."
    )
    annulled_on: date = strawberry.field(description="不予承认的决定日期：The decision's date.")
    reason: str = strawberry.field(description="不予承认的理由：Why, as decided.")
    document_no: str = strawberry.field(description="文号：The decision's document number.")
    decided_by_unit_id: relay.GlobalID = strawberry.field(
        description="作出决定的党组织：The school's committee or the commission."
    )
    recorded_at: datetime = strawberry.field(description="记录时间：When it was recorded.")

    @classmethod
    def from_row(cls, row: Any) -> AdmissionAnnulment:
        return cls(
            id=row.id,
            recruit_id=relay.GlobalID("Recruit", str(row.recruit_id)),
            recruit_name=row.recruit_name,
            branch_id=relay.GlobalID("Unit", str(row.branch_id)),
            branch_name=row.branch_name,
            approved_on=row.approved_on,
            annulled_on=row.annulled_on,
            reason=row.reason,
            document_no=row.document_no,
            decided_by_unit_id=relay.GlobalID("Unit", str(row.decided_by_unit_id)),
            recorded_at=row.created_at,
        )


@strawberry.type(description="不予承认的结果：The annulment, or the errors.")
class AnnulAdmissionPayload:
    annulment: AdmissionAnnulment | None = strawberry.field(
        description="不予承认记录：null when refused (see errors)."
    )
    errors: list[AnnulmentError] = strawberry.field(
        description="错误：Why it was refused; empty on success."
    )

"""The high-level-talent filing (高层次人才备案): a school files a recruit with the body its
commission's region names; once acknowledged, the admission does not count against the quota.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay


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


__all__ = ["FilingLevel", "FilingStatus", "TalentFiling"]

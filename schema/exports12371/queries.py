from __future__ import annotations

from urllib.parse import urlencode

import strawberry
from strawberry import relay

from partyplan.auth import links
from partyplan.auth.permissions import Permission
from partyplan.resolvers.exports12371 import service
from partyplan.resolvers.exports12371.errors import ExportError

from ..errors import BadInput
from ..mutations import decode_id
from ..permissions import described
from ..recruits.types import RecruitStage


@strawberry.type(description="12371 数据采集表: a school's recruits in the 12371 layout.")
class Export12371:
    path: str = strawberry.field(
        description="The export's route (`GET`, with the Authorization header)."
    )
    masked: bool = strawberry.field(
        description="Whether ID numbers and phones are masked (the caller lacks `pii.read` at "
        "the school); an unmasked export is audited when downloaded."
    )
    download_url: str = strawberry.field(
        description="The export as a link that needs no header: a relative URL whose `token` "
        "opens this export with these filters only, for the caller only, for a few minutes "
        "(never longer than the caller's own token). A credential: do not share it."
    )


@strawberry.type
class Export12371Queries:
    @strawberry.field(
        description=described(
            "A school's 12371 export (one sheet per stage, the 12371 field list's columns): "
            "its download link. `periodId` keeps the recruits who entered their stage in the "
            "period; `stage` keeps one sheet (not CANCELLED: no stage of the 12371 system). "
            "ID numbers and phones are in clear only with `pii.read`.",
            Permission.RECRUIT_READ,
            where="at the school",
        )
    )
    async def export12371(
        self,
        info: strawberry.Info,
        school_id: relay.GlobalID,
        period_id: relay.GlobalID | None = None,
        stage: RecruitStage | None = None,
    ) -> Export12371:
        session = await info.context.session()
        try:
            export = await service.prepare(
                session,
                school_id=decode_id(school_id, "Unit", "schoolId"),
                period_id=None
                if period_id is None
                else decode_id(period_id, "PlanPeriod", "periodId"),
                stage=None if stage is None else stage.value,
            )
        except ExportError as error:
            raise BadInput(error.message, error.field or "") from None
        path = links.school_12371_workbook(
            export.school_id, period_id=export.period_id, stage=export.stage
        )
        token = urlencode({"token": info.context.download_link(path)})
        return Export12371(
            path=path,
            masked=not export.unmasked,
            download_url=f"{path}{'&' if '?' in path else '?'}{token}",
        )

from __future__ import annotations

from typing import Annotated
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
from ..replica import REPLICA_READ


@strawberry.type(description="12371 数据采集表：A school's recruits in the 12371 layout.")
class Export12371:
    path: str = strawberry.field(
        description="导出路径：The export's route (`GET`, with the Authorization header)."
    )
    masked: bool = strawberry.field(
        description="是否打码：Whether ID numbers and phones are masked (the caller lacks `pii.read` at "
        "the school); an unmasked export is audited when downloaded."
    )
    download_url: str = strawberry.field(
        description="下载链接：The export as a link that needs no header: a relative URL whose `token` "
        "opens this export with these filters only, for the caller only, for a few minutes "
        "(never longer than the caller's own token). A credential: do not share it."
    )


@strawberry.type
class Export12371Queries:
    @strawberry.field(
        description=described(
            "12371 数据采集表导出：A school's 12371 export (one sheet per stage, the 12371 field list's columns): "
            "its download link. `periodId` keeps the recruits who entered their stage in the "
            "period; `stage` keeps one sheet (not CANCELLED: no stage of the 12371 system). "
            "ID numbers and phones are in clear only with `pii.read`.",
            Permission.RECRUIT_READ,
            where="at the school",
        ),
        metadata=REPLICA_READ,  # the link only: the download itself reads on the primary
    )
    async def export12371(
        self,
        info: strawberry.Info,
        school_id: Annotated[
            relay.GlobalID, strawberry.argument(description="学校：The school's unit id.")
        ],
        period_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(
                description="计划期：Only recruits who entered their stage in this plan period."
            ),
        ] = None,
        stage: Annotated[
            RecruitStage | None,
            strawberry.argument(description="发展阶段：Only this stage's sheet; not CANCELLED."),
        ] = None,
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

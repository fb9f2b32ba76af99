from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

import strawberry
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.ledger import service
from partyplan.resolvers.ledger.errors import LedgerError

from ..errors import BadInput
from ..mutations import decode_id
from ..permissions import described


@strawberry.type(
    description="入党积极分子和发展对象台账：a grassroots committee's ledger of its activists and "
    "development targets, read from the recorded steps when downloaded."
)
class ActivistLedger:
    unit_name: str = strawberry.field(description="基层党委：the committee's name.")
    path: str = strawberry.field(
        description="导出路径：the ledger's route (`GET`, with the Authorization header)."
    )
    masked: bool = strawberry.field(
        description="是否打码：whether ID numbers are masked (the caller lacks `pii.read` at the "
        "committee); an unmasked ledger is audited when downloaded."
    )
    download_url: str = strawberry.field(
        description="下载链接：the ledger as a link that needs no header: a relative URL whose "
        "`token` opens this ledger only, for the caller only, for a few minutes (never longer "
        "than the caller's own token). A credential: do not share it."
    )


@strawberry.type
class LedgerQueries:
    @strawberry.field(
        description=described(
            "入党积极分子台账（以基层党委为单位）：the download link of a school's or unit "
            "committee's ledger: every activist and development target below it with the "
            "dates of designation, filing, contact persons (培养联系人), assessments, "
            "political review and training, and the next step due. ID numbers in clear only "
            "with `pii.read` there.",
            Permission.RECRUIT_READ,
            where="at the committee",
        )
    )
    async def activist_ledger(
        self,
        info: strawberry.Info,
        unit_id: Annotated[
            relay.GlobalID,
            strawberry.argument(
                description="基层党委：a school or a unit committee (党委/党总支)."
            ),
        ],
    ) -> ActivistLedger:
        session = await info.context.session()
        try:
            ledger = await service.prepare(session, unit_id=decode_id(unit_id, "Unit", "unitId"))
        except LedgerError as error:
            raise BadInput(error.message, error.field or "") from None
        path = service.ledger_path(ledger.unit_id)
        token = urlencode({"token": info.context.download_link(path)})
        return ActivistLedger(
            unit_name=ledger.unit_name,
            path=path,
            masked=not ledger.unmasked,
            download_url=f"{path}?{token}",
        )

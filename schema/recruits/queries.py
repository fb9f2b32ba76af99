from __future__ import annotations

from typing import Annotated, Any

import strawberry
from graphql import OperationType
from strawberry import relay

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit.service import Disclosures
from partyplan.resolvers.recruits.service import filings, reads
from partyplan.resolvers.recruits.service.records import visible

from ..connections import Connection, connection
from ..errors import text_argument
from ..mutations import decode_id
from ..pagination import PAGING, keyset
from ..permissions import described
from ..selection import selects
from ..wording import After, Before, First, Last
from .arguments import Under
from .types import (
    ComplianceFinding,
    FilingStatus,
    Recruit,
    RecruitCategory,
    RecruitStage,
    TalentFiling,
)


def to_recruit(info: strawberry.Info, session: Any, row: Any) -> Recruit:
    """PII stays masked unless the caller holds ``pii.read`` at the recruit's branch; it is
    decrypted once, and only if the client asks for it."""
    in_payload = info.operation.operation is OperationType.MUTATION
    shown = ShownPii(session, info.context.pii, row, info.context.disclosures, in_payload)
    return Recruit.from_row(row, shown)


class ShownPii:
    """(ID number, phone) of one recruit as the caller may see them, decrypted on first ask.
    Each field returned in clear is recorded on the request's disclosures (audited once at its
    end); a masked one, or a phone the recruit has not given, is not."""

    __slots__ = ("_cipher", "_in_payload", "_log", "_row", "_session", "_shown")

    def __init__(self, session: Any, cipher: Any, row: Any, log: Disclosures, in_payload: bool):
        self._session, self._cipher, self._row = session, cipher, row
        self._log, self._in_payload = log, in_payload
        self._shown: reads.ShownPii | None = None

    def _get(self) -> reads.ShownPii:
        if self._shown is None:
            self._shown = reads.shown_pii(self._session, self._cipher, self._row)
        return self._shown

    def _disclose(self, name: str) -> None:
        reads.disclosed(self._log, self._row, name, with_writes=self._in_payload)

    def id_number(self) -> str:
        shown = self._get()
        if shown.clear:
            self._disclose("idNumber")
        return shown.id_number

    def phone(self) -> str | None:
        shown = self._get()
        if shown.clear and shown.phone is not None:
            self._disclose("phone")
        return shown.phone


@strawberry.type
class RecruitQueries:
    @strawberry.field(
        description=described("发展对象：One recruit, by its id.", Permission.RECRUIT_READ)
    )
    async def recruit(
        self,
        info: strawberry.Info,
        id: Annotated[
            relay.GlobalID, strawberry.argument(description="发展对象：The recruit's id.")
        ],
    ) -> Recruit:
        session = await info.context.session()
        row = await visible(session, decode_id(id, "Recruit", "id"), with_pii=True)
        return to_recruit(info, session, row)

    @strawberry.field(
        description=described(
            "发展对象列表：Recruits in id order: under a unit, by stage, by category, admitted in a period, "
            "by name prefix or exact ID number (`search`)." + PAGING,
            Permission.RECRUIT_READ,
        )
    )
    async def recruits(
        self,
        info: strawberry.Info,
        under: Under = None,
        stage: Annotated[
            RecruitStage | None,
            strawberry.argument(description="发展阶段：Only recruits at this stage."),
        ] = None,
        category: Annotated[
            RecruitCategory | None,
            strawberry.argument(description="人员类别：Only recruits of this category."),
        ] = None,
        period_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(
                description="计划期：Only recruits admitted (接收为预备党员) in this plan period."
            ),
        ] = None,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="检索：A name prefix, or an exact ID number (公民身份号码)."
            ),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Recruit]:
        session = await info.context.session()
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        rows = await reads.page(
            session,
            info.context.pii,
            under_id=None if under is None else decode_id(under, "Unit", "under"),
            stage=None if stage is None else stage.value,
            category=None if category is None else category.value,
            period_id=None if period_id is None else decode_id(period_id, "PlanPeriod", "periodId"),
            search=text_argument(search, "search", label="检索", limit=100),
            keyset=page,
        )
        result = await connection(info, rows, lambda row: to_recruit(info, session, row))
        if any(selects(f.selections, ("edges", "node", "findings")) for f in info.selected_fields):
            # Fetched for the whole page at once, without an awaited field per row.
            grouped: dict[int, list[ComplianceFinding]] = {e.node.id: [] for e in result.edges}
            ids = list(grouped)
            for finding in await reads.findings_of(session, ids) if ids else []:
                grouped[finding.recruit_id].append(ComplianceFinding.from_row(finding))
            for edge in result.edges:
                edge.node.prefetched_findings = grouped[edge.node.id]
        return result


async def resolve_recruit_node(info: strawberry.Info, recruit_id: int) -> tuple[Recruit, str]:
    session = await info.context.session()
    row = await visible(session, recruit_id, with_pii=True)
    return to_recruit(info, session, row), row.unit_path


@strawberry.type
class FilingQueries:
    @strawberry.field(
        description=described(
            "高层次人才备案列表：High-level-talent filings, oldest first." + PAGING,
            Permission.FILING_SUBMIT,
            where="(schools) or filing.review (the commission)",
        )
    )
    async def filings(
        self,
        info: strawberry.Info,
        status: Annotated[
            FilingStatus | None,
            strawberry.argument(description="备案状态：Only filings in this status."),
        ] = None,
        under: Under = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[TalentFiling]:
        session = await info.context.session()
        page = keyset(info.context.settings.max_page_size, first, after, last, before)
        rows = await filings.page(
            session,
            under_id=None if under is None else decode_id(under, "Unit", "under"),
            status=None if status is None else status.value,
            keyset=page,
        )
        return await connection(info, rows, TalentFiling.from_row)


async def resolve_filing_node(info: strawberry.Info, filing_id: int) -> tuple[TalentFiling, str]:
    session = await info.context.session()
    row = await filings.visible_filing(session, filing_id, Permission.RECRUIT_READ)
    return TalentFiling.from_row(row), row.unit_path

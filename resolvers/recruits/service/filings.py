"""High-level-talent filings (高层次人才备案): a school files a recruit on a provincial-or-higher
talent programme; the commission acknowledges or returns it. Only an acknowledged filing
exempts the recruit's admission from the guiding plan — it is then counted in
the exempt figure of the roll-up tallies, not against the quota (Shanxi 2023 seed, item 二).

Where a filing goes is rule data by the commission's region (``rules/filing_levels.py``): the
school's Party committee (重庆) or the commission with the provincial organization department
(山西). The filing keeps the level and destinations it was filed under, and only a reviewer bound
at that level acknowledges or returns it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from partyplan.auth.errors import Forbidden
from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.paging import Keyset, Page
from partyplan.resolvers.text import clean_text
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.scope import Subtree
from partyplan.tenants.session import Session

from .. import repository
from ..errors import RecruitError, RecruitErrorCode
from ..rules.filing_levels import filing_level
from .records import visible

#: The filing's texts as a person calls them, for the messages.
_LABELS = {"programme": "人才计划名称", "evidenceNote": "证明材料说明", "reason": "退回理由"}
#: What a filing's status reads as, for the message refusing to review it again.
_STATUS = {"acknowledged": "已确认", "returned": "已退回"}


def _text(value: str | None, field: str, limit: int, *, required: bool) -> str | None:
    return clean_text(
        value,
        field,
        required=required,
        limit=limit,
        error=RecruitError,
        code=RecruitErrorCode.INVALID_TEXT,
        missing_code=RecruitErrorCode.REASON_REQUIRED if field == "reason" else None,
        label=_LABELS[field],
    )


async def file_talent(
    session: Session, *, recruit_id: int, programme: str, evidence_note: str | None
) -> sa.Row:
    recruit = await visible(session, recruit_id, Permission.FILING_SUBMIT, lock=True)
    programme = _text(programme, "programme", 200, required=True)  # type: ignore[assignment]
    evidence_note = _text(evidence_note, "evidenceNote", 2000, required=False)
    exists = RecruitError(
        RecruitErrorCode.FILING_EXISTS,
        "该人员已有办理中或已确认的高层次人才备案",
        "recruitId",
    )
    if await repository.active_filing(session, recruit.id) is not None:
        raise exists
    branch = await visible_unit(session, recruit.branch_id)
    level = filing_level(branch.region_code)
    try:
        row = await repository.insert_filing(
            session,
            recruit,
            programme=programme,
            evidence_note=evidence_note,
            level=level.level,
            destinations=level.destinations,
        )
    except IntegrityError as error:  # a concurrent filing of the same recruit
        raise exists from error
    await audit.append(
        session,
        operation="fileTalent",
        object_type="TalentFiling",
        object_id=row.id,
        unit_id=recruit.branch_id,
        school_id=recruit.school_id,
        before=None,
        after={
            "recruit_id": recruit.id,
            "programme": programme,
            "level": level.level,
            "destinations": list(level.destinations),
        },
    )
    return row


async def visible_filing(
    session: Session, filing_id: int, permission: Permission, *, lock: bool = False
) -> sa.Row:
    row = await repository.get_filing(session, filing_id, lock=lock)
    return session.reach(row, "filing", permission)


async def review(
    session: Session, *, filing_id: int, acknowledge: bool, reason: str | None
) -> sa.Row:
    filing = await visible_filing(session, filing_id, Permission.FILING_REVIEW, lock=True)
    _require_destination(session, filing)
    if filing.status != "filed":
        raise RecruitError(
            RecruitErrorCode.FILING_NOT_PENDING,
            f"该备案{_STATUS.get(filing.status, filing.status)}，不能再处理",
            "filingId",
        )
    reason = _text(reason, "reason", 500, required=not acknowledge)
    row = await repository.review_filing(
        session, filing.id, status="acknowledged" if acknowledge else "returned", reason=reason
    )
    if acknowledge:
        recruit = await visible(session, filing.recruit_id, Permission.RECRUIT_READ, lock=True)
        # The tallies move an admission already counted from the quota to the exempt figure.
        await repository.set_exempt(session, recruit.id, True)
    await audit.append(
        session,
        operation="acknowledgeFiling" if acknowledge else "returnFiling",
        object_type="TalentFiling",
        object_id=row.id,
        unit_id=int(filing.unit_path.split(".")[-1]),
        school_id=filing.school_id,
        before={"status": filing.status},
        after={"status": row.status, "reason": reason},
    )
    return row


def destination_path(filing: sa.Row) -> str:
    """The path of the unit a filing was filed with: its school's, or its commission's."""
    labels = filing.unit_path.split(".")
    return ".".join(labels[: 2 if filing.level == "school" else 1])


def _require_destination(session: Session, filing: sa.Row) -> None:
    """FORBIDDEN unless the caller holds ``filing.review`` bound at the unit the filing went to:
    a commission does not acknowledge what its schools' committees keep, nor a school what goes
    to the commission."""
    at = destination_path(filing)
    if at not in session.principal.paths_with(Permission.FILING_REVIEW):
        raise Forbidden(f"该备案报{'、'.join(filing.destinations)}备案，应由其确认或退回")


async def page(
    session: Session, *, under_id: int | None, status: str | None, keyset: Keyset
) -> Page:
    read_paths = sorted(
        set(
            session.principal.paths_with(Permission.FILING_SUBMIT)
            + session.principal.paths_with(Permission.FILING_REVIEW)
        )
    )
    under = None
    if under_id is not None:
        under = Subtree.of_unit(
            await visible_unit(session, under_id, Permission.UNIT_READ, "under")
        )
    if not read_paths:
        session.require(Permission.FILING_REVIEW, under.path if under else "")
    return await repository.filings_page(
        session, read_paths=read_paths, under=under, status=status, keyset=keyset
    )

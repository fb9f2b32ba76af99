"""Execution reports (执行情况报告): a school drafts its narrative, submits (the live figures are
frozen with their hash), the commission acknowledges or returns; a returned report is edited
and submitted again. Later changes to the records never alter a submitted snapshot.

A report counts as of its date: the figures, open findings included, are read at the moment of
submission, which is its ``submitted_at`` and its snapshot's ``generated_at`` (``as_of`` is that
moment's date). A finding raised or resolved afterwards moves the period's live roll-up, which
counts what is open now, and not the report. A draft or returned report previews the figures
as they stand when read; a new submission counts them as of its own moment."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.paging import Keyset, Page
from partyplan.resolvers.plans.service.common import period_for, unit_in_period
from partyplan.resolvers.text import clean_text, unsafe
from partyplan.resolvers.units.service import listing_scope
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from . import repository
from .errors import ReportError, ReportErrorCode
from .snapshot import content_hash, province_snapshot, school_snapshot

NARRATIVE_LIMIT = 20_000
FROZEN = ("submitted", "acknowledged")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# A report's status as a refusal names it.
_STATUS_LABELS = {
    "draft": "草稿",
    "submitted": "已报送",
    "acknowledged": "工委已确认",
    "returned": "已退回",
}


def _status(status: str, refused: str) -> str:
    return f"该报告当前状态为“{_STATUS_LABELS.get(status, status)}”，{refused}"


def clean_narrative(value: str | None) -> str:
    """Paragraphs kept (newlines), control characters and outer blanks removed."""
    text = _CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(text) > NARRATIVE_LIMIT:
        raise ReportError(
            ReportErrorCode.INVALID_TEXT,
            f"报告正文不能超过 {NARRATIVE_LIMIT} 个字符",
            "narrative",
        )
    if (problem := unsafe(text)) is not None:  # a lone surrogate, a C1 or a bidi control
        raise ReportError(ReportErrorCode.INVALID_TEXT, f"报告正文{problem}", "narrative")
    return text


async def _school(session: Session, period_id: int, unit_id: int) -> tuple[sa.Row, sa.Row]:
    period = await period_for(session, period_id)
    school = await unit_in_period(session, unit_id, period, Permission.REPORT_SUBMIT, "unitId")
    if school.kind != "school":
        raise ReportError(ReportErrorCode.NOT_A_SCHOOL, "执行情况报告只能由学校报送", "unitId")
    return period, school


async def _editable(session: Session, period_id: int, school: sa.Row, narrative: str) -> sa.Row:
    """The school's report for the period, locked, created as a draft if it has none; refused
    once submitted."""
    row = await repository.find(session, period_id, school.id, lock=True)
    if row is None:
        await repository.create(session, period_id=period_id, unit=school, narrative=narrative)
        row = await repository.find(session, period_id, school.id, lock=True)
    elif row.status in FROZEN:
        raise ReportError(
            ReportErrorCode.ALREADY_SUBMITTED, _status(row.status, "不能再修改或报送"), "periodId"
        )
    return row


async def save_draft(
    session: Session, *, period_id: int, unit_id: int, narrative: str | None
) -> sa.Row:
    period, school = await _school(session, period_id, unit_id)
    text = clean_narrative(narrative)
    report_id = (await _editable(session, period.id, school, text)).id
    await repository.update(session, report_id, narrative=text)
    await audit.append(
        session,
        operation="saveReportDraft",
        object_type="ExecutionReport",
        object_id=report_id,
        unit_id=school.id,
        school_id=school.school_id,
        before=None,
        after={"narrative_length": len(text)},
    )
    return await visible(session, report_id, Permission.REPORT_SUBMIT)


async def submit(
    session: Session, *, period_id: int, unit_id: int, narrative: str | None, timezone: str
) -> sa.Row:
    """Freeze the live figures (two statements) with the narrative and their SHA-256, counted
    as of the submission: one moment for ``submitted_at`` and the snapshot's ``as_of``."""
    period, school = await _school(session, period_id, unit_id)
    if period.state == "draft":
        raise ReportError(
            ReportErrorCode.PERIOD_NOT_ISSUED, "计划期尚未下达，不能报送执行情况", "periodId"
        )
    given = None if narrative is None else clean_narrative(narrative)
    current = await _editable(session, period.id, school, given or "")
    report_id = current.id
    text = current.narrative if given is None else given
    at = await repository.now(session)
    snapshot = await school_snapshot(session, period, school, text, timezone, at=at)
    digest = content_hash(snapshot)
    await repository.update(
        session,
        report_id,
        status="submitted",
        narrative=text,
        snapshot=snapshot,
        content_hash=digest,
        submitted_by=session.principal.user_id,
        submitted_at=at,
        reviewed_by=None,
        reviewed_at=None,
        return_reason=None,
    )
    await audit.append(
        session,
        operation="submitReport",
        object_type="ExecutionReport",
        object_id=report_id,
        unit_id=school.id,
        school_id=school.school_id,
        before={"status": current.status},
        after={"status": "submitted", "content_hash": digest},
    )
    return await visible(session, report_id, Permission.REPORT_SUBMIT)


async def review(
    session: Session, *, report_id: int, acknowledge: bool, reason: str | None
) -> sa.Row:
    row = await visible(session, report_id, Permission.REPORT_REVIEW, lock=True)
    if row.status != "submitted":
        raise ReportError(
            ReportErrorCode.NOT_SUBMITTED, _status(row.status, "只能审阅已报送的报告"), "reportId"
        )
    reason = clean_text(
        reason,
        "reason",
        required=not acknowledge,
        limit=500,
        error=ReportError,
        code=ReportErrorCode.INVALID_TEXT,
        missing_code=ReportErrorCode.REASON_REQUIRED,
        label="退回理由",
    )
    status = "acknowledged" if acknowledge else "returned"
    await repository.update(
        session,
        row.id,
        status=status,
        return_reason=reason,
        reviewed_by=session.principal.user_id,
        reviewed_at=sa.func.now(),
    )
    await audit.append(
        session,
        operation="acknowledgeReport" if acknowledge else "returnReport",
        object_type="ExecutionReport",
        object_id=row.id,
        unit_id=row.unit_id,
        school_id=row.school_id,
        before={"status": row.status},
        after={"status": status, "reason": reason},
    )
    return await visible(session, row.id, Permission.PLAN_READ)


async def visible(
    session: Session,
    report_id: int,
    permission: Permission = Permission.PLAN_READ,
    *,
    lock: bool = False,
) -> sa.Row:
    row = await repository.get(session, report_id, lock=lock)
    return session.reach(row, "该执行情况报告", permission)


async def content(session: Session, row: sa.Row, timezone: str) -> dict[str, Any]:
    """The frozen snapshot of a submitted report, as of its submission; a draft's (or returned
    one's) live preview, as of now."""
    if row.status in FROZEN:
        return dict(row.snapshot)
    period = await period_for(session, row.period_id)
    school = await unit_in_period(session, row.unit_id, period, Permission.PLAN_READ, "reportId")
    return await school_snapshot(session, period, school, row.narrative, timezone)


async def province(session: Session, *, period_id: int, timezone: str) -> dict[str, Any]:
    """The period's commission-wide table, live: for those reading plans at the commission."""
    period = await period_for(session, period_id)
    commission = await visible_unit(session, period.commission_id, Permission.PLAN_READ, "periodId")
    return await province_snapshot(session, period, commission, timezone)


async def page(
    session: Session,
    *,
    under_id: int | None,
    period_id: int | None,
    status: str | None,
    keyset: Keyset,
) -> Page:
    read_paths, under = await listing_scope(session, under_id, Permission.PLAN_READ)
    return await repository.page(
        session,
        read_paths=read_paths,
        under=under,
        period_id=period_id,
        status=status,
        keyset=keyset,
    )

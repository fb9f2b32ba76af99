"""All SQL of attachments. Callers pass a Session; row-level security applies."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from partyplan.models import (
    attachment_quotas,
    attachment_supersessions,
    attachments,
    document_expectations,
    recruit_steps,
    units,
)
from partyplan.tenants.session import Session

_S = attachment_supersessions.c
#: An attachment with its supersession, if any (``superseded_at`` null: current).
ATTACHMENT_COLUMNS = (
    *attachments.c,
    recruit_steps.c.step_code,
    recruit_steps.c.on_date.label("step_on"),
    _S.reason.label("supersede_reason"),
    _S.created_at.label("superseded_at"),
    _S.replacement_id,
)


def _joined() -> Any:
    return attachments.join(recruit_steps, recruit_steps.c.id == attachments.c.step_id).outerjoin(
        attachment_supersessions, _S.attachment_id == attachments.c.id
    )


async def get(session: Session, attachment_id: int) -> sa.Row | None:
    stmt = (
        sa.select(*ATTACHMENT_COLUMNS)
        .select_from(_joined())
        .where(attachments.c.id == attachment_id)
    )
    return (await session.execute(stmt)).one_or_none()


async def of_recruit(session: Session, recruit_id: int, *, current_only: bool) -> list[sa.Row]:
    """The recruit's attachments, oldest first (the current ones only, or all)."""
    stmt = (
        sa.select(*ATTACHMENT_COLUMNS)
        .select_from(_joined())
        .where(attachments.c.recruit_id == recruit_id)
        .order_by(attachments.c.id)
    )
    if current_only:
        stmt = stmt.where(_S.attachment_id.is_(None))
    return list((await session.execute(stmt)).all())


async def insert(session: Session, values: dict[str, Any]) -> int:
    stmt = sa.insert(attachments).values(**values).returning(attachments.c.id)
    return int((await session.execute(stmt)).scalar_one())


async def supersede(session: Session, values: dict[str, Any]) -> None:
    await session.execute(sa.insert(attachment_supersessions).values(**values))


async def step(session: Session, step_id: int) -> sa.Row | None:
    """A recorded step, with whether a correction has replaced it."""
    corrected = (
        sa.select(recruit_steps.c.id)
        .where(recruit_steps.c.supersedes_id == step_id)
        .exists()
        .label("corrected")
    )
    stmt = sa.select(*recruit_steps.c, corrected).where(recruit_steps.c.id == step_id)
    return (await session.execute(stmt)).one_or_none()


# --- quotas ------------------------------------------------------------------------------------


_CHARGE = sa.text("SELECT * FROM attachment_quota_charge(:school, :bytes)")


async def charge(session: Session, school_id: int, size: int) -> sa.Row:
    """Charge ``size`` bytes to the school's quota if it holds them (``charged``), with its
    ``limit_bytes`` and ``used_bytes`` (null without a quota). Uploads to one school take turns
    on its quota row, so two at once cannot both fit in what is left."""
    return (await session.execute(_CHARGE, {"school": school_id, "bytes": size})).one()


async def quota(session: Session, school_id: int, *, lock: bool = False) -> sa.Row | None:
    """The school's quota row (seen by the school and its commission)."""
    stmt = sa.select(attachment_quotas).where(attachment_quotas.c.school_id == school_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).one_or_none()


async def used_bytes(session: Session, school_id: int) -> int:
    """Bytes stored for the school: every attachment charged to it, superseded ones too (they
    are kept)."""
    stmt = sa.select(sa.func.coalesce(sa.func.sum(attachments.c.size_bytes), 0)).where(
        attachments.c.charged_school_id == school_id
    )
    return int((await session.execute(stmt)).scalar_one())


async def set_quota(
    session: Session, school: sa.Row, limit: int, used: int, user_id: int | None
) -> None:
    """Set the limit; what the school holds now is what its counter starts from (a new row)
    or is (the row's, kept by every charge since)."""
    stmt = pg_insert(attachment_quotas).values(
        school_id=school.id,
        unit_path=school.path,
        limit_bytes=limit,
        used_bytes=used,
        updated_by=user_id,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[attachment_quotas.c.school_id],
            set_={
                "limit_bytes": stmt.excluded.limit_bytes,
                "updated_by": stmt.excluded.updated_by,
                "updated_at": sa.func.now(),
            },
        )
    )


async def quotas_under(session: Session, commission_path: str) -> list[sa.Row]:
    """Every school under the commission, with its quota (null: none set) and bytes used."""
    used = (
        sa.select(sa.func.coalesce(sa.func.sum(attachments.c.size_bytes), 0))
        .where(attachments.c.charged_school_id == units.c.id)
        .scalar_subquery()
    )
    stmt = (
        sa.select(
            units.c.id,
            units.c.name,
            units.c.path,
            attachment_quotas.c.limit_bytes,
            used.label("used_bytes"),
        )
        .select_from(
            units.outerjoin(attachment_quotas, attachment_quotas.c.school_id == units.c.id)
        )
        .where(
            units.c.kind == "school",
            units.c.path.op("<@")(sa.cast(commission_path, units.c.path.type)),
        )
        .order_by(units.c.id)
    )
    return list((await session.execute(stmt)).all())


# --- expected documents: the commission's overlays ------------------------------------------

_E = document_expectations.c


async def expectations_of(session: Session, commission_id: int) -> list[sa.Row]:
    stmt = (
        sa.select(document_expectations)
        .where(_E.commission_id == commission_id)
        .order_by(_E.step_code, _E.school_id.nulls_first(), _E.effective_from, _E.id)
    )
    return list((await session.execute(stmt)).all())


async def replace_expectation(session: Session, values: dict[str, Any]) -> sa.Row:
    """The overlay for (commission, school, step, effective date), replacing one held."""
    school = (
        _E.school_id.is_(None)
        if values["school_id"] is None
        else (_E.school_id == values["school_id"])
    )
    await session.execute(
        sa.delete(document_expectations).where(
            _E.commission_id == values["commission_id"],
            school,
            _E.step_code == values["step_code"],
            _E.effective_from == values["effective_from"],
        )
    )
    stmt = sa.insert(document_expectations).values(**values).returning(*document_expectations.c)
    return (await session.execute(stmt)).one()

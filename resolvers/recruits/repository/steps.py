"""SQL of a recruit's steps and of the findings derived from them.

A step is never rewritten: a correction is a new step that supersedes it (``supersedes_id``),
so a recruit's current steps are those no other step supersedes, in date then id order. The
findings are derived, never edited: each derivation replaces the recruit's whole set. Both
rows carry the recruit's school and unit path (row-level security scopes them as it scopes the
recruit) and move with it on a transfer (``records.move_recruit``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from partyplan.models import recruit_findings, recruit_steps
from partyplan.tenants.session import Session


async def steps_of(session: Session, recruit_id: int) -> list[sa.Row]:
    """The recruit's current steps (corrected ones replaced by their correction), in order."""
    superseded = sa.select(recruit_steps.c.supersedes_id).where(
        recruit_steps.c.recruit_id == recruit_id, recruit_steps.c.supersedes_id.is_not(None)
    )
    stmt = (
        sa.select(*recruit_steps.c)
        .where(recruit_steps.c.recruit_id == recruit_id, recruit_steps.c.id.not_in(superseded))
        .order_by(recruit_steps.c.on_date, recruit_steps.c.id)
    )
    return list((await session.execute(stmt)).all())


async def steps_of_many(session: Session, recruit_ids: Sequence[int]) -> list[sa.Row]:
    ids = sa.literal(list(recruit_ids), sa.ARRAY(sa.BigInteger))
    superseded = sa.select(recruit_steps.c.supersedes_id).where(
        recruit_steps.c.recruit_id == sa.any_(ids), recruit_steps.c.supersedes_id.is_not(None)
    )
    stmt = (
        sa.select(*recruit_steps.c)
        .where(recruit_steps.c.recruit_id == sa.any_(ids), recruit_steps.c.id.not_in(superseded))
        .order_by(recruit_steps.c.recruit_id, recruit_steps.c.on_date, recruit_steps.c.id)
    )
    return list((await session.execute(stmt)).all())


async def insert_step(
    session: Session,
    recruit: sa.Row,
    *,
    step_code: str,
    on: date,
    data: dict[str, Any],
    rule_version: str,
    supersedes_id: int | None = None,
    correction_reason: str | None = None,
) -> sa.Row:
    stmt = (
        sa.insert(recruit_steps)
        .values(
            recruit_id=recruit.id,
            school_id=recruit.school_id,
            unit_path=recruit.unit_path,
            step_code=step_code,
            on_date=on,
            data=data,
            rule_version=rule_version,
            actor_user_id=session.principal.user_id,
            supersedes_id=supersedes_id,
            correction_reason=correction_reason,
        )
        .returning(*recruit_steps.c)
    )
    return (await session.execute(stmt)).one()


async def get_step(session: Session, step_id: int) -> sa.Row | None:
    stmt = sa.select(*recruit_steps.c).where(recruit_steps.c.id == step_id)
    return (await session.execute(stmt)).first()


async def is_superseded(session: Session, step_id: int) -> bool:
    stmt = sa.select(sa.literal(1)).where(recruit_steps.c.supersedes_id == step_id)
    return (await session.scalar(stmt)) is not None


async def replace_findings(
    session: Session, recruit: sa.Row, findings: list[dict[str, Any]]
) -> None:
    await session.execute(
        sa.delete(recruit_findings).where(recruit_findings.c.recruit_id == recruit.id)
    )
    if findings:
        await session.execute(
            sa.insert(recruit_findings),
            [
                {
                    "recruit_id": recruit.id,
                    "school_id": recruit.school_id,
                    "unit_path": recruit.unit_path,
                    **f,
                }
                for f in findings
            ],
        )


async def findings_of_many(session: Session, recruit_ids: Sequence[int]) -> list[sa.Row]:
    stmt = (
        sa.select(*recruit_findings.c)
        .where(
            recruit_findings.c.recruit_id
            == sa.any_(sa.literal(list(recruit_ids), sa.ARRAY(sa.BigInteger)))
        )
        .order_by(recruit_findings.c.recruit_id, recruit_findings.c.id)
    )
    return list((await session.execute(stmt)).all())

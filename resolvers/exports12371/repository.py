"""SQL of the 12371 export: the school's recruits of one stage in keyset batches (never the whole
school at once), their current steps and the roster's names, one batch at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from partyplan.tenants.session import Session

#: The columns ``rules.cells`` renders a recruit from (``r`` the recruit, ``u`` its branch).
COLUMNS = (
    "r.id, r.school_id, r.unit_path::text AS unit_path, r.branch_id, r.name, r.gender,"
    " r.ethnicity, r.birth_date, r.education, r.category, r.applied_on, r.activist_on,"
    " r.target_on, r.approved_on, r.converted_on, r.id_number_enc, r.id_number_masked,"
    " r.phone_enc, r.phone_masked, r.stage, r.id_number_hash, u.name AS branch"
)


async def recruits(
    session: Session,
    *,
    school_id: int,
    stage: str,
    milestone: str,
    window: tuple[date, date] | None,
    after_id: int,
    limit: int,
) -> list[sa.Row]:
    """Up to ``limit`` recruits of the school now in ``stage`` (an annulled admission in none)
    with an id above ``after_id``, in
    id order (``ix_recruits_school_id_id``); with ``window``, those whose ``milestone`` (the
    date they entered the stage; a column name of the rules, never the caller's text) falls in
    it."""
    within = f" AND r.{milestone} BETWEEN :starts AND :ends" if window else ""
    params: dict[str, Any] = {"school": school_id, "stage": stage, "after": after_id, "n": limit}
    if window:
        params["starts"], params["ends"] = window
    result = await session.execute(
        sa.text(
            f"SELECT {COLUMNS} FROM recruits r JOIN units u ON u.id = r.branch_id"
            f" WHERE r.school_id = :school AND r.stage = :stage AND r.id > :after{within}"
            # An annulled admission (一律不予承认) is no member, whatever its stage says.
            " AND r.annulled_on IS NULL"
            " ORDER BY r.id LIMIT :n"
        ),
        params,
    )
    return list(result.all())


async def current_steps(
    session: Session, recruit_ids: Sequence[int], codes: Sequence[str]
) -> list[sa.Row]:
    """The current (not superseded) steps of ``codes`` of the recruits, oldest first:
    ``recruit_id``, ``step_code``, ``on_date``, ``data``."""
    if not recruit_ids or not codes:
        return []
    result = await session.execute(
        sa.text(
            "SELECT s.recruit_id, s.step_code, s.on_date, s.data FROM recruit_steps s"
            " WHERE s.recruit_id = ANY(CAST(:ids AS bigint[]))"
            " AND s.step_code = ANY(CAST(:codes AS text[]))"
            " AND NOT EXISTS (SELECT 1 FROM recruit_steps c WHERE c.supersedes_id = s.id)"
            " ORDER BY s.recruit_id, s.on_date, s.id"
        ),
        {"ids": list(recruit_ids), "codes": list(codes)},
    )
    return list(result.all())


async def member_names(session: Session, school_id: int, codes: Sequence[str]) -> dict[str, str]:
    """The roster's names of the member ``codes`` in the school."""
    if not codes:
        return {}
    result = await session.execute(
        sa.text(
            "SELECT code, name FROM members"
            " WHERE school_id = :school AND code = ANY(CAST(:codes AS text[]))"
        ),
        {"school": school_id, "codes": list(codes)},
    )
    return {row.code: row.name for row in result}

"""SQL of the activists' ledger: the activists and development targets in a committee's subtree
with their branch, their current (not superseded) steps of the codes the ledger shows, and the
roster's names of their contact persons."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from partyplan.tenants.session import Session

#: A committee's ledger is read whole: a few thousand rows at most (a school of 40,000 students
#: has a few hundred activists at once); this bounds a runaway one.
LIMIT = 50_000


async def activists(session: Session, unit_path: str, stages: Sequence[str]) -> list[sa.Row]:
    """The recruits in ``stages`` at or below ``unit_path``, by branch then activist date."""
    result = await session.execute(
        sa.text(
            "SELECT r.id, r.school_id, r.name, r.gender, r.birth_date, r.category, r.education,"
            " r.applied_on, r.activist_on, r.target_on, r.stage, r.next_step, r.next_due_on,"
            " r.id_number_enc, r.id_number_masked, u.name AS branch"
            " FROM recruits r JOIN units u ON u.id = r.branch_id"
            " WHERE r.unit_path <@ CAST(:p AS ltree) AND r.stage = ANY(CAST(:s AS text[]))"
            " ORDER BY r.unit_path, r.activist_on NULLS LAST, r.id LIMIT :n"
        ),
        {"p": unit_path, "s": list(stages), "n": LIMIT},
    )
    return list(result.all())


async def current_steps(
    session: Session, recruit_ids: Sequence[int], codes: Sequence[str]
) -> list[sa.Row]:
    """The current steps of ``codes`` of the recruits, oldest first: ``recruit_id``,
    ``step_code``, ``on_date``, ``data``."""
    if not recruit_ids:
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


async def member_names(
    session: Session, school_ids: Sequence[int], codes: Sequence[str]
) -> dict[tuple[int, str], str]:
    """The roster's names of the member ``codes``, by (school, code)."""
    if not codes:
        return {}
    result = await session.execute(
        sa.text(
            "SELECT school_id, code, name FROM members"
            " WHERE school_id = ANY(CAST(:schools AS bigint[]))"
            " AND code = ANY(CAST(:codes AS text[]))"
        ),
        {"schools": list(school_ids), "codes": list(codes)},
    )
    return {(row.school_id, row.code): row.name for row in result}

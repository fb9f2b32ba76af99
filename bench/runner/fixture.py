"""What the generated data offers the scenarios (``partyplan bench generate``): the ``bench-*``
accounts, the first school (the one ``bench-school`` administers), the plan period in force, and
the recruits and units the write scenarios work on. Ids are discovered by SQL as the owner.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg

ACCOUNTS = ("bench-commission", "bench-school", "bench-unit", "bench-branch")


@dataclass
class Fixture:
    """What the data offers the scenarios: accounts, the school, the period, write targets."""

    users: dict[str, int]
    commission_id: int
    school_id: int
    period_id: int
    period_name: str
    committees: list[int]
    m1_user: str = ""
    m1_recruits: list[int] = field(default_factory=list)
    school_available: int = 0
    counts: dict[str, int] = field(default_factory=dict)


async def discover(conn: asyncpg.Connection) -> Fixture:
    """Ids by SQL as the owner. The period: the issued one of the commission in which the
    school received quota, containing today if there is one, else the latest."""
    rows = await conn.fetch(
        "SELECT u.username, u.id, b.unit_id FROM users u JOIN role_bindings b ON b.user_id = u.id"
        " WHERE u.username = ANY($1::text[]) ORDER BY b.id",
        list(ACCOUNTS),
    )
    users = {r["username"]: r["id"] for r in rows}
    units = {r["username"]: r["unit_id"] for r in rows}
    missing = [a for a in ACCOUNTS[:2] if a not in users]
    if missing:
        raise SystemExit(
            f"the data has no {', '.join(missing)} account: generate it with "
            "`partyplan bench generate` first"
        )
    commission, school = units["bench-commission"], units["bench-school"]
    period = await conn.fetchrow(
        "SELECT p.id, p.name FROM plan_periods p JOIN unit_quotas q ON q.period_id = p.id"
        " AND q.unit_id = $2 AND q.received_total > 0"
        " WHERE p.commission_id = $1 AND p.state = 'issued'"
        " ORDER BY (current_date BETWEEN p.starts_on AND p.ends_on) DESC, p.starts_on DESC"
        " LIMIT 1",
        commission,
        school,
    )
    if period is None:
        raise SystemExit("no issued plan period gives the first school a quota")
    committees = [
        r["id"]
        for r in await conn.fetch(
            "SELECT id FROM units WHERE parent_id = $1 AND active ORDER BY id", school
        )
    ]
    fixture = Fixture(users, commission, school, period["id"], period["name"], committees)
    fixture.school_available = await conn.fetchval(
        "SELECT received_total - handed_total - reserve_total FROM unit_quotas"
        " WHERE period_id = $1 AND unit_id = $2",
        period["id"],
        school,
    )
    fixture.m1_user, fixture.m1_recruits = await _m1_targets(conn, units)
    fixture.counts = dict(
        await conn.fetchrow(
            "SELECT (SELECT count(*) FROM units) AS units,"
            " (SELECT count(*) FROM units WHERE kind = 'school') AS schools,"
            " (SELECT count(*) FROM recruits) AS recruits,"
            " (SELECT count(*) FROM warnings) AS warnings"
        )
    )
    return fixture


# Step 6 (cultivation, 培养教育考察) is repeatable until step 7 and needs only step 5: a branch
# records an assessment each time one takes place. Rotating over many recruits keeps each
# history short (recordStep re-judges the whole history) and spreads the row locks.
_M1_CANDIDATES = """
SELECT r.id FROM recruits r
 WHERE r.unit_path <@ (SELECT path FROM units WHERE id = $1) AND r.stage = 'activist'
   AND EXISTS (SELECT 1 FROM recruit_steps s WHERE s.recruit_id = r.id AND s.step_code = 'contacts')
   AND NOT EXISTS (SELECT 1 FROM recruit_steps s
                    WHERE s.recruit_id = r.id AND s.step_code = 'development_target')
 ORDER BY r.id LIMIT 500
"""
M1_ENOUGH = 200  # so that a run adds few steps to each history (recordStep re-judges it all)


async def _m1_targets(conn: asyncpg.Connection, units: dict[str, int]) -> tuple[str, list[int]]:
    """The narrowest account (branch secretary, then unit, then school) that reaches enough
    recruits in step 6; the widest one's list when none does."""
    best: tuple[str, list[int]] = ("", [])
    for account in ("bench-branch", "bench-unit", "bench-school"):
        if account not in units:
            continue
        ids = [r["id"] for r in await conn.fetch(_M1_CANDIDATES, units[account])]
        if len(ids) >= M1_ENOUGH:
            return account, ids
        if len(ids) > len(best[1]):
            best = (account, ids)
    return best


__all__ = ["ACCOUNTS", "M1_ENOUGH", "Fixture", "discover"]

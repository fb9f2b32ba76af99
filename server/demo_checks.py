"""Demo data of the checks on the plan (docs/spot-checks.md, docs/allocation-quality.md): a
spot check of the Shanxi development targets, drawn, with an issue found and followed up; and
an equal split by 机关党委 between two branches without any pipeline, which the allocation
quality flags. Through the real services, idempotently (each part only once)."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.resolvers.plans.rules import Amounts
from partyplan.resolvers.plans.service import quotas
from partyplan.resolvers.spotchecks import service as spotchecks
from partyplan.tenants.session import Session

#: The demo's seed: public, since the demo's draw is there to be redone by anyone. A real
#: check's seed is secret until the draw (docs/spot-checks.md).
DEMO_SEED = "a3f1c9e07b5d42168e9f0c2d4b6a8e1f3c5d7e9fa0b2c4d6e8f1a3b5c7d9e0f2"


async def _as(conn: AsyncConnection, username: str) -> Session:
    user_id = await conn.scalar(
        sa.text("SELECT id FROM users WHERE username = :u"), {"u": username}
    )
    return await Session.bound(conn, user_id)


async def _unit(conn: AsyncConnection, code: str) -> int | None:
    return await conn.scalar(sa.text("SELECT id FROM units WHERE code = :c"), {"c": code})


async def seed_spot_check(conn: AsyncConnection) -> None:
    """Commit, draw one development target per school, find an issue in the first drawn and
    have its school report the follow-up (the commission's closing is left to the visitor)."""
    if await conn.scalar(sa.text("SELECT 1 FROM spot_checks LIMIT 1")):
        return
    commission = await _unit(conn, "SX-JGW")
    if commission is None or not await conn.scalar(
        sa.text("SELECT 1 FROM recruits WHERE stage = 'development_target' LIMIT 1")
    ):
        return
    admin = await _as(conn, "sx-admin")
    check = await spotchecks.commit(
        admin,
        commission_id=commission,
        name="2023 年度发展对象随机抽查（演示）",
        seed_sha256=hashlib.sha256(DEMO_SEED.encode()).hexdigest(),
        per_school=1,
        share=None,
        school_ids=None,
    )
    await spotchecks.draw(admin, check_id=check.id, seed=DEMO_SEED)
    first = await conn.scalar(
        sa.text(
            "SELECT r.id FROM spot_check_records r JOIN units s ON s.id = r.school_id"
            " WHERE r.check_id = :c ORDER BY s.code = 'SX-XZSY' DESC, r.id LIMIT 1"
        ),
        {"c": check.id},
    )
    await spotchecks.record_finding(
        admin,
        record_id=first,
        finding="issue",
        step="political_review",
        rule_id="review.valid_1y",
        note="政治审查材料未附本人所在单位意见，须补充后再提交支部大会讨论",
    )
    school = await conn.scalar(
        sa.text(
            "SELECT u.username FROM users u JOIN role_bindings b ON b.user_id = u.id"
            " JOIN spot_check_records r ON r.school_id = b.unit_id"
            " WHERE r.id = :r AND b.role = 'school_admin' LIMIT 1"
        ),
        {"r": first},
    )
    if school is not None:
        await spotchecks.follow_up(
            await _as(conn, school), record_id=first, note="已补充单位意见并重新审查，结论合格"
        )


async def seed_equal_split(conn: AsyncConnection) -> None:
    """机关党委 splits its six staff places (two high-knowledge) evenly between its two branches, neither
    of which has an activist or a development target: an equal split."""
    committee = await _unit(conn, "SX-XZSY-JG")
    period = await conn.scalar(
        sa.text(
            "SELECT p.id FROM plan_periods p JOIN units c ON c.id = p.commission_id"
            " WHERE c.code = 'SX-JGW' AND p.name = '2023 年度'"
        )
    )
    if committee is None or period is None:
        return
    if await conn.scalar(
        sa.text("SELECT 1 FROM quota_movements WHERE period_id = :p AND from_unit_id = :u LIMIT 1"),
        {"p": period, "u": committee},
    ):
        return
    school = await _as(conn, "xz-admin")
    for code in ("SX-XZSY-JG-01", "SX-XZSY-JG-02"):
        branch = await _unit(conn, code)
        assert branch is not None
        await quotas.allocate(
            school,
            period_id=period,
            from_unit_id=committee,
            to_unit_id=branch,
            amounts=Amounts(3, staff=3, high_knowledge=1),
            targets=[],
        )

"""The demo's plans: the Shanxi 2023 calendar-year plan issued to 忻州师范学院
(晋教工委组〔2023〕23号) and subdivided to its 中层党组织 with a staff reserve, with the official
2023 working calendar; Chongqing's 2019 H2 period with the five branches' forecasts
(32, 6, 7, 3, 5 → 53); with ``province``, the province's plans of ``demo_province``; and, once
the recruits exist, the 2023 plan reaching two of them by name.

Through the real services as the demo accounts, idempotently: each part is skipped when what it
creates is already there.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.resolvers.placements import service as placements
from partyplan.resolvers.plans.rules import Amounts
from partyplan.resolvers.plans.service import forecasts, periods, quotas
from partyplan.resolvers.recruits.rules.calendar import SAMPLE_CALENDAR_2023
from partyplan.resolvers.recruits.service import procedure_admin

from . import demo_province
from .demo_tree import SHANXI, session_as, unit_id_of, unit_ids_by_code

__all__ = ["CHONGQING_FORECASTS", "seed_named_targets", "seed_plans"]

# 附件 1 of 重庆幼专党委〔2019〕51 号: (unit code, forecast, of which staff, high-knowledge, 备注)
CHONGQING_FORECASTS = [
    ("CQ-YEZ-01", 32, 2, 1, "2 名教师（1 名高知识群体教师）"),
    ("CQ-YEZ-02", 6, 0, 0, None),
    ("CQ-YEZ-03", 7, 0, 0, None),
    ("CQ-YEZ-04", 3, 0, 0, None),
    ("CQ-YEZ-05", 5, 0, 0, None),
]


async def seed_plans(conn: AsyncConnection, on: date, province: bool) -> None:
    exists = await conn.scalar(sa.text("SELECT 1 FROM plan_periods LIMIT 1"))
    if not exists:
        await _seed_base_plans(conn)
    if province and not await conn.scalar(
        sa.text(
            "SELECT 1 FROM plan_periods p JOIN units c ON c.id = p.commission_id"
            " WHERE c.code = :c AND p.starts_on > '2023-12-31'"
        ),
        {"c": SHANXI[0]},
    ):
        shanxi = await session_as(conn, "sx-admin")
        await demo_province.seed_plans(conn, shanxi, await unit_ids_by_code(conn), on)


async def _seed_base_plans(conn: AsyncConnection) -> None:
    shanxi = await session_as(conn, "sx-admin")
    period = await periods.create_period(
        shanxi,
        commission_id=await unit_id_of(conn, "SX-JGW"),
        name="2023 年度",
        kind="calendar_year",
        starts_on=date(2023, 1, 1),
        ends_on=date(2023, 12, 31),
        report_due_on=None,
    )
    await quotas.issue(
        shanxi,
        period_id=period.id,
        school_id=await unit_id_of(conn, "SX-XZSY"),
        amounts=Amounts(60, students=45, staff=15, high_knowledge=5),
        document_no="晋教工委组〔2023〕23号",
        document_date=date(2023, 3, 27),
        targets=[
            quotas.Target("youth_35", None, Decimal("80")),
            quotas.Target("college_educated", None, Decimal("100")),
        ],
    )
    await periods.change_state(shanxi, period_id=period.id, state="issued")
    calendar = SAMPLE_CALENDAR_2023  # the official 2023 arrangement (节假日与调休)
    await procedure_admin.set_working_calendar(
        shanxi,
        commission_id=await unit_id_of(conn, "SX-JGW"),
        year=2023,
        holidays=sorted(d for d in calendar.holidays if d.year == 2023),
        workdays=sorted(d for d in calendar.makeup_workdays if d.year == 2023),
    )
    xinzhou = await session_as(conn, "xz-admin")
    await quotas.set_reserve(
        xinzhou,
        period_id=period.id,
        unit_id=await unit_id_of(conn, "SX-XZSY"),
        reserve=Amounts(5, staff=5),
        reason="学校党委统筹教师名额",
    )
    for code, amounts in [
        ("SX-XZSY-JG", Amounts(6, staff=6, high_knowledge=2)),
        ("SX-XZSY-ZW", Amounts(18, students=16, staff=2, high_knowledge=1)),
        ("SX-XZSY-SJ", Amounts(16, students=15, staff=1, high_knowledge=1)),
        ("SX-XZSY-JY", Amounts(12, students=11, staff=1)),
    ]:
        await quotas.allocate(
            xinzhou,
            period_id=period.id,
            from_unit_id=await unit_id_of(conn, "SX-XZSY"),
            to_unit_id=await unit_id_of(conn, code),
            amounts=amounts,
            targets=[],
        )

    chongqing = await session_as(conn, "cq-admin")
    half = await periods.create_period(
        chongqing,
        commission_id=await unit_id_of(conn, "CQ-JGW"),
        name="2019 年下半年",
        kind="half_year",
        starts_on=date(2019, 7, 1),
        ends_on=date(2019, 12, 31),
        report_due_on=date(2020, 1, 31),
    )
    school = await session_as(conn, "cqyz-admin")
    for code, total, staff, high_knowledge, remark in CHONGQING_FORECASTS:
        await forecasts.submit(
            school,
            period_id=half.id,
            unit_id=await unit_id_of(conn, code),
            amounts=Amounts(total, staff=staff, high_knowledge=high_knowledge),
            remark=remark,
        )


async def seed_named_targets(conn: AsyncConnection) -> None:
    """The 2023 plan reaching people (docs/named-targets.md): 中文系 hands two places to its
    first student branch, which puts them on 张晓雨 (admitted on hers in September: consumed)
    and 马俊杰, and names 马俊杰 behind its forecast."""
    if await conn.scalar(sa.text("SELECT 1 FROM named_targets LIMIT 1")):
        return
    period_id = await conn.scalar(
        sa.text(
            "SELECT p.id FROM plan_periods p JOIN units c ON c.id = p.commission_id"
            " WHERE c.code = 'SX-JGW' AND p.name = '2023 年度'"
        )
    )
    branch = await unit_id_of(conn, "SX-XZSY-ZW-02")
    recruits = await conn.execute(
        sa.text("SELECT name, id FROM recruits WHERE branch_id = :b"), {"b": branch}
    )
    ids = dict(recruits.all())
    if period_id is None or not {"张晓雨", "马俊杰"} <= set(ids):
        return
    await quotas.allocate(
        await session_as(conn, "xz-admin"),
        period_id=period_id,
        from_unit_id=await unit_id_of(conn, "SX-XZSY-ZW"),
        to_unit_id=branch,
        amounts=Amounts(2, students=2),
        targets=[],
    )
    secretary = await session_as(conn, "xz-zw-secretary")
    named = [ids["张晓雨"], ids["马俊杰"]]
    await placements.place(secretary, period_id=period_id, unit_id=branch, recruit_ids=named)
    await placements.name_forecast(
        secretary, period_id=period_id, unit_id=branch, recruit_ids=[ids["马俊杰"]]
    )

"""The rows that come before the recruits: the unit tree, the commissions' working-day
calendars, and the accounts the benchmark scenarios sign in as.

Accounts (ids 1–4 in this order, each with one role binding):

========================  ====================  =========================================
username                  role                  bound at
========================  ====================  =========================================
``bench-commission``      commission_admin      the (first) commission
``bench-school``          school_admin          the first school
``bench-unit``            unit_admin            the first committee of the first school
``bench-branch``          branch_secretary      the first branch of the first school
========================  ====================  =========================================

"First" is by id; ids follow the tree (depth first), so the first committee is a college's
committee and the first branch one of its branches.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import asyncpg

from . import load
from .holidays import calendar_rows
from .records import CST
from .scale import Scale
from .tree import Tree, Unit

ACCOUNTS = (
    ("bench-commission", "基准测试·工委组织部", "commission_admin"),
    ("bench-school", "基准测试·学校组织部", "school_admin"),
    ("bench-unit", "基准测试·院系党委", "unit_admin"),
    ("bench-branch", "基准测试·支部书记", "branch_secretary"),
)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9), CST)


def account_units(tree: Tree) -> list[Unit]:
    school = tree.schools[0]
    committee = next(u for u in school.units if u.kind == "committee")
    branch = next(u for u in school.units if u.kind == "branch")
    return [tree.commissions[0], school.unit, committee, branch]


async def load_static(conn: asyncpg.Connection, tree: Tree, scale: Scale) -> dict[str, int]:
    """Units, calendars and accounts; returns username → user id."""
    units = [
        (
            u.id,
            u.kind,
            u.name,
            u.code,
            u.parent_id,
            u.path,
            u.school_id,
            u.region_code,
            _at(u.created_on),
        )
        for u in tree.all_units()
    ]
    await load.copy(conn, "units", load.UNIT_COLUMNS, units)
    days = calendar_rows(range(scale.first_application.year, scale.as_of.year + 1))
    await load.copy(
        conn,
        "calendar_days",
        ("commission_id", "commission_path", "day", "kind"),
        [(c.id, c.path, day, kind) for c in tree.commissions for day, kind in days],
    )
    users: list[tuple[Any, ...]] = []
    bindings: list[tuple[Any, ...]] = []
    for uid, ((username, display, role), unit) in enumerate(
        zip(ACCOUNTS, account_units(tree), strict=True), start=1
    ):
        users.append((uid, username, display, unit.id, unit.path, unit.school_id))
        bindings.append((uid, uid, role, unit.id, unit.path, unit.school_id))
    await load.copy(
        conn,
        "users",
        ("id", "username", "display_name", "home_unit_id", "home_path", "school_id"),
        users,
    )
    await load.copy(
        conn,
        "role_bindings",
        ("id", "user_id", "role", "unit_id", "unit_path", "school_id"),
        bindings,
    )
    return {row[1]: row[0] for row in users}

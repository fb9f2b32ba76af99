"""The demo's tree of units and its accounts: the Shanxi commission with 忻州师范学院 (its
中层党组织 and branches), the Chongqing commission with 重庆幼儿师范高等专科学校 and the five
branches of its 2019 H2 table, and one account per demo role; plus the lookups every demo
module shares (a session acting as an account, a unit's id by its code).

Inserted as the owner, idempotently: a commission whose code exists is not inserted again, and
accounts and role bindings already there are kept (ON CONFLICT DO NOTHING).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from partyplan.tenants.session import Session

from .demo_province import ESTABLISHED, school_trees

__all__ = [
    "ACCOUNTS",
    "CHONGQING",
    "PROVINCE_CODES",
    "REGIONS",
    "SHANXI",
    "XINZHOU",
    "Tree",
    "seed_tree",
    "session_as",
    "unit_id_of",
    "unit_ids_by_code",
]

# (code, kind, name, children)
Tree = tuple[str, str, str, list["Tree"]]

XINZHOU: Tree = (
    "SX-XZSY",
    "school",
    "中共忻州师范学院委员会",
    [
        (
            "SX-XZSY-JG",
            "committee",
            "机关党委",
            [
                ("SX-XZSY-JG-01", "branch", "党政办公室党支部", []),
                ("SX-XZSY-JG-02", "branch", "组织人事党支部", []),
            ],
        ),
        (
            "SX-XZSY-ZW",
            "committee",
            "中文系党总支",
            [
                ("SX-XZSY-ZW-01", "branch", "中文系教工党支部", []),
                ("SX-XZSY-ZW-02", "branch", "中文系学生第一党支部", []),
                ("SX-XZSY-ZW-03", "branch", "中文系学生第二党支部", []),
            ],
        ),
        (
            "SX-XZSY-SJ",
            "committee",
            "数学与计算机科学系党总支",
            [
                ("SX-XZSY-SJ-01", "branch", "数学与计算机科学系教工党支部", []),
                ("SX-XZSY-SJ-02", "branch", "数学与计算机科学系学生党支部", []),
            ],
        ),
        (
            "SX-XZSY-JY",
            "committee",
            "教育系党总支",
            [
                ("SX-XZSY-JY-01", "branch", "教育系教工党支部", []),
                ("SX-XZSY-JY-02", "branch", "教育系学生党支部", []),
            ],
        ),
    ],
)

SHANXI: Tree = ("SX-JGW", "commission", "中共山西省委教育工作委员会", [XINZHOU])

CHONGQING: Tree = (
    "CQ-JGW",
    "commission",
    "中共重庆市委教育工作委员会",
    [
        (
            "CQ-YEZ",
            "school",
            "中共重庆幼儿师范高等专科学校委员会",
            [
                ("CQ-YEZ-01", "committee", "学前教育系党总支部", []),
                ("CQ-YEZ-02", "branch", "初等教育与应用技术系党支部", []),
                ("CQ-YEZ-03", "branch", "音乐教育系党支部", []),
                ("CQ-YEZ-04", "branch", "美术教育系党支部", []),
                ("CQ-YEZ-05", "branch", "语言文学系党支部", []),
            ],
        ),
    ],
)

# (username, display name, role, unit code)
ACCOUNTS = [
    ("sx-admin", "工委组织部管理员", "commission_admin", "SX-JGW"),
    ("sx-viewer", "工委查看员", "commission_viewer", "SX-JGW"),
    ("xz-admin", "忻州师院组织部", "school_admin", "SX-XZSY"),
    ("xz-zw-admin", "中文系党总支", "unit_admin", "SX-XZSY-ZW"),
    ("xz-zw-secretary", "中文系学生第一党支部书记", "branch_secretary", "SX-XZSY-ZW-02"),
    ("xz-viewer", "忻州师院查看员", "viewer", "SX-XZSY"),
    ("xz-sync", "忻州师院 12371 同步", "sync_agent", "SX-XZSY"),
    ("cq-admin", "重庆市委教育工委组织部", "commission_admin", "CQ-JGW"),
    ("cqyz-admin", "重庆幼专组织部", "school_admin", "CQ-YEZ"),
    ("cqyz-secretary", "音乐教育系党支部书记", "branch_secretary", "CQ-YEZ-03"),
]


async def _insert_tree(
    conn: AsyncConnection, tree: Tree, parent_id: int | None, since: date | None = None
) -> None:
    """``since``: when the units were set up (now, unless the demo says they are older)."""
    code, kind, name, children = tree
    since = ESTABLISHED if code in PROVINCE_CODES else since
    unit_id = await conn.scalar(
        sa.text(
            "INSERT INTO units (kind, name, code, parent_id, path, created_at) "
            "VALUES (:kind, :name, :code, :parent, '0', coalesce(:since, now())) RETURNING id"
        ),
        {"kind": kind, "name": name, "code": code, "parent": parent_id, "since": since},
    )
    for child in children:
        await _insert_tree(conn, child, unit_id, since)


PROVINCE_CODES = frozenset(t[0] for t in school_trees())

# GB/T 2260 province codes: which province's procedure overlays apply.
REGIONS = {"SX-JGW": "14", "CQ-JGW": "50"}


async def seed_tree(conn: AsyncConnection, province: bool) -> None:
    """The two commissions' trees (``province``: with the ten more Shanxi schools of
    ``demo_province``) and the demo accounts with their roles."""
    for tree in (SHANXI, CHONGQING):
        exists = await conn.scalar(sa.text("SELECT 1 FROM units WHERE code = :c"), {"c": tree[0]})
        if not exists:
            await conn.execute(
                sa.text(
                    "INSERT INTO units (kind, name, code, path, region_code) "
                    "VALUES ('commission', :n, :c, '0', :r)"
                ),
                {"n": tree[2], "c": tree[0], "r": REGIONS[tree[0]]},
            )
            root = await conn.scalar(
                sa.text("SELECT id FROM units WHERE code = :c"), {"c": tree[0]}
            )
            for child in tree[3]:
                await _insert_tree(conn, child, root)
    if province:
        shanxi = await unit_id_of(conn, SHANXI[0])
        for tree in school_trees():
            if not await conn.scalar(
                sa.text("SELECT 1 FROM units WHERE code = :c"), {"c": tree[0]}
            ):
                await _insert_tree(conn, tree, shanxi)
    for username, display_name, role, code in ACCOUNTS:
        await conn.execute(
            sa.text(
                "INSERT INTO users (username, display_name, home_unit_id, home_path, school_id) "
                "SELECT :u, :d, id, path, school_id FROM units WHERE code = :c "
                "ON CONFLICT (username) DO NOTHING"
            ),
            {"u": username, "d": display_name, "c": code},
        )
        await conn.execute(
            sa.text(
                "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id) "
                "SELECT u.id, :r, n.id, n.path, n.school_id FROM users u, units n "
                "WHERE u.username = :u AND n.code = :c "
                "ON CONFLICT (user_id, role, unit_id) DO NOTHING"
            ),
            {"u": username, "r": role, "c": code},
        )


async def session_as(conn: AsyncConnection, username: str) -> Session:
    """A session acting as a demo account, so demo plans go through the real services (rules,
    derived balances, audit) rather than hand-written rows."""
    user_id = await conn.scalar(
        sa.text("SELECT id FROM users WHERE username = :u"), {"u": username}
    )
    return await Session.bound(conn, user_id)


async def unit_id_of(conn: AsyncConnection, code: str) -> int:
    return await conn.scalar(sa.text("SELECT id FROM units WHERE code = :c"), {"c": code})


async def unit_ids_by_code(conn: AsyncConnection) -> dict[str, int]:
    rows = await conn.execute(sa.text("SELECT code, id FROM units WHERE code IS NOT NULL"))
    return {r.code: r.id for r in rows}

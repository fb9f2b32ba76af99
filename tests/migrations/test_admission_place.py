"""Migration 0009 on a database of its own: recruits already admitted get the place their
approval was recorded at, read from the audit log's transfers, and the open period's tallies
are rebuilt to count each admission there."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from partyplan.server import database_admin
from partyplan.server.database import async_url

RECRUIT = (
    "INSERT INTO recruits (school_id, branch_id, unit_path, name, gender, ethnicity, birth_date,"
    " id_number_enc, id_number_hash, id_number_masked, category, education, stage, stage_since,"
    " applied_on, approved_on) SELECT school_id, id, path, :name, 'male', '汉族', '2000-01-01',"
    " '\\x00', decode(md5(:name), 'hex'), 'x', 'undergraduate', 'bachelor', :stage, '2024-01-01',"
    " '2023-01-01', :approved FROM units WHERE id = :branch RETURNING id"
)


class Legacy:
    """Writes a 0008 database the way the service did: rows, approval steps, audit entries."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.units: dict[str, int] = {}

    async def unit(self, key: str, kind: str, parent: str | None) -> None:
        self.units[key] = await self.conn.scalar(
            sa.text(
                "INSERT INTO units (kind, name, parent_id, path) VALUES (:k, :n, :p, '0')"
                " RETURNING id"
            ),
            {"k": kind, "n": key, "p": self.units.get(parent) if parent else None},
        )

    async def recruit(self, name: str, branch: str, *, approved: bool) -> int:
        return await self.conn.scalar(
            sa.text(RECRUIT),
            {
                "name": name,
                "branch": self.units[branch],
                "stage": "probationary" if approved else "activist",
                "approved": date(2024, 6, 25) if approved else None,
            },
        )

    async def approval_step(
        self, recruit: int, *, audited: bool, at: datetime | None = None
    ) -> None:
        await self.conn.execute(
            sa.text(
                "INSERT INTO recruit_steps (recruit_id, school_id, unit_path, step_code, on_date,"
                " rule_version, created_at) SELECT id, school_id, unit_path, 'approval',"
                " '2024-06-25', 'v1', coalesce(:at, now()) FROM recruits WHERE id = :r"
            ),
            {"r": recruit, "at": at},
        )
        if audited:
            await self._audit(recruit, "recordStep", None, {"step": "approval"})

    async def transfer(self, recruit: int, to: str) -> None:
        """``transferRecruit`` then: the recruit's row and its steps move, an entry records it."""
        before = await self.conn.execute(
            sa.text("SELECT branch_id, school_id FROM recruits WHERE id = :r"), {"r": recruit}
        )
        old = before.one()
        for table in ("recruits", "recruit_steps"):
            key = "id" if table == "recruits" else "recruit_id"
            extra = ", branch_id = u.id" if table == "recruits" else ""
            await self.conn.execute(
                sa.text(
                    f"UPDATE {table} t SET unit_path = u.path, school_id = u.school_id{extra}"
                    f" FROM units u WHERE u.id = :to AND t.{key} = :r"
                ),
                {"to": self.units[to], "r": recruit},
            )
        await self._audit(
            recruit,
            "transferRecruit",
            {"branch_id": old.branch_id, "school_id": old.school_id},
            {"branch_id": self.units[to], "reason": "调整"},
        )

    async def _audit(self, recruit: int, operation: str, before: Any, after: Any) -> None:
        await self.conn.execute(
            sa.text(
                "SELECT audit_append(school_id, branch_id, NULL, NULL, :op, 'Recruit', id,"
                " CAST(:before AS jsonb), CAST(:after AS jsonb)) FROM recruits WHERE id = :r"
            ),
            {
                "op": operation,
                "r": recruit,
                "before": None if before is None else json.dumps(before),
                "after": json.dumps(after),
            },
        )


async def test_the_backfill_finds_where_each_admission_was_approved(scratch_url: str) -> None:
    await database_admin.upgrade(scratch_url, "partyplan_app", revision="0008")
    engine = create_async_engine(async_url(scratch_url))
    try:
        async with engine.begin() as conn:
            legacy = Legacy(conn)
            for key, kind, parent in (
                ("commission", "commission", None),
                ("A", "school", "commission"),
                ("X", "branch", "A"),
                ("Y", "branch", "A"),
                ("B", "school", "commission"),
                ("Z", "branch", "B"),
            ):
                await legacy.unit(key, kind, parent)
            await conn.execute(
                sa.text(
                    "INSERT INTO plan_periods (commission_id, commission_path, name, kind,"
                    " starts_on, ends_on, report_due_on, state) SELECT id, path, '2024',"
                    " 'calendar_year', '2024-01-01', '2024-12-31', '2025-01-31', 'issued'"
                    " FROM units WHERE id = :c"
                ),
                {"c": legacy.units["commission"]},
            )
            # Approved in X, then moved to Y and on to school B.
            moved_twice = await legacy.recruit("甲", "X", approved=True)
            await legacy.approval_step(moved_twice, audited=True)
            await legacy.transfer(moved_twice, "Y")
            await legacy.transfer(moved_twice, "Z")
            # Moved to Y before its approval, approved there.
            moved_before = await legacy.recruit("乙", "X", approved=False)
            await legacy.transfer(moved_before, "Y")
            await conn.execute(
                sa.text("UPDATE recruits SET approved_on = '2024-06-25' WHERE id = :r"),
                {"r": moved_before},
            )
            await legacy.approval_step(moved_before, audited=True)
            # Bulk-loaded (no recordStep entry): the step row's time against the transfer's.
            loaded = await legacy.recruit("丙", "X", approved=True)
            await legacy.approval_step(
                loaded, audited=False, at=datetime(2024, 6, 25, 10, tzinfo=UTC)
            )
            await legacy.transfer(loaded, "Z")
            # Never transferred; and one not admitted at all.
            stayed = await legacy.recruit("丁", "Y", approved=True)
            waiting = await legacy.recruit("戊", "X", approved=False)

        await database_admin.upgrade(scratch_url, "partyplan_app")

        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.text(
                    "SELECT id, admitted_branch_id, admitted_school_id,"
                    " admitted_path = (SELECT path FROM units WHERE id = admitted_branch_id)"
                    " AS same_path FROM recruits"
                )
            )
            places = {r.id: (r.admitted_branch_id, r.admitted_school_id, r.same_path) for r in rows}
            u = legacy.units
            assert places == {
                moved_twice: (u["X"], u["A"], True),
                moved_before: (u["Y"], u["A"], True),
                loaded: (u["X"], u["A"], True),
                stayed: (u["Y"], u["A"], True),
                waiting: (None, None, None),
            }
            tallies = await conn.execute(
                sa.text("SELECT unit_id, admitted, probationary FROM unit_tallies ORDER BY unit_id")
            )
            assert {r.unit_id: (r.admitted, r.probationary) for r in tallies} == {
                u["A"]: (4, 2),
                u["X"]: (2, 0),
                u["Y"]: (2, 2),
                u["B"]: (0, 2),
                u["Z"]: (0, 2),
            }
    finally:
        await engine.dispose()

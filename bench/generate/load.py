"""Loading: the target database made ready, binary COPY streams on raw asyncpg connections,
and the identity sequences moved past the ids the generator assigned.

Bulk-load discipline (as bench/rollup_scale.py): every loading connection sets
``session_replication_role = replica`` (owner, superuser), so no trigger fires — not the tally
trigger (the tallies are rebuilt once afterwards), not the foreign-key checks, not
``units_derive`` (tree.py computes what it would: path, school, region). Indexes stay: the
migrations own them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from partyplan.server import database_admin
from partyplan.server.database import async_url

UNIT_COLUMNS = (
    "id",
    "kind",
    "name",
    "code",
    "parent_id",
    "path",
    "school_id",
    "region_code",
    "created_at",
)
RECRUIT_COLUMNS = (
    "id",
    "school_id",
    "branch_id",
    "unit_path",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number_enc",
    "id_number_hash",
    "id_number_masked",
    "phone_enc",
    "phone_masked",
    "category",
    "education",
    "professional_title",
    "high_knowledge",
    "talent_programme",
    "code_12371",
    "stage",
    "stage_since",
    "next_step",
    "next_due_on",
    "open_findings",
    "approved_on",
    "exempt",
    "applied_on",
    "activist_on",
    "target_on",
    "converted_on",
    "cancelled_on",
    "admission_earliest_on",
    "admission_possible_until",
    "admission_steps_left",
    "created_at",
)
STEP_COLUMNS = (
    "id",
    "recruit_id",
    "school_id",
    "unit_path",
    "step_code",
    "on_date",
    "data",
    "rule_version",
)
FINDING_COLUMNS = (
    "id",
    "recruit_id",
    "school_id",
    "unit_path",
    "rule_id",
    "rule_version",
    "article",
    "severity",
    "step_code",
    "message",
    "due_on",
    "days_late",
)
FILING_COLUMNS = (
    "id",
    "recruit_id",
    "school_id",
    "unit_path",
    "programme",
    "evidence_note",
    "status",
    "return_reason",
    "reviewed_at",
    "created_at",
    "level",
    "destinations",
)
MEMBER_COLUMNS = (
    "id",
    "school_id",
    "branch_id",
    "unit_path",
    "code",
    "name",
    "joined_on",
    "full_on",
    "left_on",
    "source",
)
PERIOD_COLUMNS = (
    "id",
    "commission_id",
    "commission_path",
    "name",
    "kind",
    "starts_on",
    "ends_on",
    "report_due_on",
    "state",
    "created_at",
)
MOVEMENT_COLUMNS = (
    "id",
    "period_id",
    "kind",
    "from_unit_id",
    "to_unit_id",
    "from_path",
    "to_path",
    "school_id",
    "total",
    "students",
    "staff",
    "high_knowledge",
    "document_no",
    "document_date",
    "reason",
    "created_at",
)
QUOTA_COLUMNS = (
    "period_id",
    "unit_id",
    "unit_path",
    "unit_kind",
    "school_id",
    *(
        f"{figure}_{d}"
        for figure in ("received", "handed", "reserve", "forecast")
        for d in ("total", "students", "staff", "high_knowledge")
    ),
)
TARGET_COLUMNS = (
    "period_id",
    "unit_id",
    "unit_path",
    "school_id",
    "indicator",
    "min_count",
    "min_share_percent",
    "set_by_movement_id",
)
# Tables whose ids the generator assigns: their identity sequences continue after the load.
IDENTITY_TABLES = (
    "units",
    "users",
    "role_bindings",
    "plan_periods",
    "quota_movements",
    "recruits",
    "recruit_steps",
    "recruit_findings",
    "talent_filings",
    "members",
)
# What "counts per table" reports.
COUNTED_TABLES = (
    "units",
    "users",
    "role_bindings",
    "calendar_days",
    "plan_periods",
    "quota_movements",
    "unit_quotas",
    "structural_targets",
    "members",
    "recruits",
    "recruit_steps",
    "recruit_findings",
    "talent_filings",
    "unit_tallies",
    "unit_month_tallies",
    "execution_reports",
    "warnings",
)


class DatabaseNotEmpty(Exception):
    """The target already holds units and --replace was not given."""


def asyncpg_dsn(url: str) -> str:
    return (
        make_url(async_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)
    )


async def connect(url: str, *, bulk: bool = True) -> asyncpg.Connection:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    # ltree's binary form (ltree_send): a version byte, then the text.
    await conn.set_type_codec(
        "ltree",
        schema="public",
        format="binary",
        encoder=lambda s: b"\x01" + s.encode(),
        decoder=lambda b: b[1:].decode(),
    )
    if bulk:
        await conn.execute("SET session_replication_role = replica")
    return conn


async def _holds_units(url: str) -> bool:
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as conn:
            if not await conn.scalar(sa.text("SELECT to_regclass('units') IS NOT NULL")):
                return False
            return bool(await conn.scalar(sa.text("SELECT EXISTS (SELECT 1 FROM units)")))
    finally:
        await engine.dispose()


async def prepare(owner_url: str, *, replace: bool) -> None:
    """An empty database migrated to head at ``owner_url`` (created if missing; with
    ``replace``, dropped and created again when it holds units)."""
    await database_admin.ensure_database(owner_url)
    if await _holds_units(owner_url):
        if not replace:
            raise DatabaseNotEmpty(
                f"database {make_url(owner_url).database!r} already holds units; "
                "pass --replace to drop and recreate it"
            )
        await database_admin.drop_database(owner_url)
    await database_admin.upgrade(owner_url, "partyplan_app")


async def table_columns(conn: asyncpg.Connection, table: str) -> set[str]:
    rows = await conn.fetch(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name = $1",
        table,
    )
    return {r["column_name"] for r in rows}


async def copy(conn: asyncpg.Connection, table: str, columns: Sequence[str], rows: Any) -> None:
    await conn.copy_records_to_table(table, columns=list(columns), records=rows)


class CopyStream:
    """One table's COPY on its own connection, fed batch by batch while the generator runs.

    The queue is bounded, so a producer ahead of the database waits instead of holding the
    whole data set in memory; ``None`` ends the stream."""

    def __init__(
        self, conn: asyncpg.Connection, table: str, columns: Sequence[str], depth: int = 4
    ) -> None:
        self.conn, self.table, self.columns = conn, table, columns
        self.queue: asyncio.Queue[list[tuple[Any, ...]] | None] = asyncio.Queue(depth)
        self.rows = 0
        self.task = asyncio.create_task(copy(conn, table, columns, self._records()))

    async def _records(self) -> AsyncIterator[tuple[Any, ...]]:
        while (batch := await self.queue.get()) is not None:
            self.rows += len(batch)
            for row in batch:
                yield row

    async def put(self, batch: list[tuple[Any, ...]]) -> None:
        if not batch:
            return
        # Wait for room in the queue or for the COPY to end: a failed COPY raises its error
        # here instead of leaving the producer waiting forever.
        putting = asyncio.ensure_future(self.queue.put(batch))
        await asyncio.wait({putting, self.task}, return_when=asyncio.FIRST_COMPLETED)
        if not putting.done():
            putting.cancel()
            await self.task
            raise RuntimeError(f"COPY into {self.table} ended early")

    async def close(self) -> None:
        await self.queue.put(None)
        await self.task


async def continue_identities(conn: asyncpg.Connection) -> None:
    for table in IDENTITY_TABLES:
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        )


async def counts(conn: asyncpg.Connection) -> dict[str, int]:
    present = {
        r["t"]
        for r in await conn.fetch(
            "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'"
        )
    }
    return {
        t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in COUNTED_TABLES if t in present
    }

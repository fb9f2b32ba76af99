"""The database's side of the metrics: what ``partyplan tallies verify`` found, and the open
warnings by kind (migration 0017).

The service role sees no tenant's rows without a principal bound, so the open warnings are
counted by ``app_open_warnings_by_kind()``, a function that sees every row and returns only
counts. The verification runs as the owner (a CronJob, or an operator) and stores its finding
in ``tally_checks``, one row per family of tallies, which every replica reads: the drift and
the time of the last check are on each replica's ``/metrics``, not only in the job's output.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

#: The families of tallies ``partyplan tallies verify`` compares with what they count.
TALLIES = ("rollups", "warnings")

_RECORD = sa.text(
    "INSERT INTO tally_checks (tallies, differences, checked_at) VALUES (:tallies, :n, now())"
    " ON CONFLICT (tallies) DO UPDATE"
    " SET differences = excluded.differences, checked_at = excluded.checked_at"
)
_OPEN_WARNINGS = sa.text("SELECT kind, open_count FROM app_open_warnings_by_kind()")
_CHECKS = sa.text(
    "SELECT tallies, differences, extract(epoch FROM checked_at)::float8 AS at FROM tally_checks"
)


@dataclass(frozen=True, slots=True)
class TallyCheck:
    tallies: str
    differences: int
    at: float  # seconds since the epoch


async def record_tally_check(conn: AsyncConnection, tallies: str, differences: int) -> None:
    """Store what a verification of ``tallies`` found (as the owner, in its transaction)."""
    assert tallies in TALLIES, tallies
    await conn.execute(_RECORD, {"tallies": tallies, "n": differences})


async def open_warnings(conn: AsyncConnection) -> dict[str, int]:
    """Open warnings of every school, by kind (kinds without one are absent)."""
    return {row.kind: row.open_count for row in await conn.execute(_OPEN_WARNINGS)}


async def tally_checks(conn: AsyncConnection) -> list[TallyCheck]:
    """The last verification of each family of tallies (none before the first)."""
    return [TallyCheck(r.tallies, r.differences, r.at) for r in await conn.execute(_CHECKS)]

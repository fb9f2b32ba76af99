"""Small helpers shared by the test modules (importable: pyproject puts tests/ on the path)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

#: Every table holding a tenant's rows, emptied after each test that used the database (the
#: rest cascade from these).
TENANT_TABLES = (
    "units, users, role_bindings, audit_log, audit_chain_heads, sign_in_sources,"
    " oauth_revoked_tokens, change_outbox, change_outbox_pruned"
)


def gid(type_name: str, row_id: int) -> str:
    """A Relay global ID, as the API issues it."""
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


def raw_id(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":")[1])


def run_cli(settings: Any, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``partyplan <args>`` in a process of its own, on ``database_url`` (an owner URL), with
    the run's keys and data directory and no other ``PARTYPLAN_`` setting of the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTYPLAN_")}
    env.update(
        PARTYPLAN_KEY_DIR=str(settings.resolved_key_dir),
        PARTYPLAN_DATA_DIR=str(settings.data_dir),
        PARTYPLAN_DATABASE_URL=database_url,
    )
    return subprocess.run(
        [sys.executable, "-m", "partyplan.server.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def codes(result: dict[str, Any]) -> list[str]:
    """The ``extensions.code`` of each GraphQL error of a response."""
    return [e.get("extensions", {}).get("code") for e in result.get("errors") or []]


async def scalar(owner_engine: Any, sql: str, **params: Any) -> Any:
    """One value read as the owner (bypassing row-level security)."""
    async with owner_engine.connect() as conn:
        return await conn.scalar(sa.text(sql), params)


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(birth: str, sequence: int = 1, *, female: bool = False, area: str = "140902") -> str:
    """A valid 18-digit ID number (GB 11643): area, birth date YYYYMMDD, sequence, check digit.
    The sequence's last digit carries the gender (odd: male)."""
    serial = sequence * 2 + (0 if female else 1)
    first_17 = f"{area}{birth}{serial % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(first_17, _WEIGHTS, strict=True))
    return first_17 + "10X98765432"[total % 11]


@contextmanager
def statements_run(platform: Any) -> Iterator[list[str]]:
    """The SQL of every statement the platform's engine runs inside the block (BEGIN and
    COMMIT, which SQLAlchemy sends apart, not included)."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    engine = platform.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)

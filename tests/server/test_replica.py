"""Reads from a real PostgreSQL streaming replica (server/replica.py, schema/replica.py).

A primary and a hot standby cloned from it run from the machine's PostgreSQL 15 binaries
(tests/support_streaming.py). The declared replica reads (here ``reports``) go to the standby
unless it has not replayed the caller's last write, which is kept by the process and carried by
the client (header or cookie); the standby's replay is paused to tell one from the other: a
read there misses what the primary has. Row-level security applies there as on the primary."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from graphql import parse
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from support import gid
from support_records import Records
from support_streaming import StreamingPair, available

from partyplan.auth.keys import KeyStore
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.schema.replica import reads_replica
from partyplan.server import database_admin
from partyplan.server.app import create_app
from partyplan.server.database import async_url
from partyplan.server.platform import Platform
from partyplan.server.replica import LSN_COOKIE, LSN_HEADER, parse_lsn
from partyplan.server.settings import Settings

pytestmark = pytest.mark.skipif(not available(), reason="no PostgreSQL 15 binaries")

APP_ROLE = "partyplan_app"
SAVE = """mutation($p: ID!, $u: ID!, $n: String) { saveReportDraft(input: {periodId: $p,
  unitId: $u, narrative: $n}) { report { id } errors { code } } }"""
REPORTS = "{ reports { edges { node { narrative } } } }"


class World:
    def __init__(self) -> None:
        self.units: dict[str, int] = {}
        self.users: dict[str, int] = {}


@pytest.fixture(scope="module")
async def pair() -> AsyncIterator[StreamingPair]:
    pair = StreamingPair()
    try:
        pair.start()
        await database_admin.upgrade(pair.owner_url, APP_ROLE)
        yield pair
    finally:
        pair.close()


@pytest.fixture(scope="module")
async def owners(pair: StreamingPair) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """The superuser's engines on the primary and on the standby."""
    primary = create_async_engine(async_url(pair.owner_url))
    standby = create_async_engine(async_url(pair.replica_owner_url))
    yield primary, standby
    await primary.dispose()
    await standby.dispose()


@pytest.fixture(scope="module")
async def world(owners: tuple[AsyncEngine, AsyncEngine]) -> World:
    """A commission, schools A and B; two administrators of A (one writes, one reads), one of
    B; a period whose reports A may write."""
    world = World()
    async with owners[0].begin() as conn:
        tree = (("commission", "commission", None), ("A", "school", "commission"))
        for key, kind, parent in (*tree, ("B", "school", "commission")):
            world.units[key] = await conn.scalar(
                sa.text(
                    "INSERT INTO units (kind, name, parent_id, path, region_code)"
                    " VALUES (:k, :n, :p, '0', :r) RETURNING id"
                ),
                {
                    "k": kind,
                    "n": f"单位{key}",
                    "p": world.units.get(parent) if parent else None,
                    "r": "14" if kind == "commission" else None,
                },
            )
        for name, unit in (("writer", "A"), ("reader", "A"), ("other", "B")):
            world.users[name] = await conn.scalar(
                sa.text(
                    "INSERT INTO users (username, display_name, home_unit_id, home_path,"
                    " school_id) SELECT :u, :u, id, path, school_id FROM units WHERE id = :unit"
                    " RETURNING id"
                ),
                {"u": name, "unit": world.units[unit]},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id)"
                    " SELECT :user, 'school_admin', id, path, school_id FROM units WHERE id = :u"
                ),
                {"user": world.users[name], "u": world.units[unit]},
            )
    records = Records(owners[0], world)
    world.units["period"] = await records.period(date(2024, 1, 1), date(2024, 12, 31))
    await records.quota(world.units["period"], "A", 10)
    return world


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    key_dir = tmp_path_factory.mktemp("replica-keys")
    KeyStore.load_or_create(key_dir)
    PiiCipher.load_or_create(key_dir)
    return key_dir


@pytest.fixture
async def service(pair: StreamingPair, keys: Path, tmp_path: Path) -> AsyncIterator[Any]:
    """``make()``: a service process (its own platform, hence its own memory of writes) with
    the primary and the replica; its client and platform."""
    made: list[tuple[Platform, httpx.AsyncClient]] = []

    async def make() -> tuple[httpx.AsyncClient, Platform]:
        settings = Settings(
            database_url=pair.owner_url,
            # No user: the service's credentials (the service role) on the standby too.
            replica_url=f"postgresql://127.0.0.1:{pair.standby_port}/partyplan",
            key_dir=keys,
            data_dir=tmp_path / f"data{len(made)}",
        )
        platform = Platform(settings, migrate=False)
        await platform.start()
        app = create_app(platform, manage_platform=False)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
        made.append((platform, http))
        return http, platform

    yield make
    for platform, http in made:
        await http.aclose()
        await platform.stop()


async def _lsn(engine: AsyncEngine, function: str) -> int:
    async with engine.connect() as conn:
        lsn = parse_lsn(await conn.scalar(sa.text(f"SELECT {function}()::text")))
    assert lsn is not None
    return lsn


async def _caught_up(owners: tuple[AsyncEngine, AsyncEngine]) -> None:
    target = await _lsn(owners[0], "pg_current_wal_insert_lsn")
    for _ in range(600):
        if await _lsn(owners[1], "pg_last_wal_replay_lsn") >= target:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the standby did not catch up")


async def _replay(owners: tuple[AsyncEngine, AsyncEngine], action: str) -> None:
    async with owners[1].connect() as conn:
        await conn.execute(sa.text(f"SELECT pg_wal_replay_{action}()"))


def _token(platform: Platform, world: World, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {platform.tokens.mint(str(world.users[who]), 600)}"}


async def _post(http: httpx.AsyncClient, query: str, headers: dict, **variables: Any) -> Any:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return response, body["data"]


async def _narratives(http: httpx.AsyncClient, headers: dict, query: str = REPORTS) -> list:
    _, data = await _post(http, query, headers)
    return [edge["node"]["narrative"] for edge in data["reports"]["edges"]]


async def test_the_writer_reads_its_write_while_others_read_the_paused_replica(
    service, world: World, owners: tuple[AsyncEngine, AsyncEngine]
) -> None:  # type: ignore[no-untyped-def]
    http, platform = await service()
    writer, reader = _token(platform, world, "writer"), _token(platform, world, "reader")
    before = await _narratives(http, reader)
    await _caught_up(owners)
    await _replay(owners, "pause")
    try:
        narrative = f"一、基本情况 {secrets.token_hex(4)}"
        variables = {
            "p": gid("PlanPeriod", world.units["period"]),
            "u": gid("Unit", world.units["A"]),
        }
        response, data = await _post(http, SAVE, writer, **variables, n=narrative)
        assert data["saveReportDraft"]["errors"] == []
        carried = response.headers[LSN_HEADER]
        assert parse_lsn(carried) is not None
        assert response.cookies[LSN_COOKIE].strip('"') == carried  # quoted: a "/" in it
        http.cookies.clear()  # from here, this process's memory of the write

        # The writer reads its write (the primary: the standby has not replayed it)...
        assert narrative in await _narratives(http, writer)
        # ...another caller of the same school reads the standby, which has not.
        assert narrative not in await _narratives(http, reader)
        assert await _narratives(http, reader) == before
        # A query selecting anything else than declared replica reads reads on the primary.
        mixed = "{ me { user { id } } reports { edges { node { narrative } } } }"
        assert narrative in await _narratives(http, reader, mixed)

        # Another service process knows nothing of the write: the client carries it back.
        other_http, _ = await service()
        other_http.cookies.clear()
        assert narrative not in await _narratives(other_http, writer)
        assert narrative in await _narratives(other_http, {**writer, LSN_HEADER: carried})
        other_http.cookies.set(LSN_COOKIE, carried)
        assert narrative in await _narratives(other_http, writer)
        # A value that is no position is ignored (the standby answers, stale).
        other_http.cookies.clear()
        assert narrative not in await _narratives(other_http, {**writer, LSN_HEADER: "0/zz"})
    finally:
        await _replay(owners, "resume")
    await _caught_up(owners)
    assert narrative in await _narratives(http, reader)
    assert platform.replica is not None and platform.replica.reads["replica"] >= 3


async def test_row_level_security_binds_the_caller_on_the_replica(
    service, world: World, owners: tuple[AsyncEngine, AsyncEngine]
) -> None:  # type: ignore[no-untyped-def]
    http, platform = await service()
    async with owners[0].begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO execution_reports (period_id, unit_id, unit_path, school_id, status,"
                " narrative) SELECT :p, id, path, school_id, 'draft', 'A 的报告' FROM units"
                " WHERE id = :u ON CONFLICT DO NOTHING"
            ),
            {"p": world.units["period"], "u": world.units["A"]},
        )
    await _caught_up(owners)
    replica_reads = platform.replica.reads["replica"] if platform.replica else 0
    assert await _narratives(http, _token(platform, world, "other")) == []
    assert await _narratives(http, _token(platform, world, "reader")) != []
    assert platform.replica is not None and platform.replica.reads["replica"] == replica_reads + 2
    # The standby is a standby, read as the service role (never its owner: no RLS for it).
    async with platform.replica.engine.connect() as conn:
        row = (await conn.execute(sa.text("SELECT pg_is_in_recovery(), current_user"))).one()
    assert tuple(row) == (True, APP_ROLE)


LINE = "query Line($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) { line { plan } } }"


async def test_a_known_rollup_answered_by_sql_reads_the_replica(
    service, world: World, owners: tuple[AsyncEngine, AsyncEngine], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A compiled document (schema/compiled) of declared replica reads goes there too."""
    _, platform = await service()
    (tmp_path / "line.graphql").write_text(LINE, encoding="utf-8")
    app = create_app(platform, manage_platform=False, documents_dir=tmp_path)
    view = next(r.endpoint for r in app.routes if getattr(r, "path", None) == "/graphql")
    body = {
        "documentId": "sha256:" + hashlib.sha256(LINE.encode()).hexdigest(),
        "variables": {
            "u": gid("Unit", world.units["A"]),
            "p": gid("PlanPeriod", world.units["period"]),
        },
    }
    await _caught_up(owners)
    assert platform.replica is not None
    before = platform.replica.reads["replica"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        response = await http.post("/graphql", json=body, headers=_token(platform, world, "reader"))
    assert response.json() == {"data": {"rollup": {"line": {"plan": 10}}}}
    assert view.compiled.answered == 1
    assert platform.replica.reads["replica"] == before + 1


async def test_a_user_the_replica_does_not_know_yet_reads_on_the_primary(
    service, world: World, owners: tuple[AsyncEngine, AsyncEngine]
) -> None:  # type: ignore[no-untyped-def]
    http, platform = await service()
    await _caught_up(owners)
    await _replay(owners, "pause")
    try:
        async with owners[0].begin() as conn:  # an administrator's work, on the primary
            newcomer = await conn.scalar(
                sa.text(
                    "INSERT INTO users (username, display_name, home_unit_id, home_path,"
                    " school_id) SELECT 'newcomer', 'newcomer', id, path, school_id FROM units"
                    " WHERE id = :u RETURNING id"
                ),
                {"u": world.units["A"]},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id)"
                    " SELECT :user, 'school_admin', id, path, school_id FROM units WHERE id = :u"
                ),
                {"user": newcomer, "u": world.units["A"]},
            )
        token = {"Authorization": f"Bearer {platform.tokens.mint(str(newcomer), 600)}"}
        # Unknown to the paused replica (its binding finds no such user): the primary binds.
        assert await _narratives(http, token) is not None
    finally:
        await _replay(owners, "resume")


async def test_a_replica_down_reads_on_the_primary(
    service, pair: StreamingPair, world: World, owners: tuple[AsyncEngine, AsyncEngine]
) -> None:  # type: ignore[no-untyped-def]
    http, platform = await service()
    reader = _token(platform, world, "reader")
    await _caught_up(owners)
    expected = await _narratives(http, reader)
    assert platform.replica is not None and platform.replica.reads["replica"] == 1
    pair.stop_standby()
    try:
        assert await _narratives(http, reader) == expected
        assert await _narratives(http, reader) == expected  # resting: not tried again
        assert platform.replica.reads == {"replica": 1, "primary": 2}
    finally:
        pair.start_standby()


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("{ reports { totalCount } }", True),
        ("query Q { __typename rollup(unitId: 1, periodId: 2) { line { plan } } }", True),
        ("query { ...F } fragment F on Query { reports { totalCount } }", True),
        ("{ ... on Query { reports { totalCount } } me { id } }", False),
        ("{ reports { totalCount } units { totalCount } }", False),
        ("{ __typename }", False),
        ("mutation { saveReportDraft(input: {}) { errors { code } } }", False),
        ("query { ...Missing }", False),
    ],
)
def test_only_queries_of_declared_replica_reads_may_read_there(
    document: str, expected: bool
) -> None:
    fields = frozenset({"reports", "rollup", "export12371"})
    assert reads_replica(parse(document), None, fields) is expected

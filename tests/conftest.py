"""Test fixtures: one PostgreSQL database migrated by Alembic per run (the embedded server by
default, ``TEST_DATABASE_URL`` for another), the real app over ASGI, and tables emptied after
every test. The app connects as the service role, so row-level security is live in every test."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from support import TENANT_TABLES, gid

from partyplan.auth.keys import KeyStore
from partyplan.resolvers.recruits.pii import PiiCipher
from partyplan.server import database_admin
from partyplan.server.app import create_app
from partyplan.server.database import async_url, with_database
from partyplan.server.platform import Platform
from partyplan.server.settings import Settings


@pytest.fixture(scope="session")
def workdir() -> Any:
    # Short and outside any home directory: the embedded server's socket path must stay short
    # and its system user must traverse the parents.
    path = Path(tempfile.mkdtemp(prefix="pp-test-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
async def server_url(workdir: Path) -> AsyncIterator[str]:
    """Owner URL of the PostgreSQL server the run uses (its ``postgres`` database)."""
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield external
        return
    from partyplan.server.embedded import EmbeddedPostgres

    embedded = EmbeddedPostgres(workdir / "db")
    try:
        yield embedded.start()
    finally:
        embedded.stop()


@pytest.fixture(scope="session")
async def owner_url(server_url: str) -> AsyncIterator[str]:
    url = with_database(server_url, f"partyplan_test_{os.getpid()}")
    await database_admin.drop_database(url)
    await database_admin.upgrade(url, "partyplan_app")
    yield url
    await database_admin.drop_database(url)


@pytest.fixture(scope="session")
def settings(owner_url: str, workdir: Path) -> Settings:
    # Made up front, as an operator's `partyplan keys init` makes them: a platform built with
    # production settings only reads its keys (auth/keys.py), whichever test runs first.
    KeyStore.load_or_create(workdir / "keys")
    PiiCipher.load_or_create(workdir / "keys")
    return Settings(database_url=owner_url, data_dir=workdir / "data", key_dir=workdir / "keys")


@pytest.fixture(scope="session")
async def platform(settings: Settings) -> AsyncIterator[Platform]:
    platform = Platform(settings, migrate=False)
    await platform.start()
    yield platform
    await platform.stop()


@pytest.fixture(scope="session")
async def owner_engine(owner_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(async_url(owner_url))
    yield engine
    await engine.dispose()


@pytest.fixture(autouse=True)
async def _empty_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    if "owner_engine" in request.fixturenames:
        engine: AsyncEngine = request.getfixturevalue("owner_engine")
        async with engine.begin() as conn:
            await conn.execute(sa.text(f"TRUNCATE {TENANT_TABLES} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def client(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(platform, manage_platform=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
async def open_app(settings: Settings) -> AsyncIterator[Callable[..., Any]]:
    """Build (and afterwards stop) extra apps over platforms with changed settings, sharing the
    test database and keys: ``app, http = await open_app(environment="production")``
    (``app.state.platform`` is its platform)."""
    platforms: list[Platform] = []
    clients: list[httpx.AsyncClient] = []

    async def make(**changes: Any) -> tuple[Any, httpx.AsyncClient]:
        values = {
            "database_url": settings.database_url,
            "data_dir": settings.data_dir,
            "key_dir": settings.key_dir,
            **changes,
        }
        platform = Platform(Settings(**values), migrate=False)
        platforms.append(platform)
        await platform.start()
        app = create_app(platform, manage_platform=False)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
        clients.append(http)
        return app, http

    yield make
    for http in clients:
        await http.aclose()
    for platform in platforms:
        await platform.stop()


@pytest.fixture
async def world(owner_engine: AsyncEngine, platform: Platform) -> World:
    """Two schools under one commission, a second commission, and one account per role."""
    return await build_world(owner_engine, platform)


@pytest.fixture
def gql(client: httpx.AsyncClient):  # type: ignore[no-untyped-def]
    async def run(
        query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        return await graphql(client, query, variables, token)

    return run


# --- the world every API test starts from ---------------------------------------------------


class World:
    """Ids and tokens of a small two-school world.

    commission 工委 ─┬─ school A ─┬─ committee A1 ─┬─ branch A1a
                    │             │                └─ branch A1b
                    │             └─ branch A2
                    └─ school B ─── branch B1
    commission 2 (another province) ─── school C
    """

    def __init__(self) -> None:
        self.units: dict[str, int] = {}
        self.users: dict[str, int] = {}
        self.tokens: dict[str, str] = {}
        self.bindings: dict[str, int] = {}

    def gid(self, key: str) -> str:
        return gid("Unit", self.units[key])

    def uid(self, key: str) -> str:
        return gid("User", self.users[key])


TREE = [
    ("commission", "commission", "中共山西省委教育工作委员会", None),
    ("A", "school", "学校甲党委", "commission"),
    ("A1", "committee", "甲院党委", "A"),
    ("A1a", "branch", "甲院第一党支部", "A1"),
    ("A1b", "branch", "甲院第二党支部", "A1"),
    ("A2", "branch", "甲校机关党支部", "A"),
    ("B", "school", "学校乙党委", "commission"),
    ("B1", "branch", "乙校第一党支部", "B"),
    ("commission2", "commission", "中共重庆市委教育工作委员会", None),
    ("C", "school", "学校丙党委", "commission2"),
]

# GB/T 2260 province codes of the two commissions (their units inherit them).
REGIONS = {"commission": "14", "commission2": "50"}

# Full members (since 2000) on each school's roster, named as introducers and contacts.
ROSTER_CODES = ("m-1", "m-2", "m-101", "m-102", "m-103")
ROSTER_BRANCHES = ("A1a", "B1")

# (key, role, unit key); "nobody" has an account but no role at all.
ACCOUNTS = [
    ("commission_admin", "commission_admin", "commission"),
    ("commission_viewer", "commission_viewer", "commission"),
    ("school_admin", "school_admin", "A"),
    ("unit_admin", "unit_admin", "A1"),
    ("branch_secretary", "branch_secretary", "A1a"),
    ("viewer", "viewer", "A"),
    ("sync_agent", "sync_agent", "A"),
    ("other_school_admin", "school_admin", "B"),
    ("other_commission_admin", "commission_admin", "commission2"),
    ("nobody", None, "A"),
]


async def build_world(engine: AsyncEngine, platform: Platform) -> World:
    world = World()
    async with engine.begin() as conn:
        for key, kind, name, parent in TREE:
            world.units[key] = await conn.scalar(
                sa.text(
                    "INSERT INTO units (kind, name, parent_id, path, region_code) "
                    "VALUES (:k, :n, :p, '0', :r) RETURNING id"
                ),
                {
                    "k": kind,
                    "n": name,
                    "p": world.units.get(parent) if parent else None,
                    "r": REGIONS.get(key),
                },
            )
        for key, role, unit in ACCOUNTS:
            world.users[key] = await create_account(
                conn, key.replace("_", "-"), world.units[unit], role
            )
        for branch in ROSTER_BRANCHES:
            await conn.execute(
                sa.text(
                    "INSERT INTO members (school_id, branch_id, unit_path, code, name, joined_on,"
                    " full_on) SELECT school_id, id, path, c, '老党员', '1999-07-01', '2000-07-01'"
                    " FROM units, unnest(CAST(:codes AS text[])) c WHERE id = :unit"
                ),
                {"codes": list(ROSTER_CODES), "unit": world.units[branch]},
            )
        rows = await conn.execute(sa.text("SELECT id, user_id FROM role_bindings"))
        by_user = {user_id: key for key, user_id in world.users.items()}
        world.bindings = {by_user[r.user_id]: r.id for r in rows}
    world.tokens = {key: platform.tokens.mint(str(uid), 600) for key, uid in world.users.items()}
    return world


async def create_account(conn: Any, username: str, unit_id: int, role: str | None) -> int:
    user_id = await conn.scalar(
        sa.text(
            "INSERT INTO users (username, display_name, home_unit_id, home_path, school_id) "
            "SELECT :u, :u, id, path, school_id FROM units WHERE id = :unit RETURNING id"
        ),
        {"u": username, "unit": unit_id},
    )
    if role is not None:
        await conn.execute(
            sa.text(
                "INSERT INTO role_bindings (user_id, role, unit_id, unit_path, school_id) "
                "SELECT :user, :role, id, path, school_id FROM units WHERE id = :unit"
            ),
            {"user": user_id, "role": role, "unit": unit_id},
        )
    return user_id


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()

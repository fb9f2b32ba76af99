"""What an authenticated read sends PostgreSQL, counted on the wire (asyncpg's calls, BEGIN and
COMMIT included, which SQLAlchemy's ``before_cursor_execute`` never sees): ``BEGIN``, the bind
(``app_bind_principal``, which sets the row-level-security settings and, for a client's token,
asks ``app_token_valid`` in the same statement), the data statements, ``COMMIT``. Nothing else
ahead of the data: no ``SET``, no settings read (a statement is prepared once per pooled
connection, not counted as a trip of every request), and a client's policy comes from the process's cache (resolvers/policies/service.py), not from a
statement of each request.

Why BEGIN stays a round trip of its own: asyncpg sends it as a simple query and has no pipeline,
so it cannot travel with the bind, which must return rows (see tenants/binding.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from asyncpg.prepared_stmt import PreparedStatement
from support import id_number
from support_recruits import create

PAGE = """query RecruitPage($under: ID!, $first: Int) {
  recruits(under: $under, first: $first) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      id name gender category stage stageSince nextStep nextDueOn openFindings approvedOn
      branch { id name }
      findings { ruleId severity step message dueOn daysLate }
    } }
  }
}"""


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every message asyncpg sends that waits for PostgreSQL's answer, in order: a simple query
    (``BEGIN;``, ``COMMIT;``), ``PREPARE <sql>`` and a prepared statement's execution."""
    sent: list[str] = []
    execute, prepare, fetch = (
        asyncpg.Connection.execute,
        asyncpg.Connection.prepare,
        PreparedStatement.fetch,
    )

    async def simple(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(query)
        return await execute(self, query, *args, **kwargs)

    async def preparing(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(f"PREPARE {query}")
        return await prepare(self, query, *args, **kwargs)

    async def executing(self: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(self.get_query())
        return await fetch(self, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "execute", simple)
    monkeypatch.setattr(asyncpg.Connection, "prepare", preparing)
    monkeypatch.setattr(PreparedStatement, "fetch", executing)
    yield sent


async def _page(gql: Any, world: Any, token: str, wire: list[str], first: int) -> list[str]:
    variables = {"under": world.gid("A"), "first": first}
    assert "errors" not in await gql(PAGE, variables, token)  # warm: statements prepared
    wire.clear()
    result = await gql(PAGE, variables, token)
    assert "errors" not in result and len(result["data"]["recruits"]["edges"]) == 3
    return list(wire)


def _ahead_of_the_data(sent: list[str]) -> list[str]:
    # A statement is prepared once per pooled connection: the request may draw another
    # connection of the pool than the warm-up did (which one depends on the tests run before),
    # and that one prepares its statements first. Preparing is not a trip of every request.
    sent = [s for s in sent if not s.startswith("PREPARE")]
    assert sent[0] == "BEGIN;" and sent[-1] == "COMMIT;", sent
    binds = [i for i, s in enumerate(sent) if "app_bind_principal" in s]
    assert binds == [1], sent
    # The page's own statements follow (today: the unit it is under, the recruits, their
    # findings), none of them setting anything.
    data = sent[2:-1]
    assert data and not [s for s in data if "set_config" in s or s.upper().startswith("SET")]
    return sent[:2]


async def _recruits(gql: Any, world: Any) -> None:
    for n in range(3):
        assert (await create(gql, world, idNumber=id_number("20030504", 12 + n)))["errors"] == []


async def test_a_recruits_page_sends_begin_and_the_bind_ahead_of_its_data(  # type: ignore[no-untyped-def]
    gql, world, wire
) -> None:
    await _recruits(gql, world)
    sent = await _page(gql, world, world.tokens["school_admin"], wire, 50)
    assert _ahead_of_the_data(sent) == ["BEGIN;", "SELECT * FROM app_bind_principal($1)"]


async def test_a_clients_token_is_asked_about_in_the_binds_own_statement(  # type: ignore[no-untyped-def]
    gql, world, platform, owner_engine, wire
) -> None:
    await _recruits(gql, world)
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO oauth_clients (client_id, name, kind, allowed_scopes, unit_id,"
                " unit_path, cost_budget, requests_per_minute, redirect_uris)"
                " SELECT 'console', 'console', 'front_end', '{read}', id, path,"
                " 100000, 6000, '{https://console.example/cb}' FROM units WHERE id = :c"
            ),
            {"c": world.units["commission"]},
        )
    token = platform.tokens.mint(
        str(world.users["school_admin"]), 300, client_id="console", scope="read"
    )
    sent = await _page(gql, world, token, wire, 5)
    _, bind = _ahead_of_the_data(sent)
    assert "app_token_valid" in bind
    assert not [s for s in sent if "oauth_clients" in s], sent  # the policy: cached

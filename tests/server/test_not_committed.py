"""A request whose commit fails (the database restarted under it, its connection dropped) is
answered as JSON with ``SERVICE_UNAVAILABLE`` (HTTP 503, ``Retry-After``), never a plain-text
500 and never the response it would have sent; a request that failed anyway keeps its own
answer when its rollback finds the connection gone."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from support import scalar
from support_records import Records

from partyplan.server.request import RequestContext

CREATE_USER = """mutation($u: ID!) { createUser(input: {homeUnitId: $u, username: "kept-or-not",
  displayName: "新账号"}) { user { username } errors { code } } }"""


@pytest.fixture
def connection_dies(monkeypatch: pytest.MonkeyPatch, owner_engine: Any) -> None:
    """Every request's connection is terminated by the server just before the request settles
    (what a restart of PostgreSQL does to a request between its last statement and commit)."""
    settle = RequestContext._finish

    async def dying(self: RequestContext) -> None:
        if self._conn is not None:
            pid = await self._conn.scalar(sa.text("SELECT pg_backend_pid()"))
            async with owner_engine.connect() as conn:
                await conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        await settle(self)

    monkeypatch.setattr(RequestContext, "_finish", dying)


def _unavailable(response: Any) -> dict[str, Any]:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert int(response.headers["retry-after"]) > 0
    return response.json()


async def test_a_failed_commit_is_a_coded_503(client, world, owner_engine, connection_dies) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/graphql",
        json={"query": CREATE_USER, "variables": {"u": world.gid("A")}},
        headers={"Authorization": f"Bearer {world.tokens['school_admin']}"},
    )
    body = _unavailable(response)
    assert "data" not in body  # never the answer that told of the new account
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert error["message"]
    kept = "SELECT count(*) FROM users WHERE username = 'kept-or-not'"
    assert await scalar(owner_engine, kept) == 0


async def test_a_workbook_whose_commit_fails_is_a_coded_503(  # type: ignore[no-untyped-def]
    client, world, owner_engine, connection_dies
) -> None:
    period = await Records(owner_engine, world).period(date(2024, 1, 1), date(2024, 12, 31))
    response = await client.get(
        f"/reports/periods/{period}/province.xlsx",
        headers={"Authorization": f"Bearer {world.tokens['commission_admin']}"},
    )
    assert _unavailable(response)["code"] == "SERVICE_UNAVAILABLE"


async def test_a_failed_request_keeps_its_answer_when_the_rollback_fails(  # type: ignore[no-untyped-def]
    client, world, connection_dies
) -> None:
    response = await client.post(
        "/graphql",
        json={
            "query": "query($id: ID!) { unit(id: $id) { name } }",
            "variables": {"id": world.gid("C")},
        },
        headers={"Authorization": f"Bearer {world.tokens['school_admin']}"},
    )
    assert response.status_code == 200, response.text
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["NOT_FOUND"]

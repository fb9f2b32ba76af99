"""The request context owns the request's one transaction, for GraphQL and the workbook routes
alike: bound to the caller, committed when the request succeeded, rolled back when it failed
or raised, and its connection returned to the pool either way."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import pytest
from support import scalar

from partyplan.auth.errors import NotAuthenticated
from partyplan.resolvers.units import service
from partyplan.server.platform import Platform
from partyplan.server.request import RequestContext


def _context(platform: Platform, token: str | None) -> RequestContext:
    assert platform.engine is not None
    return RequestContext(
        request=None,
        settings=platform.settings,
        engine=platform.engine,
        claims=None if token is None else platform.tokens.verify(token),
    )


async def _create(context: RequestContext, world: Any, name: str) -> None:
    session = await context.session()
    assert session.principal.user_id == world.users["school_admin"]
    await service.create_unit(
        session, parent_id=world.units["A"], kind="branch", name=name, code=None
    )


@pytest.mark.parametrize("outcome", ["succeeds", "fails", "raises"])
async def test_the_request_commits_only_when_it_succeeded(
    platform: Platform, world: Any, owner_engine: Any, outcome: str
) -> None:
    name = f"req-{uuid.uuid4().hex[:8]}"
    context = _context(platform, world.tokens["school_admin"])
    assert platform.engine is not None
    checked_out = platform.engine.pool.checkedout()  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError) if outcome == "raises" else contextlib.nullcontext():
        async with context.transaction():
            await _create(context, world, name)
            if outcome == "fails":
                context.fail()
            elif outcome == "raises":
                raise RuntimeError("the route broke")
    written = await scalar(owner_engine, "SELECT count(*) FROM units WHERE name = :n", n=name)
    assert written == (1 if outcome == "succeeds" else 0)
    assert platform.engine.pool.checkedout() == checked_out  # type: ignore[attr-defined]


async def test_no_token_no_transaction(platform: Platform) -> None:
    context = _context(platform, None)
    async with context.transaction():
        with pytest.raises(NotAuthenticated):
            await context.session()
    assert context._conn is None

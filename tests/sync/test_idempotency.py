"""Idempotency: the first answer to (client, school, key) is kept with the body's hash; the same
body again gets it back and writes nothing, another body is IDEMPOTENCY_CONFLICT; a request
sent twice at once runs once; keys live at least 7 days and ``partyplan sync prune`` forgets
older ones."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pydantic
import pytest
import sqlalchemy as sa
from support import id_number, scalar
from support_oauth import create_service, service_token
from support_sync import (
    ACTIVIST,
    CONTACTS,
    SYNC_BRIEF,
    TALK,
    counts,
    outcomes,
    post_sync,
    record,
    sync,
    sync_input,
)

from partyplan.resolvers.sync.service import prune
from partyplan.server.settings import Settings


def _mixed(world) -> list[dict]:  # type: ignore[no-untyped-def]
    """A batch with every outcome, against a recruit 10 synced before (talk recorded)."""
    return [
        record(world, 10, steps=[TALK]),  # unchanged
        record(world, 11, steps=[TALK, ACTIVIST]),  # created
        record(world, 10, steps=[TALK, ACTIVIST, CONTACTS], phone="13812345678"),  # updated
        record(world, 12, steps=[{**TALK, "on": "2099-01-01"}]),  # refused: a future date
    ]


async def test_a_retry_returns_the_first_answer_and_writes_nothing(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await sync(gql, world, [record(world, 10, steps=[TALK])], key="before")
    first = await sync(gql, world, _mixed(world), key="mixed", mode="PER_RECORD")
    assert outcomes(first) == ["UNCHANGED", "CREATED", "UPDATED", "REFUSED"]
    assert first["results"][3]["errors"][0]["field"] == "records.3.steps.0.on"
    written = await counts(owner_engine)
    again = await sync(gql, world, _mixed(world), key="mixed", mode="PER_RECORD")
    assert again["replayed"] is True
    assert {**again, "replayed": False} == first
    assert await counts(owner_engine) == written
    # Still the first answer after the records changed since: it is what that batch did.
    await sync(gql, world, [record(world, 11, name="钱二")], key="rename")
    later = await sync(gql, world, _mixed(world), key="mixed", mode="PER_RECORD")
    assert outcomes(later) == outcomes(first) and later["replayed"] is True


async def test_the_same_key_with_another_body_is_refused(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await sync(gql, world, [record(world, 10)], key="k")
    written = await counts(owner_engine)
    for other in (
        {"records": [record(world, 10, name="李明明")]},
        {"records": [record(world, 10)], "mode": "PER_RECORD"},
        {"records": []},
    ):
        payload = await sync(gql, world, key="k", **other)
        assert payload["results"] == [] and payload["replayed"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [
            ("IDEMPOTENCY_CONFLICT", "idempotencyKey")
        ]
    assert await counts(owner_engine) == written


async def test_keys_are_each_clients_own(client, gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    """The namespace is the token's client ("" without one) and the school: another client's
    batch with the same key is a batch of its own."""
    service = await create_service(
        owner_engine, world.units["A"], role="sync_agent", allowed_scopes=("read", "record", "sync")
    )
    token = (await service_token(client, service)).json()["access_token"]
    mine = await sync(gql, world, [record(world, 10)], key="shared", document=SYNC_BRIEF)
    theirs = await sync(
        gql, world, [record(world, 11)], key="shared", token=token, document=SYNC_BRIEF
    )
    assert (mine, theirs) == ({"replayed": False, "errors": []},) * 2
    assert await scalar(owner_engine, "SELECT count(*) FROM recruits") == 2
    async with owner_engine.connect() as conn:
        owners = await conn.execute(sa.text("SELECT client_id FROM sync_requests ORDER BY id"))
        assert [r.client_id for r in owners] == ["", service.client_id]


async def test_the_same_request_sent_twice_at_once_runs_once(client, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    variables = sync_input(
        world, [record(world, 10 + n, steps=[TALK, ACTIVIST]) for n in range(6)], key="twice"
    )
    token = world.tokens["sync_agent"]
    both = await asyncio.wait_for(
        asyncio.gather(*(post_sync(client, variables, token) for _ in range(2))), 60
    )
    payloads = [b["data"]["syncRecruits"] for b in both]
    assert sorted(p["replayed"] for p in payloads) == [False, True]
    assert payloads[0]["results"] == payloads[1]["results"]
    assert outcomes(payloads[0]) == ["CREATED"] * 6
    written = await counts(owner_engine)
    assert (written["recruits"], written["sync_requests"]) == (6, 1)


async def _age(owner_engine, key: str, days: int) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "UPDATE sync_requests SET created_at = now() - make_interval(days => :d)"
                " WHERE idempotency_key = :k"
            ),
            {"d": days, "k": key},
        )


async def test_prune_forgets_keys_older_than_the_retention(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    for n, key in enumerate(("old", "week", "new")):
        await sync(gql, world, [record(world, 10 + n)], key=key)
    await _age(owner_engine, "old", 8)
    await _age(owner_engine, "week", 6)
    async with owner_engine.begin() as conn:
        assert await prune(conn, datetime.now(UTC), 7) == 1
    remaining = await scalar(
        owner_engine, "SELECT string_agg(idempotency_key, ',' ORDER BY id) FROM sync_requests"
    )
    assert remaining == "week,new"
    # A pruned key runs again: its record is now found, unchanged.
    payload = await sync(gql, world, [record(world, 10)], key="old")
    assert (payload["replayed"], outcomes(payload)) == (False, ["UNCHANGED"])
    async with owner_engine.begin() as conn:
        with pytest.raises(ValueError):
            await prune(conn, datetime.now(UTC) + timedelta(days=30), 6)


def test_the_retention_is_at_least_seven_days() -> None:
    assert Settings().sync_key_retention_days == 7
    with pytest.raises(pydantic.ValidationError):
        Settings(sync_key_retention_days=6)


async def test_the_prune_command(gql, world, owner_engine, owner_url, settings) -> None:  # type: ignore[no-untyped-def]
    await sync(gql, world, [record(world, 10)], key="old")
    await sync(gql, world, [record(world, 11, idNumber=id_number("20030504", 11))], key="new")
    await _age(owner_engine, "old", 10)
    env = dict(os.environ)
    env.update(
        PARTYPLAN_DATABASE_URL=owner_url,
        PARTYPLAN_KEY_DIR=str(settings.resolved_key_dir),
        PARTYPLAN_DATA_DIR=str(settings.data_dir),
        PARTYPLAN_SYNC_KEY_RETENTION_DAYS="9",
    )
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "partyplan.server.cli", "sync", "prune"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "sync_requests 1 (older than 9 days)",
        "reconciliation_reports 0 open (older than 30 days)",
    ]
    assert await scalar(owner_engine, "SELECT idempotency_key FROM sync_requests") == "new"

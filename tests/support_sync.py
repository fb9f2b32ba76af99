"""Shared by the sync tests: a record as a 12371 job sends it, the mutation, and counts of what
the database holds (read as the owner, past row-level security)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import sqlalchemy as sa
from support import id_number, scalar
from support_oauth import create_service, service_token
from support_policies import REGISTER, client_gid, sha256_id
from support_recruits import person

SYNC = """mutation($input: SyncRecruitsInput!) { syncRecruits(input: $input) {
  results { index outcome recruit { id name stage } errors { code field message } }
  replayed errors { code field message } } }"""
# Within a client's free-text budget (the lower of its costBudget and COST_BUDGET_UNTRUSTED):
# a list of objects counts MAX_PAGE_SIZE items, so results with their errors cost ~120,000.
SYNC_BRIEF = """mutation($input: SyncRecruitsInput!) { syncRecruits(input: $input) {
  replayed errors { code field } } }"""

# Steps a sync_agent may record (a branch's own steps: recruit.record, not recruit.approve).
TALK = {"step": "TALK", "on": "2022-10-10", "data": {"talked_by": "支部书记"}}
ACTIVIST = {"step": "ACTIVIST", "on": "2023-03-20", "data": {"recommended_by": "mass_organization"}}
CONTACTS = {"step": "CONTACTS", "on": "2023-03-28", "data": {"contacts": ["m-101", "m-102"]}}
# A committee's step (recruit.approve): beyond a sync_agent.
FILING = {"step": "ACTIVIST_FILING", "on": "2023-03-27", "data": {}}

#: Tables a sync writes to (besides sync_requests).
WRITTEN = ("recruits", "recruit_steps", "recruit_findings", "audit_log")


async def job(
    client: Any, gql: Any, world: Any, owner_engine: Any, name: str, scope: str | None = None
) -> str:
    """A sync job's access token, by client credentials: a service client of school A with the
    sync_agent role, scopes read record sync, the budget the full sync document needs and that
    document registered as its trusted document (a client's free text is held to
    COST_BUDGET_UNTRUSTED)."""
    service = await create_service(
        owner_engine,
        world.units["A"],
        client_id=name,
        role="sync_agent",
        allowed_scopes=("read", "record", "sync"),
    )
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE oauth_clients SET cost_budget = 200000 WHERE id = :c"),
            {"c": service.pk},
        )
    registered = await gql(
        REGISTER, {"c": client_gid(service.pk), "d": [SYNC]}, world.tokens["commission_admin"]
    )
    assert registered["data"]["registerDocuments"]["errors"] == [], registered
    response = await service_token(client, service, scope)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def record(world: Any, sequence: int, name: str = "李明", **overrides: Any) -> dict[str, Any]:
    """A record of branch A1a, the person born 2003-05-04 with ID number ``sequence``."""
    values = person(idNumber=id_number("20030504", sequence), name=name)
    values.pop("phone")
    return {"branchId": world.gid("A1a"), **values, "steps": [], **overrides}


def sync_input(
    world: Any, records: list[dict[str, Any]], key: str = "batch-1", **extra: Any
) -> dict[str, Any]:
    return {
        "input": {"schoolId": world.gid("A"), "idempotencyKey": key, "records": records, **extra}
    }


async def sync(
    gql: Any,
    world: Any,
    records: list[dict[str, Any]],
    key: str = "batch-1",
    token: str | None = None,
    document: str = SYNC,
    **extra: Any,
) -> dict[str, Any]:
    """The syncRecruits payload (no GraphQL error allowed), as the sync_agent of school A."""
    result = await gql(
        document, sync_input(world, records, key, **extra), token or world.tokens["sync_agent"]
    )
    assert result.get("errors") is None, result
    return result["data"]["syncRecruits"]


async def post_sync(
    http: httpx.AsyncClient, variables: dict[str, Any], token: str, *, trusted: bool = False
) -> Any:
    """POST the sync (as text, or as the id of its trusted document) with ``token``."""
    body = {"documentId": sha256_id(SYNC)} if trusted else {"query": SYNC}
    response = await http.post(
        "/graphql",
        json={**body, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def counts(owner_engine: Any) -> dict[str, int]:
    """Rows of every table a sync writes, and the stored answers."""
    return {
        table: await scalar(owner_engine, f"SELECT count(*) FROM {table}")
        for table in (*WRITTEN, "sync_requests")
    }


def outcomes(payload: dict[str, Any]) -> list[str]:
    return [r["outcome"] for r in payload["results"]]


def fields(payload: dict[str, Any], index: int) -> list[tuple[str, str]]:
    return [(e["code"], e["field"]) for e in payload["results"][index]["errors"]]


def iso(day: date) -> str:
    return day.isoformat()

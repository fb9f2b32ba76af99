"""Who may sync: ``sync.exchange`` at the school, within the token's scopes. A job's token comes
from ``/oauth/token`` by client credentials; another school is NOT_FOUND, a role or scope
without the permission FORBIDDEN, no token UNAUTHENTICATED."""

from __future__ import annotations

import support_recruits as recruits_api
from support import codes, id_number, scalar
from support_sync import (
    SYNC,
    SYNC_BRIEF,
    counts,
    job,
    outcomes,
    post_sync,
    record,
    sync,
    sync_input,
)


async def test_a_job_by_client_credentials_syncs_its_school_only(
    client, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    token = await job(client, gql, world, owner_engine, "nightly")
    done = await post_sync(client, sync_input(world, [record(world, 10)]), token, trusted=True)
    assert outcomes(done["data"]["syncRecruits"]) == ["CREATED"]
    elsewhere = sync_input(world, [record(world, 11, branchId=world.gid("B1"))])
    elsewhere["input"]["schoolId"] = world.gid("B")
    refused = await post_sync(client, elsewhere, token, trusted=True)
    assert codes(refused) == ["NOT_FOUND"] and refused["data"] is None
    assert await scalar(owner_engine, "SELECT client_id FROM sync_requests") == "nightly"


async def test_a_token_without_the_sync_scope_is_forbidden(
    client, gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    token = await job(client, gql, world, owner_engine, "nightly", scope="read record")
    refused = await post_sync(client, sync_input(world, [record(world, 10)]), token, trusted=True)
    assert codes(refused) == ["FORBIDDEN"]
    assert (await counts(owner_engine))["recruits"] == 0


async def test_callers_without_the_permission(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    variables = sync_input(world, [record(world, 10)])
    # Without a token the budget is COST_BUDGET_UNTRUSTED's: a brief selection.
    assert codes(await gql(SYNC_BRIEF, variables)) == ["UNAUTHENTICATED"]
    for account, code in (
        ("viewer", "FORBIDDEN"),
        ("school_admin", "FORBIDDEN"),  # records recruits, but holds no sync.exchange
        ("other_school_admin", "NOT_FOUND"),
        ("other_commission_admin", "NOT_FOUND"),
    ):
        assert codes(await gql(SYNC, variables, world.tokens[account])) == [code], account
    written = await counts(owner_engine)
    assert (written["recruits"], written["audit_log"], written["sync_requests"]) == (0, 0, 0)


async def test_a_sync_is_for_one_school(gql, world) -> None:  # type: ignore[no-untyped-def]
    variables = sync_input(world, [record(world, 10)])
    variables["input"]["schoolId"] = world.gid("A1")  # a committee of the school
    payload = (await gql(SYNC, variables, world.tokens["sync_agent"]))["data"]["syncRecruits"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("NOT_A_SCHOOL", "schoolId")]


async def test_a_sync_comes_first_in_its_request(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    """Waiting for the school's lock while holding rows another sync may wait on could close a
    cycle: a sync after anything written in its request is refused before it waits."""
    document = (
        "mutation($c: CreateRecruitInput!, $s: SyncRecruitsInput!) {"
        " a: createRecruit(input: $c) { recruit { id } errors { code } }"
        " b: syncRecruits(input: $s) { replayed errors { code field } } }"
    )
    created = {
        "branchId": world.gid("A1a"),
        **recruits_api.person(idNumber=id_number("20030504", 30)),
    }
    result = await gql(
        document,
        {"c": created, "s": sync_input(world, [record(world, 10)])["input"]},
        world.tokens["sync_agent"],
    )
    assert result["data"]["b"]["errors"] == [{"code": "SYNC_FIRST", "field": None}]
    assert codes(result) == ["ROLLED_BACK"]
    assert await scalar(owner_engine, "SELECT count(*) FROM recruits") == 0
    # First in its request, it runs.
    alone = await sync(gql, world, [record(world, 10)])
    assert outcomes(alone) == ["CREATED"]
    # A second sync after one that wrote nothing (a replay) still holds the school's lock.
    twice = (
        "mutation($a: SyncRecruitsInput!, $b: SyncRecruitsInput!) {"
        " a: syncRecruits(input: $a) { replayed errors { code } }"
        " b: syncRecruits(input: $b) { replayed errors { code field } } }"
    )
    result = await gql(
        twice,
        {
            "a": sync_input(world, [record(world, 10)])["input"],
            "b": sync_input(world, [record(world, 11)], key="other")["input"],
        },
        world.tokens["sync_agent"],
    )
    assert result["data"]["b"] == {
        "replayed": None,
        "errors": [{"code": "SYNC_FIRST", "field": None}],
    }
    assert await scalar(owner_engine, "SELECT count(*) FROM recruits") == 1

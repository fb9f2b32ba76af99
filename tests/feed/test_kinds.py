"""Each kind of change reaches the feed from the API's own writes, in the writing transaction:
recruits and their steps, the roster, filings; an update that changes nothing is no change."""

from __future__ import annotations

import support_recruits as recruits_api
from support_feed import drain, member_change

IMPORT = """mutation($s: ID!, $b: ID!, $name: String!) { importMembers(input: {schoolId: $s,
  members: [{code: "m-900", name: $name, branchId: $b, joinedOn: "2010-07-01"}]})
  { inserted updated errors { code } } }"""
STEP_IDS = "query($r: ID!) { recruit(id: $r) { steps { id } } }"
FILE = """mutation($r: ID!) { fileTalent(input: {recruitId: $r, programme: "三晋英才"})
  { filing { id } errors { code } } }"""
ACKNOWLEDGE = """mutation($f: ID!) { acknowledgeFiling(input: {filingId: $f})
  { filing { status } errors { code } } }"""


async def _step_ids(gql, world, recruit: str) -> list[str]:  # type: ignore[no-untyped-def]
    result = await gql(STEP_IDS, {"r": recruit}, world.tokens["school_admin"])
    return [s["id"] for s in result["data"]["recruit"]["steps"]]


async def test_recruits_and_steps(gql, world) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    start = (await drain(gql, token)).cursor
    recruit = (await recruits_api.create(gql, world))["recruit"]["id"]
    created = await drain(gql, token, start)
    [application] = await _step_ids(gql, world, recruit)
    assert created.changes == [
        ("RECRUIT", recruit, "CREATED"),
        ("STEP", application, "CREATED"),
        ("RECRUIT", recruit, "UPDATED"),  # the derivations, from the step just recorded
    ]

    talk, on, data, account = recruits_api.WALK[0]
    done = await recruits_api.step(gql, world, recruit, talk, on, data, account)
    assert done["errors"] == [], done
    stepped = await drain(gql, token, created.cursor)
    new_step = (await _step_ids(gql, world, recruit))[-1]
    assert stepped.changes == [("STEP", new_step, "CREATED"), ("RECRUIT", recruit, "UPDATED")]


async def test_members_and_a_roster_sent_again(gql, world) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    start = (await drain(gql, token)).cursor
    variables = {"s": world.gid("A"), "b": world.gid("A1b"), "name": "周红"}
    sent = await gql(IMPORT, variables, token)
    assert sent["data"]["importMembers"]["inserted"] == 1, sent
    first = await drain(gql, token, start)
    [(kind, member, operation)] = first.changes
    assert (kind, operation) == ("MEMBER", "CREATED")

    # The same roster again: the row is rewritten (updated_at) but nothing changed.
    again = await gql(IMPORT, variables, token)
    assert again["data"]["importMembers"]["updated"] == 1, again
    assert (await drain(gql, token, first.cursor)).changes == []

    renamed = await gql(IMPORT, {**variables, "name": "周虹"}, token)
    assert renamed["data"]["importMembers"]["updated"] == 1, renamed
    assert (await drain(gql, token, first.cursor)).changes == [("MEMBER", member, "UPDATED")]


async def test_filings(gql, world) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["commission_admin"]
    recruit = (await recruits_api.create(gql, world, account="school_admin"))["recruit"]["id"]
    start = (await drain(gql, token)).cursor
    filed = await gql(FILE, {"r": recruit}, world.tokens["school_admin"])
    filing = filed["data"]["fileTalent"]["filing"]["id"]
    after_filing = await drain(gql, token, start)
    assert ("FILING", filing, "CREATED") in after_filing.changes

    acknowledged = await gql(ACKNOWLEDGE, {"f": filing}, token)
    assert acknowledged["data"]["acknowledgeFiling"]["errors"] == [], acknowledged
    after = await drain(gql, token, after_filing.cursor)
    assert ("FILING", filing, "UPDATED") in after.changes
    assert {kind for kind, _, _ in after.changes} <= {"FILING", "RECRUIT"}


async def test_kinds_filter(gql, world) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    start = (await drain(gql, token)).cursor
    recruit = (await recruits_api.create(gql, world))["recruit"]["id"]
    await gql(IMPORT, {"s": world.gid("A"), "b": world.gid("A1b"), "name": "周红"}, token)
    everything = await drain(gql, token, start)
    assert {k for k, _, _ in everything.changes} == {"RECRUIT", "STEP", "MEMBER"}

    steps = await drain(gql, token, start, kinds=["STEP"])
    assert steps.changes == [c for c in everything.changes if c[0] == "STEP"]
    two = await drain(gql, token, start, kinds=["MEMBER", "RECRUIT"])
    assert two.changes == [c for c in everything.changes if c[0] != "STEP"]
    assert ("RECRUIT", recruit, "CREATED") in two.changes


async def test_the_world_roster_is_in_the_feed(gql, world) -> None:  # type: ignore[no-untyped-def]
    """Writes made as the owner (here, the world's roster) are captured like the service's."""
    pulled = await drain(gql, world.tokens["school_admin"], kinds=["MEMBER"])
    assert len(pulled.changes) == 5
    assert {op for _, _, op in pulled.changes} == {"CREATED"}
    assert pulled.changes[0] == member_change(1)

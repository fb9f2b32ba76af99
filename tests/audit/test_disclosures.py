"""PII read in clear is audited: who, which recruit, which field(s), which client, when; one
entry per recruit, all of a request's written in one statement, found in the recruit's
``auditTrail`` by the commission's administrators and by no other school. Masked reads write
nothing. A query that fails is audited all the same (what it sent was disclosed); a mutation
document that fails sent no payload, and is not."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
import support_recruits as recruits_api
from support import codes, gid, id_number, raw_id, scalar
from support_disclosures import create_front_end_client, read_pii_entries

from partyplan.resolvers.recruits.service import reads
from partyplan.resolvers.units import service as units
from partyplan.server.request import RequestContext

READ = "query($id: ID!) { recruit(id: $id) { name idNumber phone } }"
PHONE_ONLY = "query($id: ID!) { recruit(id: $id) { phone } }"
PAGE = "query($u: ID!) { recruits(under: $u) { edges { node { id idNumber phone } } } }"
TRAIL = """query($id: ID!) { auditTrail(objectId: $id) { edges { node {
  operation objectType actorId clientId after at } } } }"""


async def _recruits(gql, world, count: int, **overrides: Any) -> list[str]:  # type: ignore[no-untyped-def]
    """Recruits created by the branch secretary (no pii.read: masked, nothing recorded)."""
    ids = []
    for n in range(count):
        created = await recruits_api.create(
            gql, world, idNumber=id_number("20030504", 40 + n), **overrides
        )
        assert created["errors"] == [], created
        ids.append(created["recruit"]["id"])
    return ids


@contextlib.contextmanager
def _statements(engine: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    sa.event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_a_page_read_in_clear_is_one_entry_per_recruit_in_one_statement(
    gql, world, platform, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    ids = await _recruits(gql, world, 3)
    assert await read_pii_entries(owner_engine) == []
    with _statements(platform.engine) as statements:
        result = await gql(PAGE, {"u": world.gid("A")}, world.tokens["school_admin"])
    assert "errors" not in result, result
    shown = [edge["node"] for edge in result["data"]["recruits"]["edges"]]
    assert all("*" not in node["idNumber"] and "*" not in node["phone"] for node in shown)
    assert len([s for s in statements if "audit_append" in s]) == 1
    entries = await read_pii_entries(owner_engine)
    assert sorted(gid("Recruit", e.object_id) for e in entries) == sorted(ids)
    for entry in entries:
        assert entry.object_type == "Recruit"
        assert entry.actor_user_id == world.users["school_admin"]
        assert entry.client_id is None
        assert entry.unit_id == world.units["A1a"] and entry.school_id == world.units["A"]
        assert entry.after == {"fields": ["idNumber", "phone"]}
        assert entry.before is None
    # Nothing of the values themselves is in the log.
    log = str([tuple(e) for e in entries])
    assert not any(node["idNumber"] in log or node["phone"] in log for node in shown)


@pytest.mark.parametrize("account", ["viewer", "branch_secretary", "commission_viewer"])
async def test_masked_reads_write_nothing(gql, world, owner_engine, account: str) -> None:  # type: ignore[no-untyped-def]
    (recruit,) = await _recruits(gql, world, 1)
    result = await gql(READ, {"id": recruit}, world.tokens[account])
    assert "*" in result["data"]["recruit"]["idNumber"], result
    assert await read_pii_entries(owner_engine) == []


async def test_only_the_fields_returned_in_clear_are_named(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    with_phone, without_phone = await _recruits(gql, world, 1) + [
        (
            await recruits_api.create(
                gql, world, idNumber=id_number("20030504", 60), phone=None, name="王芳"
            )
        )["recruit"]["id"]
    ]
    admin = world.tokens["school_admin"]
    name_only = await gql(
        "query($id: ID!) { recruit(id: $id) { name } }", {"id": with_phone}, admin
    )
    assert "errors" not in name_only
    assert await read_pii_entries(owner_engine) == []
    no_phone = await gql(PHONE_ONLY, {"id": without_phone}, admin)
    assert no_phone["data"]["recruit"]["phone"] is None
    assert await read_pii_entries(owner_engine) == []  # nothing was shown
    phone = await gql(PHONE_ONLY, {"id": with_phone}, admin)
    assert phone["data"]["recruit"]["phone"] == "13812345678"
    (entry,) = await read_pii_entries(owner_engine)
    assert (gid("Recruit", entry.object_id), entry.after) == (with_phone, {"fields": ["phone"]})


async def test_the_commission_finds_the_reads_in_the_recruits_trail_another_school_does_not(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    (recruit,) = await _recruits(gql, world, 1)
    read = await gql(READ, {"id": recruit}, world.tokens["school_admin"])
    assert "errors" not in read, read
    trail = await gql(TRAIL, {"id": recruit}, world.tokens["commission_admin"])
    assert "errors" not in trail, trail
    reads_seen = [
        e["node"]
        for e in trail["data"]["auditTrail"]["edges"]
        if e["node"]["operation"] == "readPii"
    ]
    assert len(reads_seen) == 1
    assert reads_seen[0]["actorId"] == world.uid("school_admin")
    assert reads_seen[0]["after"] == {"fields": ["idNumber", "phone"]}
    assert reads_seen[0]["objectType"] == "Recruit" and reads_seen[0]["at"]
    for outsider in ("other_school_admin", "other_commission_admin"):
        refused = await gql(TRAIL, {"id": recruit}, world.tokens[outsider])
        assert codes(refused) == ["NOT_FOUND"], refused


async def test_the_client_of_the_token_is_recorded(gql, world, platform, owner_engine) -> None:  # type: ignore[no-untyped-def]
    (recruit,) = await _recruits(gql, world, 1)
    client_id = await create_front_end_client(owner_engine, world, "console", ["read", "pii"])
    token = platform.tokens.mint(
        str(world.users["school_admin"]), 600, client_id=client_id, scope="read pii"
    )
    result = await gql(READ, {"id": recruit}, token)
    assert "*" not in result["data"]["recruit"]["idNumber"], result
    (entry,) = await read_pii_entries(owner_engine)
    assert (entry.client_id, entry.actor_user_id) == (client_id, world.users["school_admin"])
    # The same client without the pii scope sees masked values: nothing to record.
    narrow = platform.tokens.mint(
        str(world.users["school_admin"]), 600, client_id=client_id, scope="read"
    )
    masked = await gql(READ, {"id": recruit}, narrow)
    assert "*" in masked["data"]["recruit"]["idNumber"]
    assert len(await read_pii_entries(owner_engine)) == 1


async def test_a_query_that_fails_is_audited_all_the_same(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    """The recruit's ID number was returned by its resolver; then a sibling failed and the
    request rolled back. Every root field is non-null today, so this response's data is null;
    an error in a nullable field would send the value beside it. The entry is written either
    way: over-recording, never under-recording."""
    (recruit,) = await _recruits(gql, world, 1)
    result = await gql(
        "query($id: ID!, $u: ID!) { recruit(id: $id) { idNumber } unit(id: $u) { name } }",
        {"id": recruit, "u": world.gid("B1")},  # another school's branch: NOT_FOUND
        world.tokens["school_admin"],
    )
    assert codes(result) == ["NOT_FOUND"], result
    (entry,) = await read_pii_entries(owner_engine)
    assert gid("Recruit", entry.object_id) == recruit and entry.after == {"fields": ["idNumber"]}


async def test_the_request_rolls_back_and_its_disclosures_are_written_apart(
    gql, platform, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    """At the request context: a rolled-back request writes nothing of its own, but the audit
    of what it returned, in a transaction of its own."""
    (created,) = await _recruits(gql, world, 1)
    recruit = raw_id(created)
    assert platform.engine is not None
    context = RequestContext(
        request=None,
        settings=platform.settings,
        engine=platform.engine,
        claims=platform.tokens.verify(world.tokens["school_admin"]),
    )
    name = f"rolled-back-{uuid.uuid4().hex[:8]}"
    async with context.transaction():
        session = await context.session()
        await units.create_unit(
            session, parent_id=world.units["A"], kind="branch", name=name, code=None
        )
        fields = await _recruit_row(owner_engine, recruit)
        reads.disclosed(context.disclosures, fields, "idNumber")
        reads.disclosed(context.disclosures, fields, "phone", with_writes=True)
        context.fail()
    assert await scalar(owner_engine, "SELECT count(*) FROM units WHERE name = :n", n=name) == 0
    (entry,) = await read_pii_entries(owner_engine)
    # The phone was shown only in a mutation's payload, which a failed request never sends.
    assert (entry.object_id, entry.after) == (recruit, {"fields": ["idNumber"]})
    assert not context.disclosures


async def _recruit_row(owner_engine: Any, recruit: int) -> Any:
    async with owner_engine.connect() as conn:
        return (
            await conn.execute(
                sa.text("SELECT id, branch_id, school_id FROM recruits WHERE id = :id"),
                {"id": recruit},
            )
        ).one()


CREATE_TWO = """mutation($a: CreateRecruitInput!, $b: CreateRecruitInput!) {
  a: createRecruit(input: $a) { recruit { id idNumber } errors { code field } }
  b: createRecruit(input: $b) { recruit { id idNumber } errors { code field } } }"""


async def test_a_mutation_that_fails_sent_nothing_and_records_nothing(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    branch = world.gid("A1a")
    number = id_number("20030504", 70)
    same = {"branchId": branch, **recruits_api.person(idNumber=number)}
    result = await gql(CREATE_TWO, {"a": same, "b": same}, world.tokens["school_admin"])
    assert result["data"]["a"]["recruit"] is None  # reported as rolled back
    assert result["data"]["b"]["errors"][0]["code"] == "DUPLICATE_ID_NUMBER", result
    assert "ROLLED_BACK" in codes(result)
    assert await scalar(owner_engine, "SELECT count(*) FROM recruits") == 0
    assert await read_pii_entries(owner_engine) == []
    # Two that succeed: their payloads were sent in clear, audited with what they wrote.
    other = {**same, "idNumber": id_number("20030504", 71)}
    alone = await gql(CREATE_TWO, {"a": same, "b": other}, world.tokens["school_admin"])
    assert "errors" not in alone, alone
    entries = await read_pii_entries(owner_engine)
    assert sorted(gid("Recruit", e.object_id) for e in entries) == sorted(
        alone["data"][k]["recruit"]["id"] for k in ("a", "b")
    )

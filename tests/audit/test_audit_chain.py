"""The audit log: one entry per mutation in the mutation's own transaction, the audit trail,
per-school hash chains that reveal tampering, append-only storage, concurrent writers and the
``partyplan audit verify`` command."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from support import codes, gid, raw_id

from partyplan.resolvers.audit.repository import verify_chains
from partyplan.server import cli
from partyplan.server.database import async_url

CREATE_UNIT = """mutation($parent: ID!, $name: String!) {
  createUnit(input: {parentId: $parent, kind: BRANCH, name: $name})
  { unit { id } errors { code field } } }"""
RENAME = """mutation($id: ID!, $name: String!) {
  renameUnit(input: {unitId: $id, name: $name}) { unit { id } errors { code field } } }"""
MOVE = """mutation($id: ID!, $to: ID!) {
  moveUnit(input: {unitId: $id, newParentId: $to}) { unit { id } errors { code field } } }"""
DEACTIVATE = """mutation($id: ID!) {
  deactivateUnit(input: {unitId: $id}) { unit { id } errors { code field } } }"""
CREATE_USER = """mutation($unit: ID!, $username: String!) {
  createUser(input: {homeUnitId: $unit, username: $username, displayName: "审计用户"})
  { user { id } errors { code field } } }"""
GRANT = """mutation($user: ID!, $role: String!, $unit: ID!) {
  grantRole(input: {userId: $user, role: $role, unitId: $unit})
  { roleBinding { id } errors { code field } } }"""
REVOKE = """mutation($id: ID!) {
  revokeRole(input: {roleBindingId: $id}) { roleBinding { id } errors { code field } } }"""
TRAIL = """query($id: ID!, $first: Int, $after: String) {
  auditTrail(objectId: $id, first: $first, after: $after) {
    edges { cursor node { operation objectType actorId clientId before after chain seq hash } }
    pageInfo { hasNextPage endCursor } } }"""

DISABLE = "ALTER TABLE audit_log DISABLE TRIGGER audit_log_immutable"
ENABLE = "ALTER TABLE audit_log ENABLE TRIGGER audit_log_immutable"


async def _ok(gql, document: str, variables: dict[str, Any], token: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Run a one-field mutation that must succeed; its payload."""
    result = await gql(document, variables, token)
    assert "errors" not in result, result
    [payload] = result["data"].values()
    assert payload["errors"] == [], payload
    return payload


async def _entries(owner_engine, where: str = "true", **params: Any) -> list[Any]:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        rows = await conn.execute(
            sa.text(f"SELECT * FROM audit_log WHERE {where} ORDER BY chain, seq"), params
        )
        return list(rows)


async def _verify(owner_engine) -> list[tuple[int, int, str]]:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        return await verify_chains(conn)


async def _last_id(owner_engine) -> int:  # type: ignore[no-untyped-def]
    async with owner_engine.connect() as conn:
        return int(await conn.scalar(sa.text("SELECT coalesce(max(id), 0) FROM audit_log")))


# --- one entry per mutation --------------------------------------------------------------------


async def test_every_mutation_writes_one_entry_in_its_own_transaction(  # type: ignore[no-untyped-def]
    gql, world, owner_engine, platform
) -> None:
    actor = world.users["school_admin"]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO oauth_clients (client_id, name, kind, allowed_scopes, unit_id,"
                " unit_path, cost_budget, requests_per_minute, redirect_uris)"
                " SELECT 'ops-console', 'ops', 'front_end', '{read,record,manage}', id, path,"
                " 1000, 600, '{https://ops.example/cb}' FROM units WHERE id = :c"
            ),
            {"c": world.units["commission"]},
        )
    token = platform.tokens.mint(
        str(actor), 600, client_id="ops-console", scope="read record manage"
    )
    school = world.units["A"]

    async def one_entry(document: str, variables: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        since = await _last_id(owner_engine)
        payload = await _ok(gql, document, variables, token)
        [entry] = await _entries(owner_engine, "id > :since", since=since)
        assert (entry.actor_user_id, entry.client_id) == (actor, "ops-console")
        assert (entry.chain, entry.school_id) == (school, school)
        return payload, entry

    created, entry = await one_entry(CREATE_UNIT, {"parent": world.gid("A1"), "name": "审计支部"})
    new_unit = raw_id(created["unit"]["id"])
    assert (entry.operation, entry.object_type, entry.object_id) == ("createUnit", "Unit", new_unit)
    assert entry.before is None
    assert entry.after["name"] == "审计支部" and entry.after["parent_id"] == world.units["A1"]
    async with owner_engine.connect() as conn:
        created_at = await conn.scalar(
            sa.text("SELECT created_at FROM units WHERE id = :i"), {"i": new_unit}
        )
    # now() is the transaction's start: the entry and the row were written by one transaction.
    assert entry.at == created_at

    _, entry = await one_entry(RENAME, {"id": world.gid("A1a"), "name": "改名支部"})
    assert (entry.operation, entry.object_type, entry.object_id) == (
        "renameUnit",
        "Unit",
        world.units["A1a"],
    )
    assert (entry.before["name"], entry.after["name"]) == ("甲院第一党支部", "改名支部")
    async with owner_engine.connect() as conn:
        updated_at = await conn.scalar(
            sa.text("SELECT updated_at FROM units WHERE id = :i"), {"i": world.units["A1a"]}
        )
    assert entry.at == updated_at

    _, entry = await one_entry(MOVE, {"id": world.gid("A1b"), "to": world.gid("A")})
    assert (entry.operation, entry.object_id) == ("moveUnit", world.units["A1b"])
    assert (entry.before["parent_id"], entry.after["parent_id"]) == (
        world.units["A1"],
        world.units["A"],
    )
    assert entry.before["path"] != entry.after["path"]

    _, entry = await one_entry(DEACTIVATE, {"id": world.gid("A2")})
    assert (entry.operation, entry.object_id) == ("deactivateUnit", world.units["A2"])
    assert (entry.before["active"], entry.after["active"]) == (True, False)

    user, entry = await one_entry(CREATE_USER, {"unit": world.gid("A1"), "username": "shen-ji"})
    user_id = raw_id(user["user"]["id"])
    assert (entry.operation, entry.object_type, entry.object_id) == ("createUser", "User", user_id)
    assert (entry.unit_id, entry.before) == (world.units["A1"], None)
    assert entry.after["username"] == "shen-ji"

    granted, entry = await one_entry(
        GRANT, {"user": user["user"]["id"], "role": "viewer", "unit": world.gid("A1")}
    )
    binding = raw_id(granted["roleBinding"]["id"])
    assert (entry.operation, entry.object_type, entry.object_id) == (
        "grantRole",
        "RoleBinding",
        binding,
    )
    assert entry.after == {"user_id": user_id, "role": "viewer", "unit_id": world.units["A1"]}

    _, entry = await one_entry(REVOKE, {"id": granted["roleBinding"]["id"]})
    assert (entry.operation, entry.object_type, entry.object_id) == (
        "revokeRole",
        "RoleBinding",
        binding,
    )
    assert (entry.before["role"], entry.after) == ("viewer", None)

    entries = await _entries(owner_engine)
    assert [e.seq for e in entries] == list(range(1, 8))
    assert await _verify(owner_engine) == []


@pytest.mark.parametrize(
    ("document", "variables", "code"),
    [
        (RENAME, lambda w: {"id": w.gid("A1a"), "name": "   "}, "INVALID_NAME"),
        (CREATE_UNIT, lambda w: {"parent": w.gid("A1a"), "name": "支部下"}, "INVALID_PARENT"),
        (MOVE, lambda w: {"id": w.gid("A1"), "to": w.gid("A1a")}, "MOVE_INTO_OWN_SUBTREE"),
        (DEACTIVATE, lambda w: {"id": w.gid("A1")}, "HAS_ACTIVE_CHILDREN"),
        (CREATE_USER, lambda w: {"unit": w.gid("A"), "username": "viewer"}, "DUPLICATE_USERNAME"),
        (
            GRANT,
            lambda w: {"user": w.uid("nobody"), "role": "sync_agent", "unit": w.gid("A")},
            "ROLE_ABOVE_GRANTER",
        ),
        (REVOKE, lambda w: {"id": gid("RoleBinding", w.bindings["school_admin"])}, "SELF_REVOKE"),
    ],
)
async def test_a_mutation_refused_with_a_typed_error_writes_no_entry(  # type: ignore[no-untyped-def]
    gql, world, owner_engine, document, variables, code
) -> None:
    result = await gql(document, variables(world), world.tokens["school_admin"])
    assert "errors" not in result, result
    [payload] = result["data"].values()
    assert [e["code"] for e in payload["errors"]] == [code]
    assert await _entries(owner_engine) == []
    async with owner_engine.connect() as conn:
        assert await conn.scalar(sa.text("SELECT count(*) FROM audit_chain_heads")) == 0


async def test_a_request_with_a_refused_mutation_leaves_no_audit_entry(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    """A request is all or nothing: the refused rename undoes the other one and its entry; the
    other one alone is audited once, as the first entry of its chain."""
    document = """mutation($a: ID!, $b: ID!) {
      ok: renameUnit(input: {unitId: $a, name: "新名"}) { errors { code } }
      refused: renameUnit(input: {unitId: $b, name: ""}) { errors { code } } }"""
    ids = {"a": world.gid("A1a"), "b": world.gid("A1b")}
    result = await gql(document, ids, world.tokens["school_admin"])
    assert result["data"] == {
        "ok": {"errors": []},
        "refused": {"errors": [{"code": "INVALID_NAME"}]},
    }
    assert codes(result) == ["ROLLED_BACK"] and result["errors"][0]["path"] == ["ok"]
    assert await _entries(owner_engine) == []

    alone = """mutation($a: ID!) {
      ok: renameUnit(input: {unitId: $a, name: "新名"}) { errors { code } } }"""
    result = await gql(alone, {"a": ids["a"]}, world.tokens["school_admin"])
    assert result == {"data": {"ok": {"errors": []}}}
    [entry] = await _entries(owner_engine)
    assert (entry.operation, entry.object_id, entry.seq) == (
        "renameUnit",
        world.units["A1a"],
        1,
    )


# --- auditTrail --------------------------------------------------------------------------------


async def test_audit_trail_is_newest_first_and_paginated(gql, world) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["school_admin"]
    for name in ("一", "二", "三"):
        await _ok(gql, RENAME, {"id": world.gid("A1a"), "name": f"支部{name}"}, admin)
    await _ok(gql, RENAME, {"id": world.gid("A1b"), "name": "别的支部"}, admin)  # another object

    reader = world.tokens["unit_admin"]  # audit.read at A1, A1a's parent
    first = await gql(TRAIL, {"id": world.gid("A1a"), "first": 2}, reader)
    assert "errors" not in first, first
    connection = first["data"]["auditTrail"]
    nodes = [e["node"] for e in connection["edges"]]
    assert [n["after"]["name"] for n in nodes] == ["支部三", "支部二"]
    assert [n["before"]["name"] for n in nodes] == ["支部二", "支部一"]
    assert {(n["operation"], n["objectType"]) for n in nodes} == {("renameUnit", "Unit")}
    assert {n["actorId"] for n in nodes} == {world.uid("school_admin")}
    assert {n["chain"] for n in nodes} == {world.units["A"]}
    assert [n["seq"] for n in nodes] == [3, 2]
    assert all(len(n["hash"]) == 64 for n in nodes)
    assert connection["pageInfo"]["hasNextPage"] is True

    rest = await gql(
        TRAIL,
        {"id": world.gid("A1a"), "first": 2, "after": connection["pageInfo"]["endCursor"]},
        reader,
    )
    connection = rest["data"]["auditTrail"]
    assert [e["node"]["after"]["name"] for e in connection["edges"]] == ["支部一"]
    assert [e["node"]["before"]["name"] for e in connection["edges"]] == ["甲院第一党支部"]
    assert connection["pageInfo"]["hasNextPage"] is False

    # Trails of other object types resolve too: the new account's creation.
    user = await _ok(gql, CREATE_USER, {"unit": world.gid("A1"), "username": "li-si"}, admin)
    trail = await gql(TRAIL, {"id": user["user"]["id"]}, reader)
    assert [e["node"]["operation"] for e in trail["data"]["auditTrail"]["edges"]] == ["createUser"]

    viewer = await gql(TRAIL, {"id": world.gid("A1a")}, world.tokens["viewer"])
    assert codes(viewer) == ["FORBIDDEN"]


# --- chain integrity ---------------------------------------------------------------------------


async def _mutations_in_two_schools(gql, world) -> None:  # type: ignore[no-untyped-def]
    a, b = world.tokens["school_admin"], world.tokens["other_school_admin"]
    unit = await _ok(gql, CREATE_UNIT, {"parent": world.gid("A1"), "name": "甲新支部"}, a)
    await _ok(gql, RENAME, {"id": unit["unit"]["id"], "name": "甲新支部（改）"}, a)
    await _ok(gql, CREATE_UNIT, {"parent": world.gid("B"), "name": "乙新支部"}, b)
    user = await _ok(gql, CREATE_USER, {"unit": world.gid("A2"), "username": "chain-a"}, a)
    await _ok(
        gql, GRANT, {"user": user["user"]["id"], "role": "viewer", "unit": world.gid("A2")}, a
    )
    await _ok(gql, RENAME, {"id": world.gid("B1"), "name": "乙校第一支部"}, b)
    await _ok(
        gql, RENAME, {"id": world.gid("A1a"), "name": "甲院一支部"}, world.tokens["unit_admin"]
    )


async def test_each_school_has_its_own_verified_chain(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await _mutations_in_two_schools(gql, world)
    assert await _verify(owner_engine) == []

    entries = await _entries(owner_engine)
    chains: dict[int, list[Any]] = {}
    for entry in entries:
        chains.setdefault(entry.chain, []).append(entry)
    assert set(chains) == {world.units["A"], world.units["B"]}
    assert len(chains[world.units["A"]]) == 5 and len(chains[world.units["B"]]) == 2
    async with owner_engine.connect() as conn:
        heads = {r.chain: r for r in await conn.execute(sa.text("SELECT * FROM audit_chain_heads"))}
    for chain, rows in chains.items():
        assert {r.school_id for r in rows} == {chain}
        assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
        assert rows[0].prev_hash == b""
        for previous, entry in zip(rows, rows[1:], strict=False):
            assert entry.prev_hash == previous.hash
        assert (heads[chain].seq, heads[chain].hash) == (rows[-1].seq, rows[-1].hash)


TAMPERING = {
    # an edited entry no longer matches its own hash
    "edit": (
        "UPDATE audit_log SET after = jsonb_set(after, '{name}', '\"伪造\"') "
        "WHERE chain = :chain AND seq = 2",
        lambda n: {(2, "hash")},
    ),
    # an edited entry with its hash recomputed: the next entry no longer links to it
    "edit_and_rehash": (
        "UPDATE audit_log SET after = jsonb_set(after, '{name}', '\"伪造\"'), "
        "hash = sha256(prev_hash || convert_to(audit_entry_text(chain, seq, at, school_id, "
        "unit_id, actor_user_id, client_id, operation, object_type, object_id, before, "
        "jsonb_set(after, '{name}', '\"伪造\"')), 'UTF8')) WHERE chain = :chain AND seq = 2",
        lambda n: {(3, "link")},
    ),
    # the newest entry removed: the chain head still records it
    "delete_last": (
        "DELETE FROM audit_log WHERE chain = :chain AND seq = (SELECT max(seq) FROM audit_log "
        "WHERE chain = :chain)",
        lambda n: {(n, "head")},
    ),
    # an entry removed from the middle: a broken link and a gap in the numbering
    "delete_middle": (
        "DELETE FROM audit_log WHERE chain = :chain AND seq = 2",
        lambda n: {(3, "link")} | {(seq, "gap") for seq in range(3, n + 1)},
    ),
}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
async def test_tampering_is_detected(gql, world, owner_engine, kind) -> None:  # type: ignore[no-untyped-def]
    await _mutations_in_two_schools(gql, world)
    chain = world.units["A"]
    length = len(await _entries(owner_engine, "chain = :c", c=chain))
    assert length == 5
    statement, expected = TAMPERING[kind]
    async with owner_engine.connect() as conn:
        tx = await conn.begin()
        try:
            await conn.execute(sa.text(DISABLE))
            changed = await conn.execute(sa.text(statement), {"chain": chain})
            assert changed.rowcount == 1
            await conn.execute(sa.text(ENABLE))
            problems = await verify_chains(conn)
        finally:
            await tx.rollback()
    # Only the tampered chain is reported; school B's chain still verifies.
    assert {(c, seq, what) for c, seq, what in problems} == {
        (chain, seq, what) for seq, what in expected(length)
    }
    assert len(problems) == len(expected(length))
    assert await _verify(owner_engine) == []  # rolled back


# --- append-only -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET after = '{}'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_immutable",
    ],
)
async def test_the_service_role_cannot_change_the_audit_log(  # type: ignore[no-untyped-def]
    gql, world, owner_engine, platform, statement
) -> None:
    await _ok(gql, RENAME, {"id": world.gid("A1a"), "name": "新名"}, world.tokens["school_admin"])
    async with platform.engine.connect() as conn:
        assert await conn.scalar(sa.text("SELECT current_user")) == "partyplan_app"
        with pytest.raises(sa.exc.DBAPIError, match="permission denied|must be owner"):
            await conn.execute(sa.text(statement))
        await conn.rollback()
    [entry] = await _entries(owner_engine)
    assert entry.after["name"] == "新名"
    assert await _verify(owner_engine) == []


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET after = '{}'", "DELETE FROM audit_log"]
)
async def test_even_the_owner_is_refused_by_the_trigger(  # type: ignore[no-untyped-def]
    gql, world, owner_engine, statement
) -> None:
    await _ok(gql, RENAME, {"id": world.gid("A1a"), "name": "新名"}, world.tokens["school_admin"])
    async with owner_engine.connect() as conn:
        with pytest.raises(sa.exc.DBAPIError, match="audit_log is append-only"):
            await conn.execute(sa.text(statement))
        await conn.rollback()
    assert len(await _entries(owner_engine)) == 1
    assert await _verify(owner_engine) == []


# --- concurrency -------------------------------------------------------------------------------


async def test_concurrent_mutations_of_one_school_chain_without_gaps(  # type: ignore[no-untyped-def]
    gql, world, owner_engine
) -> None:
    admin = world.tokens["school_admin"]
    results = await asyncio.gather(
        *(
            gql(CREATE_UNIT, {"parent": world.gid("A1"), "name": f"并发支部{i}"}, admin)
            for i in range(20)
        )
    )
    for result in results:
        assert "errors" not in result, result
        assert result["data"]["createUnit"]["errors"] == [], result
    created = {raw_id(r["data"]["createUnit"]["unit"]["id"]) for r in results}
    assert len(created) == 20

    entries = await _entries(owner_engine)
    assert {e.chain for e in entries} == {world.units["A"]}
    assert [e.seq for e in entries] == list(range(1, 21))
    assert {e.object_id for e in entries} == created
    assert await _verify(owner_engine) == []


# --- partyplan audit verify --------------------------------------------------------------------


async def _seed_and_maybe_tamper(owner_url: str, tamper: bool) -> int:
    """Through a short-lived engine of its own (the test fixtures' engines live on another event
    loop): two schools with three entries each, appended by ``audit_append`` as the service does;
    or, with ``tamper``, one entry of school A edited. Returns school A's id."""
    engine = create_async_engine(async_url(owner_url))
    try:
        async with engine.begin() as conn:
            school_a = await conn.scalar(
                sa.text("SELECT id FROM units WHERE kind = 'school' ORDER BY id LIMIT 1")
            )
            if tamper:
                await conn.execute(sa.text(DISABLE))
                await conn.execute(
                    sa.text(
                        'UPDATE audit_log SET after = \'{"name": "伪造"}\' '
                        "WHERE chain = :c AND seq = 2"
                    ),
                    {"c": school_a},
                )
                await conn.execute(sa.text(ENABLE))
                return school_a
            root = await conn.scalar(
                sa.text(
                    "INSERT INTO units (kind, name, path) VALUES ('commission', '工委', '0') "
                    "RETURNING id"
                )
            )
            for name in ("校甲", "校乙"):
                school = await conn.scalar(
                    sa.text(
                        "INSERT INTO units (kind, name, parent_id, path) "
                        "VALUES ('school', :n, :p, '0') RETURNING id"
                    ),
                    {"n": name, "p": root},
                )
                for i in range(3):
                    await conn.execute(
                        sa.text(
                            "SELECT audit_append(:s, :s, NULL, 'cli-test', 'renameUnit', 'Unit', "
                            ":s, CAST(:before AS jsonb), CAST(:after AS jsonb))"
                        ),
                        {
                            "s": school,
                            "before": f'{{"name": "{i}"}}',
                            "after": f'{{"name": "{i + 1}"}}',
                        },
                    )
            return await conn.scalar(
                sa.text("SELECT id FROM units WHERE kind = 'school' ORDER BY id LIMIT 1")
            )
    finally:
        await engine.dispose()


def test_audit_verify_command(owner_url, owner_engine, monkeypatch, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A sync test: the command runs its own ``asyncio.run``, which cannot run inside the
    session's event loop. (``owner_engine`` is requested only so the tables are emptied after.)"""
    monkeypatch.setenv("PARTYPLAN_DATABASE_URL", owner_url)
    monkeypatch.setenv("PARTYPLAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PARTYPLAN_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/tmp")  # main() sets it otherwise, for good
    school_a = asyncio.run(_seed_and_maybe_tamper(owner_url, tamper=False))

    assert cli.main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.strip().splitlines() == ["audit log intact"]

    asyncio.run(_seed_and_maybe_tamper(owner_url, tamper=True))
    assert cli.main(["audit", "verify"]) == 1
    assert capsys.readouterr().out.strip().splitlines() == [
        f"chain {school_a} entry 2: hash does not verify",
        "1 problem(s) found",
    ]

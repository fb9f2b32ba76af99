"""A client, and the documents registered for it, move with their unit (``units/ties.py``)."""

from __future__ import annotations

import sqlalchemy as sa
from support import raw_id
from support_clients import front_end, registered

MOVE = """mutation($u: ID!, $to: ID!) { moveUnit(input: {unitId: $u, newParentId: $to})
  { unit { id } errors { code } } }"""
CLIENTS = "query($u: ID) { clients(under: $u) { edges { node { name } } } }"


async def test_a_units_clients_and_their_documents_follow_a_move(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    await registered(gql, world, front_end(world, "A1", name="院系前端"))
    moved = (await registered(gql, world, front_end(world, "A1a", name="支部前端")))["client"]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO trusted_documents (client_pk, document_id, document, unit_path)"
                " SELECT id, 'sha256:' || repeat('a', 64), '{ me { user { id } } }', unit_path"
                " FROM oauth_clients WHERE id = :c"
            ),
            {"c": raw_id(moved["id"])},
        )
    # The branch A1a leaves the committee A1 for the school itself.
    result = await gql(
        MOVE, {"u": world.gid("A1a"), "to": world.gid("A")}, world.tokens["school_admin"]
    )
    assert result["data"]["moveUnit"]["errors"] == [], result
    async with owner_engine.connect() as conn:
        stale = await conn.scalar(
            sa.text(
                "SELECT count(*) FROM oauth_clients c JOIN units u ON u.id = c.unit_id"
                " WHERE c.unit_path <> u.path"
            )
        )
        documents = await conn.scalar(
            sa.text(
                "SELECT count(*) FROM trusted_documents d JOIN oauth_clients c"
                " ON c.id = d.client_pk WHERE d.unit_path <> c.unit_path"
            )
        )
        depth = await conn.scalar(
            sa.text("SELECT nlevel(unit_path) FROM oauth_clients WHERE id = :c"),
            {"c": raw_id(moved["id"])},
        )
    assert (stale, documents, depth) == (0, 0, 3)
    admin = world.tokens["commission_admin"]
    for under, names in (("A1", ["院系前端"]), ("A", ["院系前端", "支部前端"])):
        listed = await gql(CLIENTS, {"u": world.gid(under)}, admin)
        assert [e["node"]["name"] for e in listed["data"]["clients"]["edges"]] == names

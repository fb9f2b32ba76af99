"""Reading clients: as a node and as a keyset-paginated connection, within the units where the
caller holds ``client.manage``; another commission's client is NOT_FOUND."""

from __future__ import annotations

import sqlalchemy as sa
from support import codes
from support_clients import CLIENT_FIELDS, front_end, registered, service

NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on OAuthClient {{ {CLIENT_FIELDS} }} }} }}"
CLIENTS = """query($under: ID, $first: Int, $after: String) {
  clients(under: $under, first: $first, after: $after) {
    edges { cursor node { name unit { name } serviceAccount { username kind } } }
    pageInfo { hasNextPage endCursor } } }"""


async def test_a_client_reads_as_a_node(gql, world) -> None:  # type: ignore[no-untyped-def]
    registration = await registered(gql, world, service(world))
    result = await gql(NODE, {"id": registration["client"]["id"]}, world.tokens["commission_admin"])
    assert "errors" not in result, result
    assert result["data"]["node"] == registration["client"]


async def test_a_node_is_refused_outside_scope_or_without_client_manage(gql, world) -> None:  # type: ignore[no-untyped-def]
    client = (await registered(gql, world, front_end(world, "A")))["client"]
    for account, code in (
        ("other_school_admin", "NOT_FOUND"),
        ("other_commission_admin", "NOT_FOUND"),
        ("school_admin", "FORBIDDEN"),  # its school, but client.manage is the commission's
    ):
        assert codes(await gql(NODE, {"id": client["id"]}, world.tokens[account])) == [code]


async def _names(gql, world, **variables) -> list[str]:  # type: ignore[no-untyped-def]
    result = await gql(CLIENTS, variables, world.tokens["commission_admin"])
    assert "errors" not in result, result
    return [edge["node"]["name"] for edge in result["data"]["clients"]["edges"]]


async def test_the_connection_pages_in_registration_order(gql, world) -> None:  # type: ignore[no-untyped-def]
    for i, unit in enumerate(("commission", "A", "A1", "B", "A2")):
        await registered(gql, world, front_end(world, unit, name=f"前端 {i}"))
    await registered(gql, world, service(world, "B", name="乙校同步"))
    admin = world.tokens["commission_admin"]
    names, after = [], None
    while True:
        page = await gql(CLIENTS, {"first": 2, "after": after}, admin)
        connection = page["data"]["clients"]
        assert len(connection["edges"]) <= 2
        names += [edge["node"]["name"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert names == ["前端 0", "前端 1", "前端 2", "前端 3", "前端 4", "乙校同步"]
    assert await _names(gql, world, under=world.gid("A")) == ["前端 1", "前端 2", "前端 4"]
    assert await _names(gql, world, under=world.gid("B")) == ["前端 3", "乙校同步"]
    last = (await gql(CLIENTS, {"under": world.gid("B")}, admin))["data"]["clients"]["edges"][-1]
    assert last["node"]["serviceAccount"]["kind"] == "SERVICE"
    assert last["node"]["unit"] == {"name": "学校乙党委"}


async def test_another_commission_sees_none_of_them(gql, world) -> None:  # type: ignore[no-untyped-def]
    await registered(gql, world, front_end(world))
    other = world.tokens["other_commission_admin"]
    result = await gql(CLIENTS, {}, other)
    assert result["data"]["clients"]["edges"] == []
    assert codes(await gql(CLIENTS, {"under": world.gid("commission")}, other)) == ["NOT_FOUND"]
    assert codes(await gql(CLIENTS, {}, world.tokens["school_admin"])) == ["FORBIDDEN"]


async def test_the_service_accounts_of_a_page_load_in_one_statement(gql, world, platform) -> None:  # type: ignore[no-untyped-def]
    for unit in ("A", "B", "commission"):
        await registered(gql, world, service(world, unit, name=f"同步 {unit}"))
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if "FROM users" in statement:
            statements.append(statement)

    engine = platform.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        result = await gql(CLIENTS, {}, world.tokens["commission_admin"])
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    accounts = [e["node"]["serviceAccount"]["username"] for e in result["data"]["clients"]["edges"]]
    assert len(accounts) == 3 and all(a.startswith("svc.pp-") for a in accounts)
    assert len([s for s in statements if "app_bind_principal" not in s]) == 1

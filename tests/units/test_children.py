"""Unit.children: a page of the units directly below a unit, scoped like ``units(under:)``,
batched across units (no statement per unit)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from support import codes

CHILDREN = """query($id: ID!, $first: Int, $after: String, $last: Int, $before: String,
                    $inactive: Boolean! = false) {
  unit(id: $id) {
    parent { id }
    children(first: $first, after: $after, last: $last, before: $before,
             includeInactive: $inactive) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { node { name kind } }
    }
  }
}"""
TREE = """query($first: Int) {
  units(first: $first, kind: COMMITTEE) {
    edges { node {
      children(first: 2) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage }
        edges { node { id } }
      }
      later: children(last: 1) { totalCount edges { node { id } } }
    } }
  }
}"""


def _names(result: dict[str, Any]) -> list[str]:
    assert "errors" not in result, result
    return [e["node"]["name"] for e in result["data"]["unit"]["children"]["edges"]]


async def test_children_in_id_order_both_ways(gql, world) -> None:  # type: ignore[no-untyped-def]
    token = world.tokens["school_admin"]
    assert _names(await gql(CHILDREN, {"id": world.gid("A")}, token)) == [
        "甲院党委",
        "甲校机关党支部",
    ]
    last = await gql(CHILDREN, {"id": world.gid("A1"), "last": 1}, token)
    assert _names(last) == ["甲院第二党支部"]
    connection = last["data"]["unit"]["children"]
    assert connection["totalCount"] == 2
    assert connection["pageInfo"]["hasPreviousPage"] is True
    assert connection["pageInfo"]["hasNextPage"] is False
    before = connection["pageInfo"]["startCursor"]
    earlier = await gql(CHILDREN, {"id": world.gid("A1"), "last": 5, "before": before}, token)
    assert _names(earlier) == ["甲院第一党支部"]
    assert earlier["data"]["unit"]["children"]["pageInfo"]["hasNextPage"] is True
    after = await gql(CHILDREN, {"id": world.gid("A1"), "first": 5, "after": before}, token)
    assert _names(after) == []
    assert after["data"]["unit"]["children"]["pageInfo"]["hasPreviousPage"] is True
    leaf = await gql(CHILDREN, {"id": world.gid("A1a")}, token)
    assert _names(leaf) == [] and leaf["data"]["unit"]["children"]["totalCount"] == 0


async def test_inactive_children_only_when_asked(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE units SET active = false WHERE id = :id"), {"id": world.units["A1a"]}
        )
    token = world.tokens["unit_admin"]
    assert _names(await gql(CHILDREN, {"id": world.gid("A1")}, token)) == ["甲院第二党支部"]
    shown = await gql(CHILDREN, {"id": world.gid("A1"), "inactive": True}, token)
    assert _names(shown) == ["甲院第一党支部", "甲院第二党支部"]
    assert shown["data"]["unit"]["children"]["totalCount"] == 2


async def test_children_respect_scope(gql, world) -> None:  # type: ignore[no-untyped-def]
    secretary = world.tokens["branch_secretary"]
    own = await gql(CHILDREN, {"id": world.gid("A1a")}, secretary)
    # Above the secretary's branch nothing is shown: no parent, so no sibling branches.
    assert own["data"]["unit"]["parent"] is None and _names(own) == []
    assert codes(await gql(CHILDREN, {"id": world.gid("A1")}, secretary)) == ["NOT_FOUND"]
    other = world.tokens["other_school_admin"]
    assert codes(await gql(CHILDREN, {"id": world.gid("A")}, other)) == ["NOT_FOUND"]
    assert codes(await gql(CHILDREN, {"id": world.gid("A1")}, world.tokens["nobody"])) == [
        "NOT_FOUND"
    ]
    assert codes(await gql(CHILDREN, {"id": world.gid("A")})) == ["UNAUTHENTICATED"]
    # The commission's admin sees every school below it; a school's admin not the commission.
    commission = await gql(
        CHILDREN, {"id": world.gid("commission")}, world.tokens["commission_admin"]
    )
    assert _names(commission) == ["学校甲党委", "学校乙党委"]
    assert codes(await gql(CHILDREN, {"id": world.gid("commission")}, other)) == ["NOT_FOUND"]


async def test_children_of_many_units_cost_a_fixed_number_of_statements(  # type: ignore[no-untyped-def]
    gql, world, platform, owner_engine
) -> None:
    async with owner_engine.begin() as conn:
        for i in range(12):
            committee = await conn.scalar(
                sa.text(
                    "INSERT INTO units (kind, name, parent_id, path) "
                    "VALUES ('committee', :n, :p, '0') RETURNING id"
                ),
                {"n": f"学院{i:02d}", "p": world.units["A"]},
            )
            for j in range(i % 4):
                await conn.execute(
                    sa.text(
                        "INSERT INTO units (kind, name, parent_id, path) "
                        "VALUES ('branch', :n, :p, '0')"
                    ),
                    {"n": f"学院{i:02d}支部{j}", "p": committee},
                )
    token = world.tokens["school_admin"]
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = platform.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        runs, results = [], []
        for first in (2, 13):
            statements.clear()
            results.append(await gql(TREE, {"first": first}, token))
            runs.append(len(statements))
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert runs[0] == runs[1], runs
    edges = results[1]["data"]["units"]["edges"]
    assert len(edges) == 13
    for edge in edges[1:]:  # the world's A1, then 学院00..学院11 with i % 4 branches each
        children, later = edge["node"]["children"], edge["node"]["later"]
        total = children["totalCount"]
        assert total == later["totalCount"] and len(children["edges"]) == min(total, 2)
        assert children["pageInfo"]["hasNextPage"] is (total > 2)
        assert children["pageInfo"]["hasPreviousPage"] is False
        assert len(later["edges"]) == min(total, 1)
        if total:
            assert later["edges"][0] not in children["edges"] or total <= 2

"""Scoped like every list: the changes under the units where the caller reads recruits, never
another school's; a commission's administrators see all their schools'."""

from __future__ import annotations

import support_recruits as recruits_api
from support import id_number
from support_feed import drain, refused


async def _two_schools(gql, world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    ids = {}
    for key, account, branch, n in (
        ("A1a", "branch_secretary", "A1a", 21),
        ("A2", "school_admin", "A2", 22),
        ("B1", "other_school_admin", "B1", 23),
    ):
        created = await recruits_api.create(
            gql, world, account=account, branch=branch, idNumber=id_number("20030504", n)
        )
        ids[key] = created["recruit"]["id"]
    return ids


def _recruits(changes: list[tuple[str, str, str]]) -> set[str]:
    return {object_id for kind, object_id, _ in changes if kind == "RECRUIT"}


async def test_each_caller_sees_its_own_units(gql, world) -> None:  # type: ignore[no-untyped-def]
    ids = await _two_schools(gql, world)
    seen = {
        account: _recruits((await drain(gql, world.tokens[account])).changes)
        for account in (
            "commission_admin",
            "school_admin",
            "viewer",
            "sync_agent",
            "branch_secretary",
            "other_school_admin",
            "other_commission_admin",
        )
    }
    assert seen["commission_admin"] == set(ids.values())
    assert seen["school_admin"] == seen["viewer"] == seen["sync_agent"] == {ids["A1a"], ids["A2"]}
    assert seen["branch_secretary"] == {ids["A1a"]}
    assert seen["other_school_admin"] == {ids["B1"]}
    assert seen["other_commission_admin"] == set()


async def test_another_schools_members_never_appear(gql, world) -> None:  # type: ignore[no-untyped-def]
    """The world's roster holds members at A1a and B1: school A's job sees only A's."""
    pulled = await drain(gql, world.tokens["school_admin"], kinds=["MEMBER"])
    other = await drain(gql, world.tokens["other_school_admin"], kinds=["MEMBER"])
    assert len(pulled.changes) == len(other.changes) == 5
    assert not set(pulled.changes) & set(other.changes)
    everyone = await drain(gql, world.tokens["commission_admin"], kinds=["MEMBER"])
    assert set(everyone.changes) == set(pulled.changes) | set(other.changes)


async def test_a_cursor_carries_no_access(gql, world) -> None:  # type: ignore[no-untyped-def]
    """Another school's cursor only says where the feed stands: school B reading from a cursor
    school A was given still sees only B's changes."""
    start = (await drain(gql, world.tokens["school_admin"])).cursor
    ids = await _two_schools(gql, world)
    from_a = await drain(gql, world.tokens["other_school_admin"], start)
    assert _recruits(from_a.changes) == {ids["B1"]}


async def test_no_token_and_no_role(gql, world) -> None:  # type: ignore[no-untyped-def]
    assert await refused(gql, None) == ["UNAUTHENTICATED"]
    assert await refused(gql, world.tokens["nobody"]) == ["FORBIDDEN"]

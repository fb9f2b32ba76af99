"""Checks of the drawn targets: findings, follow-up, and who sees which."""

from __future__ import annotations

from typing import Any

from support import codes, scalar
from support_spotchecks import CLOSE, FINDING, FOLLOW_UP, commit, draw, records_of


async def drawn(gql, world, targets) -> tuple[str, dict[str, list[dict[str, Any]]]]:  # type: ignore[no-untyped-def]
    await targets.add("A1a", 2)
    await targets.add("B1", 2)
    check = (await commit(gql, world, perSchool=1))["spotCheck"]
    await draw(gql, world, check["id"])
    return check["id"], {
        account: await records_of(gql, world, account, check["id"])
        for account in ("commission_admin", "school_admin", "other_school_admin")
    }


async def mutate(gql, world, document: str, account: str, **values: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = await gql(document, {"input": values}, world.tokens[account])
    assert "errors" not in result, result
    return next(iter(result["data"].values()))


async def test_schools_see_checks_on_their_own_recruits_only(gql, world, targets) -> None:  # type: ignore[no-untyped-def]
    check, seen = await drawn(gql, world, targets)
    everyone, mine, theirs = (
        seen["commission_admin"],
        seen["school_admin"],
        seen["other_school_admin"],
    )
    assert len(everyone) == 2 and len(mine) == 1 and len(theirs) == 1
    assert {r["schoolId"] for r in mine} == {world.gid("A")}
    assert {r["schoolId"] for r in theirs} == {world.gid("B")}
    # Another school's record by id: NOT_FOUND, to read it and to act on it.
    other = theirs[0]["id"]
    node = await gql(
        "query($id: ID!) { node(id: $id) { id } }", {"id": other}, world.tokens["school_admin"]
    )
    assert codes(node) == ["NOT_FOUND"]
    follow = await gql(
        FOLLOW_UP, {"input": {"recordId": other, "note": "x"}}, world.tokens["school_admin"]
    )
    assert codes(follow) == ["NOT_FOUND"]
    # The school sees the commitment and the seed, and its own candidates only.
    listed = await gql(
        "query($id: ID!) { node(id: $id) { ... on SpotCheck { seed candidateCount"
        " candidates { totalCount edges { node { schoolId } } } } } }",
        {"id": check},
        world.tokens["school_admin"],
    )
    spot = listed["data"]["node"]
    assert spot["seed"] is not None and spot["candidateCount"] == 4
    assert spot["candidates"]["totalCount"] == 2
    assert {e["node"]["schoolId"] for e in spot["candidates"]["edges"]} == {world.gid("A")}
    # A school of another commission does not see the check at all.
    foreign = await gql(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": check},
        world.tokens["other_commission_admin"],
    )
    assert codes(foreign) == ["NOT_FOUND"]
    under = await gql(
        "query($u: ID!) { spotCheckRecords(under: $u) { totalCount } }",
        {"u": world.gid("B")},
        world.tokens["school_admin"],
    )
    assert codes(under) == ["NOT_FOUND"]


async def test_an_issue_is_followed_up_and_closed(gql, world, targets, owner_engine) -> None:  # type: ignore[no-untyped-def]
    _, seen = await drawn(gql, world, targets)
    record = seen["school_admin"][0]["id"]
    early = await mutate(gql, world, CLOSE, "commission_admin", recordId=record)
    assert [(e["code"], e["field"]) for e in early["errors"]] == [("WRONG_STATE", "recordId")]
    unknown = await mutate(
        gql,
        world,
        FINDING,
        "commission_admin",
        recordId=record,
        finding="ISSUE",
        step="POLITICAL_REVIEW",
        ruleId="no.such.rule",
        note="x",
    )
    assert [(e["code"], e["field"]) for e in unknown["errors"]] == [("INVALID_FINDING", "ruleId")]
    no_step = await mutate(
        gql,
        world,
        FINDING,
        "commission_admin",
        recordId=record,
        finding="ISSUE",
        ruleId="review.valid_1y",
        note="x",
    )
    assert [(e["code"], e["field"]) for e in no_step["errors"]] == [("INVALID_FINDING", "step")]
    by_school = await gql(
        FINDING,
        {"input": {"recordId": record, "finding": "NO_ISSUE"}},
        world.tokens["school_admin"],
    )
    assert codes(by_school) == ["FORBIDDEN"]

    found = await mutate(
        gql,
        world,
        FINDING,
        "commission_admin",
        recordId=record,
        finding="ISSUE",
        step="POLITICAL_REVIEW",
        ruleId="review.valid_1y",
        note="政治审查结论已超过一年有效期",
    )
    assert found["errors"] == []
    assert found["record"]["finding"] == "ISSUE" and found["record"]["followUp"] == "OPEN"
    assert found["record"]["step"] == "political_review"
    assert found["record"]["article"] == "细则第十六条；各地发展党员规程"

    followed = await mutate(
        gql, world, FOLLOW_UP, "school_admin", recordId=record, note="已重新开展政治审查"
    )
    assert followed["errors"] == [] and followed["record"]["followUp"] == "FOLLOWED_UP"
    assert followed["record"]["followUpNote"] == "已重新开展政治审查"
    # Once followed up the finding stands.
    late = await mutate(
        gql, world, FINDING, "commission_admin", recordId=record, finding="NO_ISSUE"
    )
    assert [e["code"] for e in late["errors"]] == ["WRONG_STATE"]
    closed = await mutate(gql, world, CLOSE, "commission_admin", recordId=record, note="同意销号")
    assert closed["errors"] == [] and closed["record"]["followUp"] == "CLOSED"
    again = await mutate(gql, world, FOLLOW_UP, "school_admin", recordId=record, note="x")
    assert [e["code"] for e in again["errors"]] == ["WRONG_STATE"]
    trail = await scalar(
        owner_engine,
        "SELECT string_agg(operation || ':' || (after->>'follow_up'), ',' ORDER BY id)"
        " FROM audit_log WHERE object_type = 'SpotCheckRecord'",
    )
    assert (
        trail == "recordSpotCheckFinding:open,followUpSpotCheck:followed_up,closeSpotCheck:closed"
    )
    open_list = await gql(
        "query { spotCheckRecords(followUp: CLOSED) { totalCount } }",
        {},
        world.tokens["school_admin"],
    )
    assert open_list["data"]["spotCheckRecords"]["totalCount"] == 1


async def test_no_issue_needs_no_follow_up(gql, world, targets) -> None:  # type: ignore[no-untyped-def]
    _, seen = await drawn(gql, world, targets)
    record = seen["other_school_admin"][0]["id"]
    fine = await mutate(
        gql, world, FINDING, "commission_admin", recordId=record, finding="NO_ISSUE"
    )
    assert fine["errors"] == []
    assert fine["record"]["finding"] == "NO_ISSUE" and fine["record"]["followUp"] == "NONE"
    nothing = await mutate(gql, world, FOLLOW_UP, "other_school_admin", recordId=record, note="x")
    assert [e["code"] for e in nothing["errors"]] == ["WRONG_STATE"]
    pending = await mutate(
        gql, world, FINDING, "commission_admin", recordId=record, finding="PENDING"
    )
    assert [(e["code"], e["field"]) for e in pending["errors"]] == [("INVALID_FINDING", "finding")]


async def test_a_unit_move_carries_the_checks_along(gql, world, targets, owner_engine) -> None:  # type: ignore[no-untyped-def]
    """The candidates' and records' path copies follow a move (the frozen list allows it)."""
    await targets.add("A1b", 1)
    check = (await commit(gql, world, perSchool=1))["spotCheck"]
    await draw(gql, world, check["id"])
    assert len(await records_of(gql, world, "unit_admin", check["id"])) == 1  # A1 sees A1b's
    moved = await gql(
        "mutation($id: ID!, $to: ID!) { moveUnit(input: {unitId: $id, newParentId: $to})"
        " { unit { id } errors { code } } }",
        {"id": world.gid("A1b"), "to": world.gid("A")},
        world.tokens["school_admin"],
    )
    assert moved["data"]["moveUnit"]["errors"] == [], moved
    assert await records_of(gql, world, "unit_admin", check["id"]) == []
    assert len(await records_of(gql, world, "school_admin", check["id"])) == 1
    stale = await scalar(
        owner_engine,
        "SELECT count(*) FROM spot_check_candidates c JOIN units u ON u.id = c.branch_id"
        " WHERE c.unit_path <> u.path",
    )
    assert stale == 0

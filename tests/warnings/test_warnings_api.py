"""Warnings through the API: seen up the tree and nowhere else, filtered, acknowledged once;
the commission's rules are data that change what the next scan raises."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from support import codes
from support_inputs import unresolved

from partyplan.resolvers.rollups.repository import drift
from partyplan.resolvers.warnings.rules.kinds import WarningKind

LIST = """query($u: ID, $k: WarningKind, $s: WarningStatus) {
  warnings(under: $u, kind: $k, status: $s) { edges { node { id kind status unitName message
  evidence recruitId periodId unit { name } } } } }"""
ACK = """mutation($w: ID!, $n: String) { acknowledgeWarning(input: {warningId: $w, note: $n})
  { warning { status acknowledgement acknowledgedAt } errors { code field } } }"""
SET = """mutation($c: ID!, $k: WarningKind!, $p: JSON, $e: Boolean! = true) {
  setWarningRule(input: {commissionId: $c, kind: $k, params: $p, enabled: $e})
  { rule { kind enabled params } errors { code field message } } }"""
RULES = "query($c: ID!) { warningRules(commissionId: $c) { kind enabled params defaults } }"


async def _listed(gql, world, account: str, **variables) -> list[dict]:  # type: ignore[no-untyped-def]
    result = await gql(LIST, variables, world.tokens[account])
    assert "errors" not in result, result
    return [e["node"] for e in result["data"]["warnings"]["edges"]]


async def test_warnings_are_seen_up_the_tree_only(gql, world, records) -> None:  # type: ignore[no-untyped-def]
    await records.recruit("A1a", phone=False)
    await records.recruit("B1", phone=False)
    await records.scan(date(2024, 7, 1))
    for account in ("branch_secretary", "unit_admin", "school_admin", "viewer"):
        seen = await _listed(gql, world, account)
        assert [(w["kind"], w["unitName"]) for w in seen] == [("MISSING_DATA", "甲院第一党支部")]
    everything = await _listed(gql, world, "commission_admin", k="MISSING_DATA")
    assert {w["unit"]["name"] for w in everything} == {"甲院第一党支部", "乙校第一党支部"}
    assert await _listed(gql, world, "other_commission_admin") == []
    assert await _listed(gql, world, "school_admin", u=world.gid("A2")) == []
    hidden = await gql(LIST, {"u": world.gid("B")}, world.tokens["school_admin"])
    assert codes(hidden) == ["NOT_FOUND"]
    [warning] = await _listed(gql, world, "school_admin")
    assert warning["evidence"] == {"missing": ["手机号码"]} and warning["recruitId"]


async def test_a_warning_is_acknowledged_once_and_resolved_by_the_scan(gql, world, records) -> None:  # type: ignore[no-untyped-def]
    recruit = await records.recruit("A1a", phone=False)
    await records.scan(date(2024, 7, 1))
    [warning] = await _listed(gql, world, "unit_admin")
    done = await gql(ACK, {"w": warning["id"], "n": " 已通知支部补录 "}, world.tokens["unit_admin"])
    assert done["data"]["acknowledgeWarning"]["warning"]["status"] == "ACKNOWLEDGED"
    assert done["data"]["acknowledgeWarning"]["warning"]["acknowledgement"] == "已通知支部补录"
    again = await gql(ACK, {"w": warning["id"]}, world.tokens["school_admin"])
    assert [e["code"] for e in again["data"]["acknowledgeWarning"]["errors"]] == [
        "ALREADY_ACKNOWLEDGED"
    ]
    assert [w["id"] for w in await _listed(gql, world, "school_admin", s="ACKNOWLEDGED")] == [
        warning["id"]
    ]
    await records.sql("UPDATE recruits SET phone_enc = '\\x01' WHERE id = :r", r=recruit)
    await records.scan(date(2024, 7, 2))
    [resolved] = await _listed(gql, world, "school_admin", s="RESOLVED")
    late = await gql(ACK, {"w": resolved["id"]}, world.tokens["school_admin"])
    assert [e["code"] for e in late["data"]["acknowledgeWarning"]["errors"]] == ["ALREADY_RESOLVED"]


async def test_the_commission_edits_thresholds_and_the_next_scan_follows(
    gql, world, records
) -> None:  # type: ignore[no-untyped-def]
    period = await records.period(date(2024, 1, 1), date(2024, 12, 31))
    await records.quota(period, "A", 10)
    await records.admitted(3, date(2024, 5, 20))
    await records.scan(date(2024, 7, 5))
    assert len(await _listed(gql, world, "school_admin", k="SLOW_PROGRESS")) == 1
    admin = world.tokens["commission_admin"]
    changed = await gql(
        SET, {"c": world.gid("commission"), "k": "SLOW_PROGRESS", "p": {"tolerance": 0.5}}, admin
    )
    assert changed["data"]["setWarningRule"]["rule"]["params"] == {"tolerance": 0.5, "pace": None}
    await records.scan(date(2024, 7, 5))
    assert await _listed(gql, world, "school_admin", k="SLOW_PROGRESS", s="OPEN") == []
    rules = await gql(RULES, {"c": world.gid("commission")}, world.tokens["viewer"])
    by_kind = {r["kind"]: r for r in rules["data"]["warningRules"]}
    assert set(by_kind) == {k.name for k in WarningKind}  # every kind, each once
    assert by_kind["SLOW_PROGRESS"]["params"]["tolerance"] == 0.5
    assert by_kind["SLOW_PROGRESS"]["defaults"]["tolerance"] == 0.8
    assert by_kind["MISSING_DATA"]["params"]["requirements"][0] == {
        "stage": "applicant",
        "item": "name",
        "grace_days": 0,
    }


async def test_bad_rule_parameters_are_refused_naming_the_field(gql, world) -> None:  # type: ignore[no-untyped-def]
    admin = world.tokens["commission_admin"]
    # Each names the parameter by its path in the input, keys as the params object spells them.
    cases = [
        ("RUSHED", {"max_share": 2}, "params.max_share"),
        ("RUSHED", {"weeks": 4}, "params.weeks"),
        ("LONG_TERM_NONE", {"years": 2.5}, "params.years"),
        ("SLOW_PROGRESS", {"pace": [0.5, 0.2]}, "params.pace"),
        (
            "MISSING_DATA",
            {"requirements": [{"stage": "applicant", "item": "name"}, {"item": "shoe_size"}]},
            "params.requirements.1",
        ),
    ]
    for kind, params, field in cases:
        result = await gql(SET, {"c": world.gid("commission"), "k": kind, "p": params}, admin)
        errors = result["data"]["setWarningRule"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID_RULE", field)], (
            kind,
            errors,
        )
        sent = {"commissionId": world.gid("commission"), "kind": kind, "params": params}
        assert unresolved("setWarningRule", field, sent) is None
    school = await gql(SET, {"c": world.gid("A"), "k": "RUSHED", "p": {}}, admin)
    assert [e["code"] for e in school["data"]["setWarningRule"]["errors"]] == ["NOT_A_COMMISSION"]


async def test_a_moved_branch_carries_its_warnings_and_tallies(
    gql, world, records, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    period = await records.period(date(2024, 1, 1), date(2024, 12, 31))
    await records.recruit("A1a", phone=False)
    await records.admitted(2, date(2024, 5, 1))
    await records.scan(date(2024, 7, 1))
    moved = await gql(
        "mutation($id: ID!, $to: ID!) { moveUnit(input: {unitId: $id, newParentId: $to})"
        " { errors { code } } }",
        {"id": world.gid("A1a"), "to": world.gid("A")},
        world.tokens["school_admin"],
    )
    assert moved["data"]["moveUnit"]["errors"] == []
    assert await _listed(gql, world, "unit_admin") == []  # A1 no longer holds the branch
    assert [w["unitName"] for w in await _listed(gql, world, "school_admin", k="MISSING_DATA")] == [
        "甲院第一党支部",
        "甲院第一党支部",
        "甲院第一党支部",
    ]
    stale = await records.sql(
        "SELECT count(*) FROM warnings w JOIN units u ON u.id = w.unit_id WHERE w.unit_path <> u.path"
    )
    assert stale == 0
    async with owner_engine.connect() as conn:
        assert await drift(conn, period, str(world.units["commission"])) == []
        a1 = await conn.scalar(
            sa.text("SELECT admitted FROM unit_tallies WHERE period_id = :p AND unit_id = :u"),
            {"p": period, "u": world.units["A1"]},
        )
    assert a1 == 0

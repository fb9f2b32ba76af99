"""Access-matrix rows of the spot checks and of the allocation quality
(tests/security/test_access_matrix.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from support_matrix import Case
from support_records import Records
from support_spotchecks import SEED, sha256_hex

FIELDS = {
    "spotChecks",
    "spotCheckRecords",
    "commitSpotCheck",
    "drawSpotCheck",
    "recordSpotCheckFinding",
    "followUpSpotCheck",
    "closeSpotCheck",
}
_RECORDED = {"recordSpotCheckFinding", "followUpSpotCheck", "closeSpotCheck", "spotCheckRecords"}

CASES: dict[str, Case] = {
    "spotChecks": Case(
        "query($c: ID!) { spotChecks(commissionId: $c) { edges { node { seedSha256 } } } }",
        lambda w, c: {"c": w.gid("commission")},
        "viewer",
        ("nobody", "NOT_FOUND"),
        "other_commission_admin",
        "commission-wide data, seen down the tree; every role reads recruits",
    ),
    "spotCheckRecords": Case(
        "query($u: ID) { spotCheckRecords(under: $u) { edges { node { name } } } }",
        lambda w, c: {"u": w.gid("A")},
        "school_admin",
        ("nobody", "NOT_FOUND"),
        "other_school_admin",
        "every role reads recruits; an account without any role reaches nothing",
    ),
    "commitSpotCheck": Case(
        "mutation($c: ID!, $h: String!) { commitSpotCheck(input: {commissionId: $c,"
        ' name: "抽查", seedSha256: $h, perSchool: 1}) { spotCheck { id } errors { code } } }',
        lambda w, c: {"c": w.gid("commission"), "h": sha256_hex(SEED)},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_commission_admin",
    ),
    "drawSpotCheck": Case(
        "mutation($s: ID!, $seed: String!) { drawSpotCheck(input: {spotCheckId: $s,"
        " seed: $seed}) { spotCheck { seed } errors { code } } }",
        lambda w, c: {"s": c["spot_check"], "seed": SEED},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_commission_admin",
    ),
    "recordSpotCheckFinding": Case(
        "mutation($r: ID!) { recordSpotCheckFinding(input: {recordId: $r, finding: NO_ISSUE})"
        " { record { finding } errors { code } } }",
        lambda w, c: {"r": c["spot_check_record"]},
        "commission_admin",
        ("school_admin", "FORBIDDEN"),
        "other_school_admin",
        "the commission's finding; a school reaches its own record but may not judge it",
    ),
    "followUpSpotCheck": Case(
        'mutation($r: ID!) { followUpSpotCheck(input: {recordId: $r, note: "已整改"})'
        " { record { followUp } errors { code } } }",
        lambda w, c: {"r": c["spot_check_record"]},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "closeSpotCheck": Case(
        "mutation($r: ID!) { closeSpotCheck(input: {recordId: $r}) { record { followUp }"
        " errors { code } } }",
        lambda w, c: {"r": c["spot_check_record"]},
        "commission_admin",
        ("school_admin", "FORBIDDEN"),
        "other_school_admin",
    ),
    "allocationQualities": Case(
        "query($p: ID!, $u: ID) { allocationQualities(periodId: $p, under: $u)"
        " { edges { node { unitName score equalSplit flatRatio } } } }",
        lambda w, c: {"p": c["period"], "u": w.gid("A")},
        "school_admin",
        ("sync_agent", "FORBIDDEN"),
        "other_school_admin",
    ),
    "allocationQualityRule": Case(
        "query($c: ID!) { allocationQualityRule(commissionId: $c) { params defaults } }",
        lambda w, c: {"c": w.gid("commission")},
        "viewer",
        ("sync_agent", "FORBIDDEN"),
        "other_commission_admin",
        "commission-wide data, seen down the tree",
    ),
    "setAllocationQualityRule": Case(
        "mutation($c: ID!) { setAllocationQualityRule(input: {commissionId: $c,"
        " params: {pipeline_fit: 0.8}}) { rule { params } errors { code } } }",
        lambda w, c: {"c": w.gid("commission")},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_commission_admin",
    ),
}


async def _run(gql: Any, world: Any, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    result = await gql(document, variables, world.tokens["commission_admin"])
    assert "errors" not in result, result
    payload = next(iter(result["data"].values()))
    assert not payload["errors"], payload
    return payload


async def prepare(gql: Any, world: Any, owner_engine: Any, field: str | None, ids: dict) -> dict:  # type: ignore[type-arg]
    """A development target at A1a, a committed check; drawn, with an issue found and
    followed up, as far as the field needs."""
    if field not in FIELDS:
        return {}
    records = Records(owner_engine, world)
    await records.recruit(
        "A1a", stage="development_target", activist_on=date(2023, 1, 1), target_on=date(2024, 3, 1)
    )
    committed = await _run(
        gql,
        world,
        CASES["commitSpotCheck"].document,
        CASES["commitSpotCheck"].variables(world, ids),
    )
    check = committed["spotCheck"]["id"]
    added = {"spot_check": check, "spot_check_record": ""}
    if field not in _RECORDED:
        return added
    await _run(gql, world, CASES["drawSpotCheck"].document, {"s": check, "seed": SEED})
    listed = await gql(
        "query($s: ID!) { spotCheckRecords(spotCheckId: $s) { edges { node { id } } } }",
        {"s": check},
        world.tokens["commission_admin"],
    )
    record = listed["data"]["spotCheckRecords"]["edges"][0]["node"]["id"]
    added["spot_check_record"] = record
    if field in ("followUpSpotCheck", "closeSpotCheck"):
        await _run(
            gql,
            world,
            "mutation($r: ID!) { recordSpotCheckFinding(input: {recordId: $r, finding: ISSUE,"
            ' step: "TRAINING", ruleId: "review.valid_1y", note: "培训学时不足"})'
            " { errors { code } } }",
            {"r": record},
        )
    if field == "closeSpotCheck":
        await _run(
            gql,
            world,
            'mutation($r: ID!) { followUpSpotCheck(input: {recordId: $r, note: "已补训"})'
            " { errors { code } } }",
            {"r": record},
        )
    return added

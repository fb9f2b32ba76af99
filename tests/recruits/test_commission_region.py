"""setCommissionRegion: a commission installed without a region gets the national rules alone;
once its region is set, its province's overlays apply, to the recruits already recorded too."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from support import codes, id_number, scalar
from support_inputs import unresolved
from support_recruits import WALK, create, person, step

SET_REGION = """mutation($c: ID!, $r: String!) {
  setCommissionRegion(input: {commissionId: $c, regionCode: $r}) {
    commission { id regionCode } rederivedRecruits errors { code field message } } }"""
IMPORT = """mutation($input: ImportRecruitsInput!) { importRecruits(input: $input) {
  recruits { id } errors { index code field message } } }"""
RECRUIT = """query($r: ID!) { node(id: $r) { ... on Recruit {
  openFindings findings { ruleId } steps { step ruleVersion } } } }"""
TRANSFER = """mutation($r: ID!, $b: ID!) { transferRecruit(input: {recruitId: $r, toBranchId: $b,
  reason: "调整支部"}) { errors { code } } }"""
ASSIGNMENT = [w[0] for w in WALK].index("assignment")
#: The Shanxi overlay built in (晋教工委组〔2023〕23号): the oath within a month of approval.
SHANXI_OATH = "sx2023.oath.within_1m"


async def set_region(gql, world, code: str, account: str = "commission_admin", unit="commission"):  # type: ignore[no-untyped-def]
    return await gql(SET_REGION, {"c": world.gid(unit), "r": code}, world.tokens[account])


async def without_region(owner_engine, world) -> None:  # type: ignore[no-untyped-def]
    """The world's first commission as `init` made it before it took a region."""
    async with owner_engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE units SET region_code = NULL WHERE path <@ CAST(:p AS ltree)"),
            {"p": str(world.units["commission"])},
        )


async def walked_to_assignment(gql, world) -> str:  # type: ignore[no-untyped-def]
    steps = [
        {"step": code.upper(), "on": on.isoformat(), "data": data}
        for code, on, data, _ in WALK[: ASSIGNMENT + 1]
    ]
    row = {
        "branchId": world.gid("A1a"),
        **person(idNumber=id_number("20030504", 41)),
        "steps": steps,
    }
    result = await gql(IMPORT, {"input": {"rows": [row]}}, world.tokens["unit_admin"])
    assert result["data"]["importRecruits"]["errors"] == [], result
    return result["data"]["importRecruits"]["recruits"][0]["id"]


async def test_setting_the_region_applies_the_province_overlay_to_recorded_and_later_steps(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    await without_region(owner_engine, world)
    recruit = await walked_to_assignment(gql, world)  # approved 2024-06-25
    # Six weeks after the approval: late by Shanxi's rule, not by the national one.
    oath = await step(gql, world, recruit, "oath", date(2024, 8, 10), {}, "branch_secretary")
    assert oath["errors"] == [] and oath["recruit"]["findings"] == []
    read = await gql(RECRUIT, {"r": recruit}, world.tokens["branch_secretary"])
    assert read["data"]["node"]["steps"][-1] == {"step": "OATH", "ruleVersion": "2014"}

    done = (await set_region(gql, world, "14"))["data"]["setCommissionRegion"]
    assert done["errors"] == [] and done["rederivedRecruits"] == 1
    assert done["commission"] == {"id": world.gid("commission"), "regionCode": "14"}
    # The recorded oath is judged again under the Shanxi overlay at once.
    read = await gql(RECRUIT, {"r": recruit}, world.tokens["branch_secretary"])
    assert read["data"]["node"]["findings"] == [{"ruleId": SHANXI_OATH}]
    assert read["data"]["node"]["openFindings"] == 1
    # Every unit below shows (and judges by) its commission's region.
    branch = await gql(
        "query($u: ID!) { node(id: $u) { ... on Unit { regionCode } } }",
        {"u": world.gid("A1a")},
        world.tokens["branch_secretary"],
    )
    assert branch["data"]["node"] == {"regionCode": "14"}
    later = await step(
        gql, world, recruit, "approval_filing", date(2024, 8, 12), {}, "school_admin"
    )
    assert later["errors"] == [], later
    read = await gql(RECRUIT, {"r": recruit}, world.tokens["branch_secretary"])
    assert read["data"]["node"]["steps"][-1] == {
        "step": "APPROVAL_FILING",
        "ruleVersion": "2014+sx-2023",
    }
    audited = "SELECT count(*) FROM audit_log WHERE operation = 'setCommissionRegion'"
    assert await scalar(owner_engine, audited) == 1

    # The same region again changes nothing and audits nothing.
    again = (await set_region(gql, world, "14"))["data"]["setCommissionRegion"]
    assert again["errors"] == [] and again["rederivedRecruits"] == 0
    assert await scalar(owner_engine, audited) == 1
    # Chongqing has no built-in overlay: the finding goes, with the recruit re-derived.
    moved = (await set_region(gql, world, "50"))["data"]["setCommissionRegion"]
    assert moved["rederivedRecruits"] == 1
    read = await gql(RECRUIT, {"r": recruit}, world.tokens["branch_secretary"])
    assert read["data"]["node"]["findings"] == [] and read["data"]["node"]["openFindings"] == 0


async def test_a_region_code_must_name_a_province(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    for bad in ("", "1", "140000", " 14", "99", "71", "81"):
        result = (await set_region(gql, world, bad))["data"]["setCommissionRegion"]
        assert result["commission"] is None and result["rederivedRecruits"] == 0
        [error] = result["errors"]
        assert (error["code"], error["field"]) == ("INVALID_REGION_CODE", "regionCode"), bad
        assert "GB/T 2260" in error["message"]
        sent = {"commissionId": world.gid("commission"), "regionCode": bad}
        assert unresolved("setCommissionRegion", error["field"], sent) is None
    # Hostile text is refused (typed, or as bad input) and never echoed back.
    for hostile in ("1\x00", "\u202e41", "\x1b[31m14"):
        result = await set_region(gql, world, hostile)
        if "errors" in result:
            assert codes(result) == ["BAD_USER_INPUT"], result
            continue
        [error] = result["data"]["setCommissionRegion"]["errors"]
        assert (error["code"], error["field"]) == ("INVALID_REGION_CODE", "regionCode")
        assert hostile not in error["message"] and "\x1b" not in error["message"]
    school = (await set_region(gql, world, "14", unit="A"))["data"]["setCommissionRegion"]
    assert [(e["code"], e["field"]) for e in school["errors"]] == [
        ("NOT_A_COMMISSION", "commissionId")
    ]
    region = "SELECT region_code FROM units WHERE id = :u"
    assert await scalar(owner_engine, region, u=world.units["commission"]) == "14"


async def test_only_the_commissions_rule_managers_set_its_region(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    variables = {"c": world.gid("commission"), "r": "50"}
    assert codes(await gql(SET_REGION, variables)) == ["UNAUTHENTICATED"]
    for account, code in (
        ("commission_viewer", "FORBIDDEN"),  # reaches the commission, lacks rule.manage
        ("school_admin", "NOT_FOUND"),  # below the commission: cannot reach it
        ("other_commission_admin", "NOT_FOUND"),  # another commission's tree
    ):
        result = await set_region(gql, world, "50", account=account)
        assert codes(result) == [code], (account, result)
    region = "SELECT region_code FROM units WHERE id = :u"
    assert await scalar(owner_engine, region, u=world.units["commission"]) == "14"
    audited = "SELECT count(*) FROM audit_log WHERE operation = 'setCommissionRegion'"
    assert await scalar(owner_engine, audited) == 0


async def test_a_transferred_in_member_keeps_its_postponement_when_the_region_is_set(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    """Setting the region re-derives each recruit with the facts recording uses: a member
    transferred in during its probation keeps 细则第三十六条's postponement, from whose end
    Shanxi counts the conversion's approval, as when its steps were recorded."""
    await without_region(owner_engine, world)
    approval = [w[0] for w in WALK].index("approval")
    conversion = [w[0] for w in WALK].index("conversion_meeting")
    late = [
        ("conversion_meeting", date(2025, 8, 5), WALK[conversion][2]),
        ("conversion_approval", date(2025, 9, 20), {}),
    ]
    recruits = {}
    for name, serial, moved in (("王五", 51, True), ("赵六", 52, False)):
        created = await create(gql, world, idNumber=id_number("20030504", serial), name=name)
        recruit = recruits[moved] = created["recruit"]["id"]
        for code, on, data, who in WALK[: approval + 1]:
            assert (await step(gql, world, recruit, code, on, data, who))["errors"] == []
        if moved:
            result = await gql(
                TRANSFER, {"r": recruit, "b": world.gid("A1b")}, world.tokens["school_admin"]
            )
            assert result["data"]["transferRecruit"]["errors"] == [], result
        rest = [(c, on, d) for c, on, d, _ in WALK[approval + 1 : conversion]]
        for code, on, data in [*(w for w in rest if w[0] != "approval_filing"), *late]:
            payload = await step(gql, world, recruit, code, on, data, "unit_admin")
            assert payload["errors"] == [], (code, payload)
        # The national count, from the conversion resolution: approved in time.
        assert payload["recruit"]["findings"] == []

    done = (await set_region(gql, world, "14"))["data"]["setCommissionRegion"]
    assert done["errors"] == [] and done["rederivedRecruits"] == 1
    found = {}
    for moved, recruit in recruits.items():
        read = await gql(RECRUIT, {"r": recruit}, world.tokens["school_admin"])
        found[moved] = [f["ruleId"] for f in read["data"]["node"]["findings"]]
    # Shanxi's count from the end of the probation (5 Jun 2025): approved 15 days late; for the
    # member transferred in, from the end of its postponement (5 Dec 2025): in time.
    assert "conversion_approval.within_3m" in found[False]
    assert "conversion_approval.within_3m" not in found[True]

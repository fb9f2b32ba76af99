"""High-level-talent filings: only an acknowledged filing takes an admission off the quota."""

from __future__ import annotations

import support_recruits as api
from support import codes, id_number, scalar

FILE = """mutation($r: ID!, $p: String!) { fileTalent(input: {recruitId: $r, programme: $p,
  evidenceNote: "入选省级青年拔尖人才支持计划"}) { filing { id status recruitName programme } errors { code field } } }"""
ACK = "mutation($f: ID!) { acknowledgeFiling(input: {filingId: $f}) { filing { status } errors { code field } } }"
RETURN = """mutation($f: ID!, $why: String!) { returnFiling(input: {filingId: $f, reason: $why})
  { filing { status returnReason } errors { code field } } }"""


async def _approved(gql, world, sequence: int, name: str) -> str:  # type: ignore[no-untyped-def]
    recruit = await api.create(gql, world, idNumber=id_number("20030504", sequence), name=name)
    recruit_id = recruit["recruit"]["id"]
    for code, on, data, account in api.WALK[: [w[0] for w in api.WALK].index("approval") + 1]:
        assert (await api.step(gql, world, recruit_id, code, on, data, account))["errors"] == []
    return recruit_id


async def test_only_an_acknowledged_filing_exempts(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    period = await api.period(gql, world, 2024)
    talent = await _approved(gql, world, 31, "张教授")
    other = await _approved(gql, world, 32, "李博士")
    assert await api.admitted(gql, world, "A", period) == 2

    school, commission = world.tokens["school_admin"], world.tokens["commission_admin"]
    filed = (await gql(FILE, {"r": talent, "p": "三晋英才支持计划"}, school))["data"]["fileTalent"]
    assert filed["errors"] == [] and filed["filing"]["status"] == "FILED"
    assert filed["filing"]["recruitName"] == "张教授"
    again = (await gql(FILE, {"r": talent, "p": "x"}, school))["data"]["fileTalent"]
    assert [e["code"] for e in again["errors"]] == ["FILING_EXISTS"]
    assert await api.admitted(gql, world, "A", period) == 2  # filed is not enough

    no_reason = await gql(RETURN, {"f": filed["filing"]["id"], "why": " "}, commission)
    assert [e["code"] for e in no_reason["data"]["returnFiling"]["errors"]] == ["REASON_REQUIRED"]
    acknowledged = (await gql(ACK, {"f": filed["filing"]["id"]}, commission))["data"]
    assert acknowledged["acknowledgeFiling"]["filing"]["status"] == "ACKNOWLEDGED"
    assert await api.admitted(gql, world, "A", period) == 1
    assert (
        await scalar(
            owner_engine, "SELECT sum(admitted_exempt) FROM unit_tallies WHERE unit_id = school_id"
        )
        == 1
    )
    twice = (await gql(ACK, {"f": filed["filing"]["id"]}, commission))["data"]["acknowledgeFiling"]
    assert [e["code"] for e in twice["errors"]] == ["FILING_NOT_PENDING"]

    second = (await gql(FILE, {"r": other, "p": "某计划"}, school))["data"]["fileTalent"]["filing"]
    returned = await gql(RETURN, {"f": second["id"], "why": "非省级以上人才计划"}, commission)
    assert returned["data"]["returnFiling"]["filing"] == {
        "status": "RETURNED",
        "returnReason": "非省级以上人才计划",
    }
    assert await api.admitted(gql, world, "A", period) == 1  # a returned filing exempts nothing

    listed = await gql(
        "{ filings(status: ACKNOWLEDGED) { edges { node { recruitName } } } }", token=commission
    )
    assert [e["node"]["recruitName"] for e in listed["data"]["filings"]["edges"]] == ["张教授"]
    hidden = await gql(
        "query($u: ID) { filings(under: $u) { edges { cursor } } }",
        {"u": world.gid("A")},
        world.tokens["other_school_admin"],
    )
    assert codes(hidden) == ["NOT_FOUND"]


async def test_a_filing_acknowledged_before_approval_counts_as_exempt(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    period = await api.period(gql, world, 2024)
    recruit = await api.create(gql, world, idNumber=id_number("20030504", 33), name="王教授")
    recruit_id = recruit["recruit"]["id"]
    filed = await gql(FILE, {"r": recruit_id, "p": "国家级人才计划"}, world.tokens["school_admin"])
    await gql(
        ACK, {"f": filed["data"]["fileTalent"]["filing"]["id"]}, world.tokens["commission_admin"]
    )
    for code, on, data, account in api.WALK[: [w[0] for w in api.WALK].index("approval") + 1]:
        assert (await api.step(gql, world, recruit_id, code, on, data, account))["errors"] == []
    assert await api.admitted(gql, world, "A", period) == 0
    assert (
        await scalar(
            owner_engine, "SELECT sum(admitted_exempt) FROM unit_tallies WHERE unit_id = school_id"
        )
        == 1
    )

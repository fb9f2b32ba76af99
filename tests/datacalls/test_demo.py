"""The demo's data calls: a commission's call overdue, a school's survey in its reminder window,
Chongqing's end-of-May survey partly answered; the scan the demo runs has raised both kinds,
and a second load adds nothing."""

from __future__ import annotations

import sqlalchemy as sa
import support_demo

CALLS = """{ dataCalls { edges { node { title state
  rollup { total { expected answered totals } } } } } }"""
WARNINGS = """query($k: WarningKind) { warnings(kind: $k, status: OPEN) {
  edges { node { unitName } } } }"""


async def test_the_demo_has_data_calls_and_their_warnings(gql, platform, owner_engine) -> None:  # type: ignore[no-untyped-def]
    tokens = await support_demo.load(platform)
    overdue = await gql(WARNINGS, {"k": "DATA_CALL_OVERDUE"}, tokens["sx-admin"])
    assert [e["node"]["unitName"] for e in overdue["data"]["warnings"]["edges"]] == [
        "中共忻州师范学院委员会"
    ]
    due = await gql(WARNINGS, {"k": "DATA_CALL_DUE"}, tokens["sx-admin"])
    assert len(due["data"]["warnings"]["edges"]) == 3
    chongqing = await gql(CALLS, {}, tokens["cqyz-admin"])
    (call,) = [e["node"] for e in chongqing["data"]["dataCalls"]["edges"]]
    assert call["state"] == "OPEN"
    assert call["rollup"]["total"]["expected"] == 5 and call["rollup"]["total"]["answered"] == 1
    assert call["rollup"]["total"]["totals"]["teachers"] == 6
    async with owner_engine.connect() as conn:
        before = await conn.scalar(sa.text("SELECT count(*) FROM data_call_responses"))
    await support_demo.load(platform)
    async with owner_engine.connect() as conn:
        assert await conn.scalar(sa.text("SELECT count(*) FROM data_calls")) == 3
        assert await conn.scalar(sa.text("SELECT count(*) FROM data_call_responses")) == before

"""Bulk entry: all rows or none, every bad row named with its index, field and reason."""

from __future__ import annotations

from typing import Any

from support import id_number, scalar
from support_recruits import WALK, person

IMPORT = """mutation($input: ImportRecruitsInput!) { importRecruits(input: $input) {
  recruits { name stage } errors { index code field message } } }"""


def row(world, sequence: int, name: str, steps: int = 0, **overrides: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    values = person(idNumber=id_number("20030504", sequence), name=name, **overrides)
    past = [
        {"step": code.upper(), "on": on.isoformat(), "data": data}
        for code, on, data, _ in WALK[:steps]
    ]
    return {"branchId": world.gid("A1a"), **values, "steps": past}


async def test_a_clean_import_writes_every_row(gql, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    rows = [
        row(world, 70, "赵一"),
        row(world, 71, "钱二", steps=2),
        row(world, 72, "孙三", steps=8),
    ]
    result = await gql(IMPORT, {"input": {"rows": rows}}, world.tokens["unit_admin"])
    payload = result["data"]["importRecruits"]
    assert payload["errors"] == []
    assert [(r["name"], r["stage"]) for r in payload["recruits"]] == [
        ("赵一", "APPLICANT"),
        ("钱二", "ACTIVIST"),
        ("孙三", "DEVELOPMENT_TARGET"),
    ]
    assert await scalar(owner_engine, "SELECT count(*) FROM recruit_steps") == 3 + 2 + 8


async def test_one_bad_row_writes_nothing_and_every_bad_row_is_named(
    gql, world, owner_engine
) -> None:  # type: ignore[no-untyped-def]
    good = id_number("20030504", 73)
    quorumless = row(world, 75, "李五", steps=15)
    quorumless["steps"][-1]["data"] = {"entitled": 25, "present": 12, "in_favour": 12}
    rows = [
        row(world, 73, "周四"),
        {**row(world, 74, "吴六"), "idNumber": good[:-1] + ("1" if good[-1] != "1" else "2")},
        quorumless,
        {**row(world, 76, "郑七"), "idNumber": good},  # the same person as row 0
    ]
    result = await gql(IMPORT, {"input": {"rows": rows}}, world.tokens["unit_admin"])
    payload = result["data"]["importRecruits"]
    assert payload["recruits"] == []
    named = [(e["index"], e["code"], e["field"]) for e in payload["errors"]]
    assert named[0] == (1, "INVALID_ID_NUMBER", "rows.1.idNumber")
    assert {n[:2] for n in named[1:-1]} == {(2, "RULE_VIOLATION")}
    # The quorum and the majority: the 15th past step's votes.
    assert [n[2] for n in named[1:-1]] == [
        "rows.2.steps.14.data.present",
        "rows.2.steps.14.data.in_favour",
    ]
    assert named[-1] == (3, "DUPLICATE_ID_NUMBER", "rows.3.idNumber")
    for table in ("recruits", "recruit_steps", "audit_log"):
        assert await scalar(owner_engine, f"SELECT count(*) FROM {table}") == 0

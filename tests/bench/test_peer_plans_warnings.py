"""Q2's and Q4's PostGraphile 5 peers (bench/peers/plans.py, documents.py) and their whole
response agreement (bench/runner/agreement.py): the documents, the normalisation and, on the
test database, the plan function against our ``plan`` resolver. No node, no PostGraphile: the
function is called by SQL and its value shaped as PostGraphile 5 answers it (our selection)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import sqlalchemy as sa
from support_peers import as_peer, insert_period

from partyplan.bench import peers
from partyplan.bench.peers import plans
from partyplan.bench.runner import agreement
from partyplan.bench.runner import normalise as nm
from partyplan.bench.runner import scenarios as sc

# --- the documents --------------------------------------------------------------------------


def _selection(document: str) -> str:
    """A document's text from the root field's selection on (the header and arguments cut)."""
    return document.split(") {", 2)[2]


def test_the_q2_peer_asks_our_selection_character_for_character() -> None:
    doc = peers.documents("postgraphile5")["Q2"]
    assert _selection(doc) == _selection(sc.Q2)
    assert doc.startswith("query BranchTable($unitId: Int!, $periodId: Int!)")
    assert "plan(unitId: $unitId, periodId: $periodId)" in doc


def test_the_q4_peer_asks_our_fields_in_our_order() -> None:
    doc = peers.documents("postgraphile5")["Q4"]
    assert 'condition: {schoolId: $schoolId, status: "open"}' in doc
    assert "orderBy: ROW_ID_DESC" in doc and "first: $first" in doc
    ours = sc.Q4.split("node {")[1].split("}")[0].split()
    # Ours' unitName is the peer's unitByUnitId { name }; its id, PostGraphile 5's rowId.
    nodes = doc.split("nodes {")[1].replace("unitByUnitId { name }", "unitName")
    theirs = nodes.split("}")[0].split()
    assert [{"rowId": "id"}.get(f, f) for f in theirs] == ours
    assert "pageInfo { hasNextPage endCursor }" in doc


def test_postgraphile_4_keeps_q1_and_q3_only() -> None:
    assert set(peers.documents("postgraphile4")) == {"Q1", "Q1-live", "Q3"}
    assert set(peers.documents("postgraphile5")) == {"Q1", "Q1-live", "Q2", "Q3", "Q4"}


# --- the plan function is built from our statements ------------------------------------------


def test_the_plan_function_runs_our_plan_statement() -> None:
    reads = plans.statements()
    assert set(reads) == {"lines"}
    text = reads["lines"]
    bare = text.replace("::", "")
    assert ":period" not in bare and ":unit" not in bare
    assert "$1" in text and "$2" in text and "ARRAY[]::text[]" in text
    assert "LEFT JOIN unit_quotas q" in text and "u.parent_id = $2 AND u.active" in text
    assert "unit_tallies" in text and "forecast_total > 0" in text
    sql = plans.function_sql()
    assert "CREATE FUNCTION bench_peer.plan(period_id integer, unit_id integer)" in sql
    assert text in sql


# --- whole responses ---------------------------------------------------------------------------


def _amounts(base: int) -> dict[str, int]:
    return {"total": base, "students": base - 2, "staff": 2, "highKnowledge": 1}


def _ours_q2() -> dict[str, Any]:
    children = [
        {
            "position": i,
            "unitName": name,
            "received": _amounts(10 + i),
            "handedDown": {"total": i},
            "available": {"total": 10},
            "forecast": {"amounts": _amounts(5 + i), "remark": "2 名教师" if i == 1 else None},
            "admitted": 3 * i,
        }
        for i, name in ((1, "甲院党委"), (2, "甲校机关党支部"))
    ]
    line = {
        "unitName": "学校甲党委",
        "received": _amounts(40),
        "handedDown": _amounts(23),
        "reserve": _amounts(3),
        "available": _amounts(14),
        "admitted": 9,
    }
    plan = {
        "line": line,
        "children": children,
        "childrenForecast": _amounts(13),
        "childrenReceived": {"total": 23},
    }
    return {"data": {"plan": plan}}


def test_q2_the_same_plan_agrees_and_a_different_figure_is_caught() -> None:
    ours = _ours_q2()
    peer = copy.deepcopy(ours)
    peer["data"]["plan"]["children"].reverse()
    peer["data"]["plan"]["children"].reverse()  # same data, built apart
    assert agreement.whole_differences("Q2", ours, peer) == []
    peer["data"]["plan"]["children"][1]["forecast"]["amounts"]["highKnowledge"] = 0
    assert agreement.whole_differences("Q2", ours, peer) == [
        "$.children[1].forecast.amounts.highknowledge: 1 vs 0"
    ]
    peer = copy.deepcopy(ours)
    peer["data"]["plan"]["children"].pop()
    assert agreement.whole_differences("Q2", ours, peer)[0] == "$.children: 2 items vs 1"


def _warnings() -> list[dict[str, Any]]:
    return [
        {
            "id": wid,
            "kind": "missing_data",
            "status": "open",
            "message": f"图书馆直属党支部：人员 {wid} 未录入 手机号码",
            "evidence": {"missing": ["手机号码"], "recruit_id": wid},
            "unit": (121, "图书馆直属党支部"),
            "period_id": None if wid % 2 else 3,
            "recruit_id": wid,
            "raised_at": ("2026-12-06T16:49:15.709842+00:00", "2026-12-07 00:49:15.709842+08"),
            "seen_on": "2025-11-20",
        }
        for wid in (1389, 1388)
    ]


def _ours_q4(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def node(w: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": sc.gid("Warning", w["id"]),
            "kind": w["kind"].upper(),
            "status": w["status"].upper(),
            "message": w["message"],
            "evidence": w["evidence"],
            "unitId": sc.gid("Unit", w["unit"][0]),
            "unitName": w["unit"][1],
            "periodId": w["period_id"] and sc.gid("PlanPeriod", w["period_id"]),
            "recruitId": sc.gid("Recruit", w["recruit_id"]),
            "raisedAt": w["raised_at"][0],
            "seenOn": w["seen_on"],
        }

    page = {"hasNextPage": True, "endCursor": "b3Vycw=="}
    return {"data": {"warnings": {"pageInfo": page, "edges": [{"node": node(w)} for w in rows]}}}


def _peer_q4(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """PostGraphile 5's answer: BigInt strings, the relation for the unit's name, the stored
    lower-case values, the timestamp in PostgreSQL's text and another zone."""

    def node(w: dict[str, Any]) -> dict[str, Any]:
        return {
            "rowId": str(w["id"]),
            "kind": w["kind"],
            "status": w["status"],
            "message": w["message"],
            "evidence": w["evidence"],
            "unitId": str(w["unit"][0]),
            "unitByUnitId": {"name": w["unit"][1]},
            "periodId": None if w["period_id"] is None else str(w["period_id"]),
            "recruitId": str(w["recruit_id"]),
            "raisedAt": w["raised_at"][1],
            "seenOn": w["seen_on"],
        }

    page = {"hasNextPage": True, "endCursor": "WyI1NWFkNjQ3NjQwIiwiMTM0MCJd"}
    return {"data": {"allWarnings": {"pageInfo": page, "nodes": [node(w) for w in rows]}}}


def test_q4_the_same_page_in_both_shapes_agrees() -> None:
    rows = _warnings()
    assert agreement.whole_differences("Q4", _ours_q4(rows), _peer_q4(rows)) == []


def test_q4_a_different_unit_order_or_page_end_is_caught() -> None:
    rows = _warnings()
    other = copy.deepcopy(rows)
    other[1]["unit"] = (121, "另一个支部")
    assert agreement.whole_differences("Q4", _ours_q4(rows), _peer_q4(other)) == [
        "$.items[1].unitname: '图书馆直属党支部' vs '另一个支部'"
    ]
    assert agreement.whole_differences("Q4", _ours_q4(rows), _peer_q4(rows[::-1]))
    peer = _peer_q4(rows)
    peer["data"]["allWarnings"]["pageInfo"]["hasNextPage"] = False
    assert agreement.whole_differences("Q4", _ours_q4(rows), peer) == [
        "$.pageinfo.hasnextpage: True vs False"
    ]
    peer = _peer_q4(rows)
    del peer["data"]["allWarnings"]["nodes"][0]["unitByUnitId"]  # the name not asked
    assert "$.items[0].unitname: only in the first" in agreement.whole_differences(
        "Q4", _ours_q4(rows), peer
    )


def test_a_prefixed_object_merges_under_its_prefix() -> None:
    value = {"unitByUnitId": {"name": "甲", "rowId": "7"}, "unitName": "甲"}
    assert nm.normalise(value, prefixed={"unitByUnitId": "unit"}, renames={"rowId": "id"}) == {
        "unitname": "甲",
        "unitid": 7,
    }
    # Two fields folding to one name must carry the same value.
    with pytest.raises(ValueError, match="unitname"):
        nm.normalise(
            {"unitByUnitId": {"name": "甲"}, "unitName": "乙"}, prefixed={"unitByUnitId": "unit"}
        )


def test_a_disagreeing_q2_or_q4_peer_is_fatal() -> None:
    rows = _warnings()
    answers = agreement.Answers()
    answers.put("ours", "Q2", [("x",)], _ours_q2())
    answers.put("ours", "Q4", [("x",)], _ours_q4(rows))
    other = _ours_q2()
    other["data"]["plan"]["line"]["admitted"] += 1
    answers.put("postgraphile5", "Q2", [("x",)], other)
    answers.put("postgraphile5", "Q4", [("x",)], _peer_q4(rows))
    problems, bad = agreement.compare(answers, "ours", "floor", ["postgraphile5"])
    assert bad == {"postgraphile5"}
    assert problems == ["Q2: ours vs postgraphile5: $.line.admitted: 9 vs 10"]


# --- on the test database: the peer's plan = our plan ------------------------------------------


def _as_selected(value: Any, shape: Any) -> Any:
    """``value`` (the function's row as JSON, snake_case) cut to the fields of ``shape`` (our
    response): what PostGraphile 5 answers when asked our selection."""
    if isinstance(shape, list):
        return [_as_selected(v, s) for v, s in zip(value, shape, strict=False)] + value[
            len(shape) :
        ]
    if not isinstance(shape, dict) or not isinstance(value, dict):
        return value
    by_fold = {nm.fold(k): k for k in value}
    return {
        key: _as_selected(value[by_fold[nm.fold(key)]], inner)
        for key, inner in shape.items()
        if nm.fold(key) in by_fold
    }


_FIGURES = [
    f"{f}_{d}" for f in ("received", "handed", "reserve", "forecast") for d in plans.DIMENSIONS
]
_BALANCE = sa.text(
    "INSERT INTO unit_quotas (period_id, unit_id, unit_path, unit_kind, school_id, "
    + ", ".join(_FIGURES)
    + ", forecast_remark) SELECT :p, id, path, kind, school_id, "
    + ", ".join(f":{f}" for f in _FIGURES)
    + ", :remark FROM units WHERE id = :u"
)
_ADMITTED = sa.text(
    "INSERT INTO unit_tallies (period_id, unit_id, unit_path, school_id, admitted)"
    " SELECT :p, id, path, school_id, :n FROM units WHERE id = :u"
)


async def test_the_plan_peer_answers_what_our_plan_answers(
    world: Any, owner_engine: Any, owner_url: str, gql: Any
) -> None:
    units = world.units
    async with owner_engine.begin() as conn:
        period = await insert_period(conn, units["commission"])
        # School A: its own line, a committee with a forecast of its own and one below it (the
        # subtree's forecast differs from the own one), a branch without any balance row.
        # (total, students, staff, high knowledge) of received, handed down, reserve, forecast.
        zero = (0, 0, 0, 0)
        for unit, figures, remark in (
            ("A", ((40, 30, 8, 3), (30, 24, 4, 2), (4, 0, 4, 0), zero), None),
            (
                "A1",
                ((22, 18, 4, 2), (12, 10, 2, 1), zero, (6, 4, 2, 1)),
                "2 名教师（1 名高知识群体教师）",
            ),
            ("A1a", ((12, 10, 2, 1), zero, zero, (5, 5, 0, 0)), None),
        ):
            values = dict(zip(_FIGURES, [n for figure in figures for n in figure], strict=True))
            await conn.execute(
                _BALANCE, {"p": period, "u": units[unit], "remark": remark, **values}
            )
        for unit, admitted in (("A", 9), ("A1", 7), ("A1a", 4), ("A2", 2)):
            await conn.execute(_ADMITTED, {"p": period, "u": units[unit], "n": admitted})
    variables = {"unit": world.gid("A"), "period": sc.gid("PlanPeriod", period)}
    ours = await gql(sc.Q2, variables, world.tokens["school_admin"])
    assert "errors" not in ours, ours
    plan = ours["data"]["plan"]
    assert [c["unitName"] for c in plan["children"]] == ["甲院党委", "甲校机关党支部"]
    assert plan["childrenForecast"]["total"] == 11  # A1's own 6 and A1a's 5

    (row,) = await as_peer(
        owner_url,
        owner_engine,
        world.users["commission_admin"],  # the commission's scope, as the peers run
        "SELECT to_jsonb(bench_peer.plan($1, $2))::text AS plan",
        period,
        units["A"],
    )
    value = row["plan"]
    peer = {"data": {"plan": _as_selected(json.loads(value), plan)}}
    assert agreement.whole_differences("Q2", ours, peer) == []
    assert (
        peer["data"]["plan"]["children"][0]["forecast"]["remark"]
        == "2 名教师（1 名高知识群体教师）"
    )
    # The comparison is not empty-handed: a figure changed on the peer's side shows.
    peer["data"]["plan"]["line"]["available"]["total"] += 1
    assert agreement.whole_differences("Q2", ours, peer) == ["$.line.available.total: 6 vs 7"]

"""The agreement check's normalisation (bench/runner/normalise.py) and its use against the
peers (bench/runner/agreement.py): unit level, no server, no PostGraphile."""

from __future__ import annotations

import copy

from partyplan.bench import peers
from partyplan.bench.peers import tallies
from partyplan.bench.runner import agreement
from partyplan.bench.runner import normalise as nm
from partyplan.bench.runner.scenarios import gid
from partyplan.models.rollups import PERIOD_FIGURES

_STRUCTURE = (
    "women",
    "ethnic_minority",
    "youth_35",
    "college_educated",
    "students",
    "staff",
    "high_knowledge",
    "professional_technical",
)
_PIPELINE = ("applicants", "activists", "development_targets", "probationary", "converted")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def _lines() -> list[dict]:
    """Two school lines as plain figures (distinct per field, so that a swap shows)."""
    out = []
    for n, (unit, name) in enumerate(((7, "第一学院"), (9, "第二学院"))):
        figures = {f: 10 * n + i for i, f in enumerate(PERIOD_FIGURES)}
        out.append({"unit_id": unit, "unit_name": name, "plan": 40 + n, **figures})
    return out


def _ours(lines: list[dict]) -> dict:
    """Our Q1 response: global ids, enum names, camelCase, structure and pipeline nested."""
    children = [
        {
            "unitId": gid("Unit", ln["unit_id"]),
            "unitName": ln["unit_name"],
            "unitKind": "SCHOOL",
            "plan": ln["plan"],
            "admitted": ln["admitted"],
            "admittedExempt": ln["admitted_exempt"],
            "completionRate": round(ln["admitted"] / ln["plan"], 4),
            "openFindings": ln["open_findings"],
            "structure": {_camel(f): ln[f] for f in _STRUCTURE},
            "pipeline": {_camel(f): ln[f] for f in _PIPELINE},
        }
        for ln in lines
    ]
    # The first line stands for the unit's own, as the peer lists it first (tallies.py).
    line = children.pop(0) if children else None
    return {"data": {"rollup": {"line": line, "children": children}}}


def _peer(lines: list[dict]) -> dict:
    """The peer's answer to the same data: raw ids, lower-case enums, flat, another key order."""
    nodes = []
    for ln in lines:
        node = {_camel(f): ln[f] for f in reversed(PERIOD_FIGURES)}
        node.update(
            unitKind="school",
            completionRate=round(ln["admitted"] / ln["plan"], 4),  # round(float8) / 10000
            plan=ln["plan"],
            unitName=ln["unit_name"],
            unitId=ln["unit_id"],
        )
        nodes.append(node)
    return {"data": {"provinceRollupTallies": {"nodes": nodes}}}


def test_the_same_data_in_different_shapes_agrees() -> None:
    lines = _lines()
    assert agreement.whole_differences("Q1", _ours(lines), _peer(lines)) == []


def test_a_different_figure_is_caught_with_its_path() -> None:
    lines = _lines()
    other = copy.deepcopy(lines)
    other[1]["youth_35"] += 1
    diff = agreement.whole_differences("Q1", _ours(lines), _peer(other))
    assert len(diff) == 1 and diff[0].startswith("$[1].youth35:")


def test_a_missing_row_a_missing_field_and_errors_are_caught() -> None:
    lines = _lines()
    assert agreement.whole_differences("Q1", _ours(lines), _peer(lines[:1]))
    peer = _peer(lines)
    del peer["data"]["provinceRollupTallies"]["nodes"][0]["converted"]
    assert any(
        "only in the first" in d for d in agreement.whole_differences("Q1", _ours(lines), peer)
    )
    failed = {"errors": [{"message": "boom"}], "data": None}
    assert agreement.whole_differences("Q1", _ours(lines), failed)
    assert agreement.whole_differences("Q1", _ours([]), _peer([]))  # empty proves nothing


def test_a_disagreeing_peer_stops_the_run() -> None:
    lines, other = _lines(), _lines()
    other[0]["plan"] += 1
    answers = agreement.Answers()
    answers.put("ours", "Q1", [("x",)], _ours(lines))
    answers.put("postgraphile5", "Q1", [("x",)], _peer(other))
    answers.put("postgraphile4", "Q1", [("x",)], _peer(lines))
    problems, bad = agreement.compare(answers, "ours", "floor", ["postgraphile5", "postgraphile4"])
    assert bad == {"postgraphile5"}
    assert len(problems) == 1 and "postgraphile5" in problems[0] and ".plan" in problems[0]


def test_normalisation_rules() -> None:
    ours = {
        "recruits": {
            "pageInfo": {"hasNextPage": True, "endCursor": "YXJyYXljb25uZWN0aW9uOjQ5"},
            "edges": [
                {
                    "node": {
                        "id": gid("Recruit", 12),
                        "stage": "DEVELOPMENT_TARGET",
                        "raisedAt": "2025-11-20T08:00:00+08:00",
                        "dueOn": "2025-12-01",
                        "branch": {"__typename": "Unit", "id": gid("Unit", 3)},
                    }
                }
            ],
        }
    }
    peer = {
        "recruits": {
            "items": [
                {
                    "rowId": "12",
                    "stage": "development_target",
                    "raised_at": "2025-11-20T00:00:00Z",
                    "due_on": "2025-12-01",
                    "branch": {"id": 3},
                }
            ],
            "page_info": {"endCursor": "YXJyYXljb25uZWN0aW9uOjQ5", "has_next_page": True},
        }
    }
    a = nm.normalise(ours)
    assert a == nm.normalise(peer, renames={"rowId": "id"})
    assert a["recruits"]["items"][0]["id"] == 12 and a["recruits"]["items"][0]["branch"] == {
        "id": 3
    }
    # A name is not an enum, a cursor is not an id, Chinese text is left alone.
    assert nm.scalar("第一党支部") == "第一党支部" and nm.scalar("Ab_C") == "Ab_C"
    assert nm.raw_id("not-an-id") == "not-an-id"
    assert nm.differences(a, nm.normalise(peer)) != []  # rowId is not id unless renamed


def test_the_tally_peer_runs_our_roll_up_statement() -> None:
    body = tallies.lines_statement()
    assert ":period" not in body.replace("::", "") and ":unit" not in body.replace("::", "")
    assert "$1" in body and "$2" in body and "unit_tallies" in body and "::text" in body
    sql = tallies.function_sql()
    assert "bench_peer.province_rollup_tallies" in sql and "unit_tallies" in sql
    docs = peers.documents("postgraphile5")
    assert "provinceRollupTallies" in docs["Q1"] and "provinceRollup(" in docs["Q1-live"]
    # The peer's Q1 asks every field our Q1 asks of a school line (flat).
    fields = set(docs["Q1"].split("nodes {")[1].split("}")[0].split())
    expected = {"unitId", "unitName", "unitKind", "plan", "completionRate"}
    assert fields == expected | {_camel(f) for f in PERIOD_FIGURES}


def _recruits() -> list[dict]:
    return [
        {
            "id": rid,
            "name": name,
            "gender": "female",
            "category": "undergraduate",
            "stage": "development_target",
            "stage_since": "2025-03-01",
            "next_step": "political_review" if rid == 11 else None,
            "next_due_on": "2025-06-01" if rid == 11 else None,
            "open_findings": len(findings),
            "approved_on": None,
            "branch": (3, "第一党支部"),
            "findings": findings,
        }
        for rid, name, findings in (
            (11, "张三", [("time_limit.x", "warning", "cultivation", "逾期", "2025-01-01", 4)]),
            (12, "李四", []),
        )
    ]


def _ours_q3(recruits: list[dict]) -> dict:
    def node(r: dict) -> dict:
        return {
            "id": gid("Recruit", r["id"]),
            "name": r["name"],
            "gender": r["gender"].upper(),
            "category": r["category"].upper(),
            "stage": r["stage"].upper(),
            "stageSince": r["stage_since"],
            "nextStep": r["next_step"] and r["next_step"].upper(),
            "nextDueOn": r["next_due_on"],
            "openFindings": r["open_findings"],
            "approvedOn": r["approved_on"],
            "branch": {"id": gid("Unit", r["branch"][0]), "name": r["branch"][1]},
            "findings": [
                {
                    "ruleId": f[0],
                    "severity": f[1],
                    "step": f[2].upper(),
                    "message": f[3],
                    "dueOn": f[4],
                    "daysLate": f[5],
                }
                for f in r["findings"]
            ],
        }

    page = {"hasNextPage": True, "endCursor": "b3Vycw=="}
    return {
        "data": {"recruits": {"pageInfo": page, "edges": [{"node": node(r)} for r in recruits]}}
    }


def _peer_q3(recruits: list[dict]) -> dict:
    """PostGraphile 5's answer: rowId as a BigInt string, relation names, snake values."""

    def node(r: dict) -> dict:
        return {
            "rowId": str(r["id"]),
            "name": r["name"],
            "gender": r["gender"],
            "category": r["category"],
            "stage": r["stage"],
            "stageSince": r["stage_since"],
            "nextStep": r["next_step"],
            "nextDueOn": r["next_due_on"],
            "openFindings": r["open_findings"],
            "approvedOn": r["approved_on"],
            "unitByBranchId": {"rowId": str(r["branch"][0]), "name": r["branch"][1]},
            "recruitFindingsByRecruitId": {
                "nodes": [
                    {
                        "ruleId": f[0],
                        "severity": f[1],
                        "stepCode": f[2],
                        "message": f[3],
                        "dueOn": f[4],
                        "daysLate": f[5],
                    }
                    for f in r["findings"]
                ]
            },
        }

    page = {"hasNextPage": True, "endCursor": "WyJuYXR1cmFsIiw1MF0="}
    return {"data": {"allRecruits": {"pageInfo": page, "nodes": [node(r) for r in recruits]}}}


def test_q3_the_same_page_in_both_shapes_agrees() -> None:
    recruits = _recruits()
    assert agreement.whole_differences("Q3", _ours_q3(recruits), _peer_q3(recruits)) == []


def test_q3_a_different_finding_or_page_is_caught() -> None:
    recruits = _recruits()
    other = copy.deepcopy(recruits)
    other[0]["findings"] = [
        (*other[0]["findings"][0][:3], "另一条说明", *other[0]["findings"][0][4:])
    ]
    diff = agreement.whole_differences("Q3", _ours_q3(recruits), _peer_q3(other))
    assert diff == ["$.items[0].findings[0].message: '逾期' vs '另一条说明'"]
    peer = _peer_q3(recruits)
    peer["data"]["allRecruits"]["pageInfo"]["hasNextPage"] = False
    assert agreement.whole_differences("Q3", _ours_q3(recruits), peer) == [
        "$.pageinfo.hasnextpage: True vs False"
    ]
    peer = _peer_q3(recruits)
    del peer["data"]["allRecruits"]["nodes"][1]["unitByBranchId"]  # a field the peer lacks
    assert agreement.whole_differences("Q3", _ours_q3(recruits), peer)
    # The peer asks our Q3's fields, not a subset.
    doc = peers.documents("postgraphile5")["Q3"]
    for name in (
        "pageInfo",
        "hasNextPage",
        "stageSince",
        "approvedOn",
        "gender",
        "category",
        "recruitFindingsByRecruitId",
        "daysLate",
        "unitByBranchId",
    ):
        assert name in doc

"""The scenarios' answers reduced to plain tuples, so that our service, the floor and the
peers are checked to return the same numbers before anything is timed.

Our service and the floor are compared on full tuples:
  Q1: one per school, in school id order — (school_id, school_name, plan, *Q1_FIGURES);
  Q3: one per recruit, in id order — (recruit_id, name, branch_name, stage, next_step,
      next_due_on, open_findings), stage and step lower-case, the date ISO or None;
  Q2: one per child — (unit_name, received, forecast, admitted); Q4: (id, kind, unit_name).
Against the peers the whole responses are compared (agreement.py, normalise.py); only the
live baseline's answer is compared as tuples: :func:`peer_view` cuts ours down to
``bench.peers``' ``Q1_FIELDS`` (school_id, plan, *figures).
"""

from __future__ import annotations

from typing import Any

from partyplan.models.rollups import PERIOD_FIGURES

from .global_ids import ungid

Q1_FIGURES = PERIOD_FIGURES  # admitted … professional_technical, the pipeline, open_findings

_STRUCTURE = (
    "women",
    "ethnicMinority",
    "youth35",
    "collegeEducated",
    "students",
    "staff",
    "highKnowledge",
    "professionalTechnical",
)
_PIPELINE = ("applicants", "activists", "developmentTargets", "probationary", "converted")


def _graphql_data(response: dict[str, Any]) -> dict[str, Any]:
    if response.get("errors"):
        raise ValueError(f"GraphQL errors: {response['errors']}")
    return response["data"]


def _q1_graphql(line: dict[str, Any]) -> tuple:  # type: ignore[type-arg]
    figures = (
        line["admitted"],
        line["admittedExempt"],
        *(line["structure"][k] for k in _STRUCTURE),
        *(line["pipeline"][k] for k in _PIPELINE),
        line["openFindings"],
    )
    return (ungid(line["unitId"]), line["unitName"], line["plan"], *figures)


def _q3_graphql(node: dict[str, Any]) -> tuple:  # type: ignore[type-arg]
    step = node["nextStep"]
    return (
        ungid(node["id"]),
        node["name"],
        (node["branch"] or {}).get("name"),
        node["stage"].lower(),
        step.lower() if step else None,
        node["nextDueOn"],
        node["openFindings"],
    )


def normalize_ours(name: str, response: dict[str, Any]) -> list[tuple]:  # type: ignore[type-arg]
    data = _graphql_data(response)
    if name == "Q1":
        return [_q1_graphql(line) for line in data["rollup"]["children"]]
    if name == "Q3":
        return [_q3_graphql(e["node"]) for e in data["recruits"]["edges"]]
    if name == "Q2":
        plan = data["plan"]
        return [
            (
                c["unitName"],
                c["received"]["total"],
                c["forecast"]["amounts"]["total"],
                c["admitted"],
            )
            for c in plan["children"]
        ]
    if name == "Q4":
        return [
            (ungid(e["node"]["id"]), e["node"]["kind"].lower(), e["node"]["unitName"])
            for e in data["warnings"]["edges"]
        ]
    raise ValueError(name)


def normalize_floor(name: str, response: dict[str, Any]) -> list[tuple]:  # type: ignore[type-arg]
    """The floor answers ``{"data": [row, ...]}`` with the fields the GraphQL document asks."""
    rows = response["data"]
    if name in ("Q1", "Q1-live"):
        lines = rows["children"] if name == "Q1" else rows
        return [
            (r["unit_id"], r["unit_name"], r["plan"], *(r[f] for f in Q1_FIGURES)) for r in lines
        ]
    if name == "Q3":
        return [
            (
                r["id"],
                r["name"],
                r["branch_name"],
                r["stage"],
                r["next_step"],
                r["next_due_on"],
                r["open_findings"],
            )
            for r in rows
        ]
    if name == "Q2":
        return [
            (r["unit_name"], r["received_total"], r["forecast_total"], r["admitted"])
            for r in rows["children"]
        ]
    if name == "Q4":
        return [(r["id"], r["kind"], r["unit_name"]) for r in rows]
    raise ValueError(name)


def peer_view(name: str, rows: list[tuple]) -> list[tuple]:  # type: ignore[type-arg]
    """Our full tuples in the shape ``bench.peers.normalize`` returns."""
    if name == "Q1":
        return [(r[0], *r[2:]) for r in rows]
    if name == "Q3":
        return [(r[0], r[2], r[3], r[6]) for r in rows]
    raise ValueError(name)


def differences(reference: list[tuple], other: list[tuple], limit: int = 3) -> list[str]:  # type: ignore[type-arg]
    """Human-readable differences between two answers (empty when they agree)."""
    if reference == other:
        return []
    found = [f"{len(reference)} rows vs {len(other)}"] if len(reference) != len(other) else []
    for a, b in zip(reference, other, strict=False):
        if a != b:
            found.append(f"{a} vs {b}")
            if len(found) >= limit:
                break
    return found or ["answers differ"]


__all__ = [
    "Q1_FIGURES",
    "differences",
    "normalize_floor",
    "normalize_ours",
    "peer_view",
]

"""Before anything is timed: every server must return the same numbers.

Our service, the floor and each peer are started in turn and asked the read scenarios each
serves (PostGraphile 5 all four, PostGraphile 4 Q1 and Q3); the answers, reduced to tuples
(scenarios.py), must be equal. Q1 of our service (read from the tallies) against the floor's
live aggregation over the recruits is the proof that the tallies are right. Against the peers,
the whole responses are compared after the documented normalisation (normalise.py); any
disagreement stops the run. While our service runs, single requests also show
whether its statement count depends on the page size or on the size of the tree.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from . import normalise
from . import scenarios as sc
from .stats import PgCounters

WARM_CALLS = 8


def post(url: str, body: str, token: str | None = None, timeout: float = 60) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


@dataclass
class Answers:
    """Each server's answers as tuples: {server: {scenario: rows}}."""

    rows: dict[str, dict[str, list[tuple]]] = field(default_factory=dict)  # type: ignore[type-arg]
    raw: dict[str, dict[str, Any]] = field(default_factory=dict)

    def put(self, server: str, scenario: str, rows: list[tuple], raw: Any = None) -> None:  # type: ignore[type-arg]
        self.rows.setdefault(server, {})[scenario] = rows
        self.raw.setdefault(server, {})[scenario] = raw


def compare(
    answers: Answers, ours: str, floor: str, peers: list[str]
) -> tuple[list[str], set[str]]:
    """(problems — fatal: ours vs the floor, and ours vs a peer; the peers that disagree).
    Q1–Q4 against a peer compare the whole normalised responses (``WHOLE``)."""
    problems: list[str] = []
    mine = answers.rows.get(ours, {})
    base = answers.rows.get(floor, {})
    pairs = [("Q1", "Q1"), ("Q1", "Q1-live"), ("Q2", "Q2"), ("Q3", "Q3"), ("Q4", "Q4")]
    for scenario, theirs in pairs:
        if scenario not in mine or theirs not in base:
            continue
        for d in sc.differences(mine[scenario], base[theirs]):
            problems.append(f"{scenario}: ours vs floor {theirs}: {d}")
        if not mine[scenario]:
            problems.append(f"{scenario}: empty answer; the comparison proves nothing")
    bad_peers: set[str] = set()
    for peer in peers:
        for scenario in ("Q1", "Q1-live", "Q2", "Q3", "Q4"):
            theirs = answers.rows.get(peer, {}).get(scenario)
            if theirs is None or scenario not in mine and scenario != "Q1-live":
                continue
            if scenario == "Q1-live":
                # The live baseline's function answers the figures only (as before).
                if "Q1" not in mine:
                    continue
                diff = sc.differences(sc.peer_view("Q1", mine["Q1"]), theirs)
            else:
                diff = whole_differences(
                    scenario,
                    answers.raw.get(ours, {}).get(scenario),
                    answers.raw.get(peer, {}).get(scenario),
                )
            if diff:
                bad_peers.add(peer)
                # Loud and fatal: a peer answering other data would make its ratio meaningless.
                problems.append(f"{scenario}: ours vs {peer}: {'; '.join(diff)}")
                print(f"  {peer} DISAGREES on {scenario}: {'; '.join(diff)}")
    return problems, bad_peers


def _ours_q1(response: Any) -> Any:
    # The unit's own line and its children's, as the peer's nodes list them (tallies.py).
    rollup = response["data"]["rollup"]
    return {"nodes": [rollup["line"], *rollup["children"]]}


def _peer_q1(response: Any) -> Any:
    return response["data"]["provinceRollupTallies"]


def _ours_q3(response: Any) -> Any:
    return response["data"]["recruits"]


def _peer_q3(response: Any) -> Any:
    return response["data"]["allRecruits"]


def _plan(response: Any) -> Any:  # the same root field and shape on both sides
    return response["data"]["plan"]


def _ours_q4(response: Any) -> Any:
    return response["data"]["warnings"]


def _peer_q4(response: Any) -> Any:
    return response["data"]["allWarnings"]


# Scenarios whose documents ask both servers for the same data: the whole responses are
# compared after normalise.py's normalisation (our structure and pipeline objects answered
# flat by the peer; the peer's relation names and PostGraphile 5's rowId renamed to ours;
# cursors left out: each server's are opaque and its own).
# {scenario: (ours' part, the peer's part, normalise options)}
_Q3_RENAMES = {
    "rowId": "id",
    "unitByBranchId": "branch",
    "recruitFindingsByRecruitId": "findings",
    "stepCode": "step",
}
WHOLE: dict[str, tuple[Any, Any, dict[str, Any]]] = {
    "Q1": (_ours_q1, _peer_q1, {"flatten": ("structure", "pipeline")}),
    "Q2": (_plan, _plan, {}),
    "Q3": (_ours_q3, _peer_q3, {"renames": _Q3_RENAMES, "drop": ("endCursor",)}),
    # The peer reaches the unit's name through the relation: unitByUnitId { name } = unitName.
    "Q4": (
        _ours_q4,
        _peer_q4,
        {"renames": {"rowId": "id"}, "prefixed": {"unitByUnitId": "unit"}, "drop": ("endCursor",)},
    ),
}


def whole_differences(scenario: str, ours_raw: Any, peer_raw: Any) -> list[str]:
    """Where two whole responses to ``scenario`` differ once normalised (empty: they agree).
    A missing answer, GraphQL errors or an unexpected shape are differences too."""
    mine, theirs, options = WHOLE[scenario]
    for label, raw in (("ours", ours_raw), ("peer", peer_raw)):
        if not isinstance(raw, dict) or raw.get("errors") or not raw.get("data"):
            errors = raw.get("errors") if isinstance(raw, dict) else raw
            return [f"{label} answered no data: {str(errors)[:200]}"]
    try:
        a = normalise.normalise(mine(ours_raw), **options)
        b = normalise.normalise(theirs(peer_raw), **options)
    except (KeyError, TypeError, ValueError) as error:
        return [f"unexpected shape: {error.__class__.__name__}: {error}"]
    if not a:
        return ["empty answer; the comparison proves nothing"]
    return normalise.differences(a, b)


@dataclass
class SizeProbe:
    """Statements of one request at two sizes: (what varied, small, large)."""

    checks: list[tuple[str, int | None, int | None]] = field(default_factory=list)

    @property
    def independent(self) -> bool | None:
        measured = [(a, b) for _, a, b in self.checks if a is not None and b is not None]
        return all(a == b for a, b in measured) if measured else None

    def describe(self) -> str:
        return "; ".join(f"{what}: {a} → {b}" for what, a, b in self.checks)


async def statements_of(counters: PgCounters | None, url: str, body: str, token: str) -> int | None:
    """Statements one request runs: the fewest of a few calls, after calls enough to reach
    every worker (a worker's first request on a connection also prepares and introspects)."""
    if counters is None:
        return None
    for _ in range(WARM_CALLS):
        post(url, body, token)
    counts = []
    for _ in range(3):
        before = await counters.statements()
        response = post(url, body, token)
        if response.get("errors"):
            raise RuntimeError(f"probe request failed: {response['errors']}")
        counts.append((await counters.statements() - before).statements)
    return min(counts)


async def probe_sizes(
    counters: PgCounters | None, url: str, fx: sc.Fixture, tokens: dict[str, str]
) -> SizeProbe:
    """Q3 with a page of 5 vs 50; Q1 of one school (its committees) vs the commission (every
    school); Q2 of a committee vs the school."""
    probe = SizeProbe()
    period = sc.gid("PlanPeriod", fx.period_id)

    def body(doc: str, variables: dict[str, Any]) -> str:
        return json.dumps({"query": doc, "variables": variables})

    small_page = sc.Q3.replace(f"first: {sc.PAGE}", "first: 5")
    under = {"under": sc.gid("Unit", fx.school_id)}
    probe.checks.append(
        (
            "Q3 page 5 → 50",
            await statements_of(counters, url, body(small_page, under), tokens["bench-school"]),
            await statements_of(counters, url, body(sc.Q3, under), tokens["bench-school"]),
        )
    )
    school = {"unit": sc.gid("Unit", fx.school_id), "period": period}
    commission = {"unit": sc.gid("Unit", fx.commission_id), "period": period}
    probe.checks.append(
        (
            "Q1 school → commission",
            await statements_of(counters, url, body(sc.Q1, school), tokens["bench-commission"]),
            await statements_of(counters, url, body(sc.Q1, commission), tokens["bench-commission"]),
        )
    )
    if fx.committees:
        committee = {"unit": sc.gid("Unit", fx.committees[0]), "period": period}
        probe.checks.append(
            (
                "Q2 committee → school",
                await statements_of(counters, url, body(sc.Q2, committee), tokens["bench-school"]),
                await statements_of(counters, url, body(sc.Q2, school), tokens["bench-school"]),
            )
        )
    return probe

"""The scenarios: the GraphQL documents real screens send, who sends them, with which ids.

Ids are discovered by SQL from the generated data (``partyplan bench generate``): the
``bench-*`` accounts, the first school (the one ``bench-school`` administers), the plan period
in force. Every scenario's answer can be reduced to plain tuples (:func:`normalize`) so that our
service, the floor and the peers are checked to return the same numbers before anything is
timed.

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

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg

from partyplan.models.rollups import PERIOD_FIGURES
from partyplan.schema.policies.admission import PLATFORM_DOCUMENTS

SCENARIO_TITLES = {
    "Q1": "commission's province roll-up, one line per school",
    "Q2": "a school's plan with its children's lines (the branch table)",
    "Q3": "a page of 50 recruits with branch, stage, next step and findings",
    "Q4": "a school's open warnings (page of 50)",
    "M1": "recordStep (a cultivation assessment, step 6)",
    "M2": "allocateQuota (1 place, school → committee)",
}
Q1_FIGURES = PERIOD_FIGURES  # admitted … professional_technical, the pipeline, open_findings
PAGE = 50

_LINE = """fragment Line on RollupLine {
  unitId unitName unitKind plan admitted admittedExempt completionRate openFindings
  structure { women ethnicMinority youth35 collegeEducated students staff highKnowledge
              professionalTechnical }
  pipeline { applicants activists developmentTargets probationary converted }
}"""
Q1 = (
    "query ProvinceRollup($unit: ID!, $period: ID!) {\n"
    "  rollup(unitId: $unit, periodId: $period) { line { ...Line } children { ...Line } }\n"
    "}\n" + _LINE
)
_AMOUNTS = "{ total students staff highKnowledge }"
Q2 = f"""query BranchTable($unit: ID!, $period: ID!) {{
  plan(unitId: $unit, periodId: $period) {{
    line {{ unitName received {_AMOUNTS} handedDown {_AMOUNTS} reserve {_AMOUNTS}
           available {_AMOUNTS} admitted }}
    children {{ position unitName received {_AMOUNTS} handedDown {{ total }} available {{ total }}
               forecast {{ amounts {_AMOUNTS} remark }} admitted }}
    childrenForecast {_AMOUNTS} childrenReceived {{ total }}
  }}
}}"""
Q3 = f"""query RecruitPage($under: ID!) {{
  recruits(under: $under, first: {PAGE}) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{
      id name gender category stage stageSince nextStep nextDueOn openFindings approvedOn
      branch {{ id name }}
      findings {{ ruleId severity step message dueOn daysLate }}
    }} }}
  }}
}}"""
Q4 = f"""query OpenWarnings($under: ID!) {{
  warnings(under: $under, status: OPEN, first: {PAGE}) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ id kind status message evidence unitId unitName periodId recruitId
                    raisedAt seenOn }} }}
  }}
}}"""
M1 = """mutation RecordStep($input: RecordStepInput!) {
  recordStep(input: $input) {
    recruit { id stage nextStep nextDueOn openFindings }
    errors { code field message }
  }
}"""
M2 = """mutation Allocate($input: AllocateQuotaInput!) {
  allocateQuota(input: $input) {
    movement { id kind amounts { total } }
    errors { code field message shortfall }
  }
}"""
ACCOUNTS = ("bench-commission", "bench-school", "bench-unit", "bench-branch")


def gid(kind: str, row_id: int) -> str:
    return base64.b64encode(f"{kind}:{row_id}".encode()).decode()


def ungid(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().partition(":")[2])


@dataclass
class Fixture:
    """What the data offers the scenarios: accounts, the school, the period, write targets."""

    users: dict[str, int]
    commission_id: int
    school_id: int
    period_id: int
    period_name: str
    committees: list[int]
    m1_user: str = ""
    m1_recruits: list[int] = field(default_factory=list)
    school_available: int = 0
    counts: dict[str, int] = field(default_factory=dict)


async def discover(conn: asyncpg.Connection) -> Fixture:
    """Ids by SQL as the owner. The period: the issued one of the commission in which the
    school received quota, containing today if there is one, else the latest."""
    rows = await conn.fetch(
        "SELECT u.username, u.id, b.unit_id FROM users u JOIN role_bindings b ON b.user_id = u.id"
        " WHERE u.username = ANY($1::text[]) ORDER BY b.id",
        list(ACCOUNTS),
    )
    users = {r["username"]: r["id"] for r in rows}
    units = {r["username"]: r["unit_id"] for r in rows}
    missing = [a for a in ACCOUNTS[:2] if a not in users]
    if missing:
        raise SystemExit(
            f"the data has no {', '.join(missing)} account: generate it with "
            "`partyplan bench generate` first"
        )
    commission, school = units["bench-commission"], units["bench-school"]
    period = await conn.fetchrow(
        "SELECT p.id, p.name FROM plan_periods p JOIN unit_quotas q ON q.period_id = p.id"
        " AND q.unit_id = $2 AND q.received_total > 0"
        " WHERE p.commission_id = $1 AND p.state = 'issued'"
        " ORDER BY (current_date BETWEEN p.starts_on AND p.ends_on) DESC, p.starts_on DESC"
        " LIMIT 1",
        commission,
        school,
    )
    if period is None:
        raise SystemExit("no issued plan period gives the first school a quota")
    committees = [
        r["id"]
        for r in await conn.fetch(
            "SELECT id FROM units WHERE parent_id = $1 AND active ORDER BY id", school
        )
    ]
    fixture = Fixture(users, commission, school, period["id"], period["name"], committees)
    fixture.school_available = await conn.fetchval(
        "SELECT received_total - handed_total - reserve_total FROM unit_quotas"
        " WHERE period_id = $1 AND unit_id = $2",
        period["id"],
        school,
    )
    fixture.m1_user, fixture.m1_recruits = await _m1_targets(conn, units)
    fixture.counts = dict(
        await conn.fetchrow(
            "SELECT (SELECT count(*) FROM units) AS units,"
            " (SELECT count(*) FROM units WHERE kind = 'school') AS schools,"
            " (SELECT count(*) FROM recruits) AS recruits,"
            " (SELECT count(*) FROM warnings) AS warnings"
        )
    )
    return fixture


# Step 6 (cultivation, 培养教育考察) is repeatable until step 7 and needs only step 5: a branch
# records an assessment each time one takes place. Rotating over many recruits keeps each
# history short (recordStep re-judges the whole history) and spreads the row locks.
_M1_CANDIDATES = """
SELECT r.id FROM recruits r
 WHERE r.unit_path <@ (SELECT path FROM units WHERE id = $1) AND r.stage = 'activist'
   AND EXISTS (SELECT 1 FROM recruit_steps s WHERE s.recruit_id = r.id AND s.step_code = 'contacts')
   AND NOT EXISTS (SELECT 1 FROM recruit_steps s
                    WHERE s.recruit_id = r.id AND s.step_code = 'development_target')
 ORDER BY r.id LIMIT 500
"""
M1_ENOUGH = 200  # so that a run adds few steps to each history (recordStep re-judges it all)


async def _m1_targets(conn: asyncpg.Connection, units: dict[str, int]) -> tuple[str, list[int]]:
    """The narrowest account (branch secretary, then unit, then school) that reaches enough
    recruits in step 6; the widest one's list when none does."""
    best: tuple[str, list[int]] = ("", [])
    for account in ("bench-branch", "bench-unit", "bench-school"):
        if account not in units:
            continue
        ids = [r["id"] for r in await conn.fetch(_M1_CANDIDATES, units[account])]
        if len(ids) >= M1_ENOUGH:
            return account, ids
        if len(ids) > len(best[1]):
            best = (account, ids)
    return best


#: The scenarios' documents, which our service knows by id (bench/runner/serve.py puts them
#: beside the platform's own): a screen or a registered client sends them so, and the service
#: answers the ones it compiles by one statement building the response (schema/compiled).
KNOWN = {"Q1": Q1, "Q2": Q2, "Q3": Q3, "Q4": Q4, "M1": M1, "M2": M2}


def document_id(query: str) -> str:
    return "sha256:" + hashlib.sha256(query.encode()).hexdigest()


def _body(query: str, variables: dict[str, Any]) -> str:
    return json.dumps(
        {"documentId": document_id(query), "variables": variables}, ensure_ascii=False
    )


def write_documents(folder: Path) -> Path:
    """The platform's own documents and the scenarios', one file each, for the service."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in PLATFORM_DOCUMENTS.glob("*.graphql"):
        (folder / source.name).write_bytes(source.read_bytes())
    for name, text in KNOWN.items():
        (folder / f"bench-{name}.graphql").write_text(text, encoding="utf-8")
    return folder


def graphql_bodies(name: str, fx: Fixture, today: date) -> tuple[str, list[str]]:
    """(the caller's username, the request bodies wrk rotates over) for our service."""
    period = gid("PlanPeriod", fx.period_id)
    if name == "Q1":
        return "bench-commission", [
            _body(Q1, {"unit": gid("Unit", fx.commission_id), "period": period})
        ]
    if name == "Q2":
        return "bench-school", [_body(Q2, {"unit": gid("Unit", fx.school_id), "period": period})]
    if name == "Q3":
        return "bench-school", [_body(Q3, {"under": gid("Unit", fx.school_id)})]
    if name == "Q4":
        return "bench-school", [_body(Q4, {"under": gid("Unit", fx.school_id)})]
    if name == "M1":
        return fx.m1_user, [
            _body(
                M1,
                {
                    "input": {
                        "recruitId": gid("Recruit", r),
                        "step": "CULTIVATION",
                        "on": today.isoformat(),
                        "data": {"assessment": "合格"},
                    }
                },
            )
            for r in fx.m1_recruits
        ]
    if name == "M2":
        return "bench-school", [
            _body(
                M2,
                {
                    "input": {
                        "periodId": period,
                        "fromUnitId": gid("Unit", fx.school_id),
                        "toUnitId": gid("Unit", c),
                        "amounts": {"total": 1},
                    }
                },
            )
            for c in fx.committees
        ]
    raise ValueError(name)


def unusable(name: str, fx: Fixture) -> str | None:
    """Why a scenario cannot run on this data, or None."""
    if name == "M1" and not fx.m1_recruits:
        return "no recruit in step 6 (activist with contacts, no development target) in reach"
    if name == "M2" and not fx.committees:
        return "the school has no active child unit to allocate to"
    return None


# --- the answers as tuples --------------------------------------------------------------------

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

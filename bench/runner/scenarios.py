"""The scenarios: the GraphQL documents real screens send, who sends them, with which ids.

Ids are discovered by SQL from the generated data (``fixture.py``: :func:`discover`). Every
scenario's answer can be reduced to plain tuples (``answer_tuples.py``: :func:`normalize_ours`,
:func:`normalize_floor`) so that our service, the floor and the peers are checked to return the
same numbers before anything is timed. Callers import all of it from here.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

from partyplan.schema.policies.admission import PLATFORM_DOCUMENTS

from .answer_tuples import Q1_FIGURES, differences, normalize_floor, normalize_ours, peer_view
from .fixture import ACCOUNTS, M1_ENOUGH, Fixture, discover
from .global_ids import gid, ungid

SCENARIO_TITLES = {
    "Q1": "commission's province roll-up, one line per school",
    "Q2": "a school's plan with its children's lines (the branch table)",
    "Q3": "a page of 50 recruits with branch, stage, next step and findings",
    "Q4": "a school's open warnings (page of 50)",
    "M1": "recordStep (a cultivation assessment, step 6)",
    "M2": "allocateQuota (1 place, school → committee)",
}
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


__all__ = [
    "ACCOUNTS",
    "KNOWN",
    "M1",
    "M1_ENOUGH",
    "M2",
    "PAGE",
    "Q1",
    "Q1_FIGURES",
    "Q2",
    "Q3",
    "Q4",
    "SCENARIO_TITLES",
    "Fixture",
    "differences",
    "discover",
    "document_id",
    "gid",
    "graphql_bodies",
    "normalize_floor",
    "normalize_ours",
    "peer_view",
    "ungid",
    "unusable",
    "write_documents",
]

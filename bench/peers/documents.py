"""The GraphQL documents each peer answers, and their responses as comparable rows.

Both PostGraphiles generate their schema from the database, so the same scenario reads
slightly differently in each: PostGraphile 5 (Amber preset) calls the ``id`` column ``rowId``
(``id`` is its global Node ID) and orders by ``ROW_ID_ASC``; PostGraphile 4 keeps ``id`` and
``ID_ASC`` (its global ID is ``nodeId``). Both map ``bigint`` to a ``BigInt`` scalar that takes
a JSON number as a variable and answers a string, hence the ``int()`` below.

Variables, the same for every server: Q1 ``{"periodId": <plan period row id>, "unitId":
<commission row id>}`` (Q1-live: ``{"periodId"}`` only); Q2 ``{"periodId", "unitId": <school
row id>}``; Q3 and Q4 ``{"schoolId": <school unit row id>, "first": 50}``.

Q2 and Q4 are PostGraphile 5's only (the issue's peers for them); PostGraphile 4 answers Q1 and
Q3. Q2's selection is our Q2's own text (``scenarios.Q2``), asked of ``bench_peer.plan``
(plans.py), which PostGraphile 5 answers in our shape: nested amounts, the children a list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from partyplan.bench.runner import scenarios
from partyplan.models.rollups import PERIOD_FIGURES

from .servers import KINDS, Kind

# The columns of a Q1 row: a school and the figures of its roll-up line (the tallies' figures,
# in order, after the plan).
Q1_FIELDS = ("school_id", "plan", *PERIOD_FIGURES)
# The columns of a Q3 row: a recruit of the page, its unit (branch), stage and open findings.
Q3_FIELDS = ("recruit_id", "unit_name", "stage", "open_findings")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


_Q1_SELECTION = " ".join(["schoolName", *(_camel(f) for f in Q1_FIELDS)])
# youth_35 → youth35: PostGraphile's camelCase drops the underscore before a digit too.
# The live baseline: bench_peer.province_rollup aggregates the recruits on every request.
Q1_LIVE = f"""query Q1Live($periodId: Int!) {{
  provinceRollup(periodId: $periodId) {{ nodes {{ {_Q1_SELECTION} }} }}
}}"""
# The fair peer: the same tallies read by our roll-up's own statement (tallies.py), asked for
# the fields our Q1 asks of each school line (its structure and pipeline answered flat).
_Q1_TALLY_FIELDS = " ".join(
    ["unitId", "unitName", "unitKind", "plan", "completionRate", *map(_camel, PERIOD_FIGURES)]
)
Q1 = f"""query Q1($periodId: Int!, $unitId: Int!) {{
  provinceRollupTallies(periodId: $periodId, unitId: $unitId) {{ nodes {{ {_Q1_TALLY_FIELDS} }} }}
}}"""


def _q3(id_field: str, order: str) -> str:
    """The data our Q3 asks (bench/runner/scenarios.py): pageInfo, the recruit's 10 scalars,
    its branch (id, name) and each of its findings, in id order as ours lists them."""
    return f"""query Q3($schoolId: BigInt!, $first: Int!) {{
  allRecruits(condition: {{schoolId: $schoolId}}, orderBy: {order}, first: $first) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      {id_field} name gender category stage stageSince nextStep nextDueOn openFindings approvedOn
      unitByBranchId {{ {id_field} name }}
      recruitFindingsByRecruitId(orderBy: {order}) {{
        nodes {{ ruleId severity stepCode message dueOn daysLate }}
      }}
    }}
  }}
}}"""


_Q2_HEAD = re.compile(
    r"^query BranchTable\(\$unit: ID!, \$period: ID!\) \{\n"
    r"  plan\(unitId: \$unit, periodId: \$period\) \{"
)


def _q2() -> str:
    """Our Q2 with the peer's arguments (row ids, not global ids); the selection is ours,
    character for character, so the two cannot ask for different data."""
    head = (
        "query BranchTable($unitId: Int!, $periodId: Int!) {\n"
        "  plan(unitId: $unitId, periodId: $periodId) {"
    )
    document, replaced = _Q2_HEAD.subn(head, scenarios.Q2)
    if replaced != 1:
        raise RuntimeError("scenarios.Q2 no longer starts as the peer's Q2 expects")
    return document


def _q4(id_field: str, order: str) -> str:
    """The data our Q4 asks (bench/runner/scenarios.py): a school's open warnings, newest
    first, with pageInfo; the unit's name through ``unitByUnitId``."""
    return f"""query Q4($schoolId: BigInt!, $first: Int!) {{
  allWarnings(condition: {{schoolId: $schoolId, status: "open"}}, orderBy: {order}, first: $first) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      {id_field} kind status message evidence unitId unitByUnitId {{ name }} periodId recruitId
      raisedAt seenOn
    }}
  }}
}}"""


_ID_FIELD: dict[str, str] = {"postgraphile5": "rowId", "postgraphile4": "id"}
_DOCUMENTS: dict[str, dict[str, str]] = {
    "postgraphile5": {
        "Q1": Q1,
        "Q1-live": Q1_LIVE,
        "Q2": _q2(),
        "Q3": _q3("rowId", "ROW_ID_ASC"),
        "Q4": _q4("rowId", "ROW_ID_DESC"),
    },
    "postgraphile4": {"Q1": Q1, "Q1-live": Q1_LIVE, "Q3": _q3("id", "ID_ASC")},
}


def documents(kind: Kind) -> dict[str, str]:
    """The peer ``kind``'s documents by scenario: Q1 reads the tallies (the fair peer),
    Q1-live aggregates the recruits (the live baseline), Q3 the recruits' page; PostGraphile 5
    also answers Q2 (the plan, plans.py) and Q4 (the open warnings)."""
    if kind not in KINDS:
        raise ValueError(f"unknown peer {kind!r}; one of {KINDS}")
    return dict(_DOCUMENTS[kind])


def normalize(kind: Kind, scenario: str, response: Any) -> list[tuple[Any, ...]]:
    """The response (parsed JSON, or its text) as rows of ``Q1_FIELDS`` / ``Q3_FIELDS`` (Q2
    and Q4: the tuples ``scenarios.normalize_ours`` makes), in the server's order. Raises
    ``ValueError`` on GraphQL errors. The agreement check compares whole responses (Q1–Q4)."""
    if isinstance(response, str | bytes):
        response = json.loads(response)
    if response.get("errors") or not response.get("data"):
        raise ValueError(f"{kind} {scenario} answered errors: {response.get('errors')}")
    data = response["data"]
    if scenario == "Q1":
        return [
            (int(n["unitId"]), *(int(n[_camel(f)]) for f in Q1_FIELDS[1:]))
            for n in data["provinceRollupTallies"]["nodes"]
        ]
    if scenario == "Q1-live":
        return [
            tuple(int(n[_camel(f)]) for f in Q1_FIELDS) for n in data["provinceRollup"]["nodes"]
        ]
    if scenario == "Q3":
        id_field = _ID_FIELD[kind]
        return [
            (int(n[id_field]), n["unitByBranchId"]["name"], n["stage"], int(n["openFindings"]))
            for n in data["allRecruits"]["nodes"]
        ]
    if scenario == "Q2":  # as scenarios.normalize_ours: one per child
        return [
            (
                c["unitName"],
                c["received"]["total"],
                c["forecast"]["amounts"]["total"],
                c["admitted"],
            )
            for c in data["plan"]["children"]
        ]
    if scenario == "Q4":  # as scenarios.normalize_ours: (id, kind, unit name)
        id_field = _ID_FIELD[kind]
        return [
            (int(n[id_field]), n["kind"].lower(), n["unitByUnitId"]["name"])
            for n in data["allWarnings"]["nodes"]
        ]
    raise ValueError(f"unknown scenario {scenario!r}")


def rollup_rows(lines: Iterable[Any]) -> list[tuple[int, ...]]:
    """Our own commission roll-up as Q1 rows: the school lines of
    ``partyplan.resolvers.rollups.repository.lines(session, period, commission)`` (its first
    row is the commission's own line, dropped here), for the check against the peers."""
    return [_line_row(row) for row in lines if row.unit_kind == "school"]


def _line_row(row: Any) -> tuple[int, ...]:
    # A school's plan is the quota it received (RollupLine.plan).
    values = {"school_id": row.unit_id, "plan": row.received_total}
    return tuple(int(values[f] if f in values else getattr(row, f)) for f in Q1_FIELDS)

"""Access matrix rows of data calls and the activists' ledger (``tests/support_matrix.py``).

A data call is school A's, sent to A1 and A1a: its rows' "other school" caller is school B's
administrator, who neither reaches the issuer nor a unit the call was sent to (NOT_FOUND)."""

from __future__ import annotations

from typing import Any

from support_datacalls import issue, issue_input
from support_matrix import Case

_OURS = ("answerDataCall", "closeDataCall")

CASES: dict[str, Case] = {
    "dataCalls": Case(
        "{ dataCalls { edges { node { title } } } }",
        lambda w, c: {},
        "viewer",
        ("nobody", "FORBIDDEN"),
        None,
        "a list of what the caller reaches; another school's calls are absent, not refused",
    ),
    "issueDataCall": Case(
        "mutation($input: IssueDataCallInput!) { issueDataCall(input: $input)"
        " { dataCall { id } errors { code } } }",
        lambda w, c: {"input": issue_input(w, "A", ["A1", "A1a"])},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "answerDataCall": Case(
        "mutation($c: ID!, $u: ID!) { answerDataCall(input: {dataCallId: $c, unitId: $u,"
        ' answers: {teachers: 3, applied: 1, level: "一般"}})'
        " { response { answered } errors { code } } }",
        lambda w, c: {"c": c["dataCall"], "u": w.gid("A1a")},
        "branch_secretary",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
        "the viewer reaches the call and the branch but may not answer",
    ),
    "closeDataCall": Case(
        "mutation($c: ID!) { closeDataCall(input: {dataCallId: $c})"
        " { dataCall { state } errors { code } } }",
        lambda w, c: {"c": c["dataCall"]},
        "school_admin",
        ("unit_admin", "FORBIDDEN"),
        "other_school_admin",
        "the unit admin reaches the call through A1, but closing is the issuer's",
    ),
    "activistLedger": Case(
        "query($u: ID!) { activistLedger(unitId: $u) { path masked downloadUrl } }",
        lambda w, c: {"u": w.gid("A1")},
        "unit_admin",
        ("nobody", "NOT_FOUND"),
        "other_school_admin",
        "every role with a unit in reach reads recruits there; no role reaches nothing",
    ),
}


async def prepare(gql: Any, world: Any, owner_engine: Any, field: str | None, ids: dict) -> dict:
    if field is not None and field not in _OURS:
        return {}
    return {"dataCall": await issue(gql, world, "A", ["A1", "A1a"], "school_admin")}

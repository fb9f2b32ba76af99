"""Access-matrix rows of named targets (``placeQuota``, ``nameForecast``, ``namedTargets``):
the matrix's issued 2023 period, two of committee A1's places handed to branch A1a, and a
development target of A1a."""

from __future__ import annotations

from datetime import date
from typing import Any

from support import gid
from support_matrix import Case
from support_records import Records

_FIELDS = "namedTargets { placesNamed forecastNames } errors { code }"

CASES: dict[str, Case] = {
    "placeQuota": Case(
        "mutation($p: ID!, $u: ID!, $r: [ID!]!) { placeQuota(input: {periodId: $p, unitId: $u,"
        f" recruitIds: $r}}) {{ {_FIELDS} }} }}",
        lambda w, c: {"p": c["period"], "u": w.gid("A1a"), "r": [c["named_target"]]},
        "branch_secretary",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
        "forecast.submit at the branch: the branch puts its places on names",
    ),
    "nameForecast": Case(
        "mutation($p: ID!, $u: ID!, $r: [ID!]!) { nameForecast(input: {periodId: $p, unitId: $u,"
        f" recruitIds: $r}}) {{ {_FIELDS} }} }}",
        lambda w, c: {"p": c["period"], "u": w.gid("A1a"), "r": [c["named_target"]]},
        "branch_secretary",
        ("sync_agent", "FORBIDDEN"),
        "other_school_admin",
        "forecast.submit at the branch",
    ),
    "namedTargets": Case(
        "query($p: ID!, $u: ID!) { namedTargets(periodId: $p, unitId: $u) { placesAvailable"
        " names { recruitName } } }",
        lambda w, c: {"p": c["period"], "u": w.gid("A1a")},
        "branch_secretary",
        ("sync_agent", "FORBIDDEN"),
        "other_school_admin",
        "plan.read and recruit.read at the unit",
    ),
}

_ALLOCATE = (
    "mutation($p: ID!, $f: ID!, $t: ID!) { allocateQuota(input: {periodId: $p, fromUnitId: $f,"
    " toUnitId: $t, amounts: {total: 2}}) { errors { code } } }"
)


async def prepare(
    gql: Any, world: Any, owner_engine: Any, field: str | None, ids: dict[str, str]
) -> dict[str, str]:
    if field not in CASES:
        return {}
    result = await gql(
        _ALLOCATE,
        {"p": ids["period"], "f": world.gid("A1"), "t": world.gid("A1a")},
        world.tokens["unit_admin"],
    )
    assert result["data"]["allocateQuota"]["errors"] == [], result
    recruit = await Records(owner_engine, world).recruit(
        "A1a", stage="development_target", activist_on=date(2022, 1, 1), target_on=date(2023, 2, 1)
    )
    return {"named_target": gid("Recruit", recruit)}

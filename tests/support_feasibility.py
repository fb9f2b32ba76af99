"""Recruits walked through recordStep to a stage, on days relative to today: what the feasible
admissions' tests record (tests/feasibility)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import support_recruits as api
from support import id_number

from partyplan.resolvers.recruits.service.records import today as today_in

TODAY = today_in("Asia/Shanghai")

#: The path to an admission with each step's data and who records it (support_recruits.WALK).
STEPS: dict[str, tuple[dict[str, Any], str]] = {
    code: (data, account) for code, _, data, account in api.WALK[:17]
}


async def recruit(gql, world, serial: int, applied: date) -> str:  # type: ignore[no-untyped-def]
    created = await api.create(
        gql,
        world,
        idNumber=id_number("20030504", serial),
        applicationDate=applied.isoformat(),
    )
    return created["recruit"]["id"]


async def record(gql, world, recruit_id: str, code: str, on: date) -> dict:  # type: ignore[no-untyped-def]
    data, account = STEPS[code]
    return await api.step(gql, world, recruit_id, code, on, data, account)


async def walked(gql, world, serial: int, steps: list[tuple[str, date]]) -> str:  # type: ignore[no-untyped-def]
    """A recruit of A1a with ``steps`` recorded after an application a month before the first."""
    first = steps[0][1] if steps else TODAY
    recruit_id = await recruit(gql, world, serial, first - timedelta(days=20))
    for code, on in steps:
        await record(gql, world, recruit_id, code, on)
    return recruit_id


def activist_steps(on: date) -> list[tuple[str, date]]:
    return [
        ("talk", on - timedelta(days=10)),
        ("activist", on),
        ("activist_filing", on),
        ("contacts", on),
        ("cultivation", on),
    ]


def target_steps(activist: date, target: date, review: date) -> list[tuple[str, date]]:
    return [
        *activist_steps(activist),
        ("development_target", target),
        ("target_filing", target),
        ("introducers", target),
        ("political_review", review),
        ("training", review),
    ]

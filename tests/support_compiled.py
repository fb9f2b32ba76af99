"""The compiled documents' tests (tests/schema/test_compiled_*.py): who asks, where, and the
same document sent as text (the ordinary executor) and by its id (compiled)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from support import gid
from support_records import Records

ACCOUNTS = (
    "commission_admin",
    "commission_viewer",
    "school_admin",
    "unit_admin",
    "branch_secretary",
    "viewer",
    "sync_agent",
    "other_school_admin",
    "other_commission_admin",
    "nobody",
)
UNITS = ("commission", "A", "A1", "A1a", "A1b", "A2", "B", "B1", "commission2", "C")


def document_id(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


async def both(http, world, account: str | None, text: str, variables: dict) -> tuple[Any, Any]:  # type: ignore[no-untyped-def]
    headers = {} if account is None else {"Authorization": f"Bearer {world.tokens[account]}"}
    ordinary = await http.post(
        "/graphql", json={"query": text, "variables": variables}, headers=headers
    )
    known = await http.post(
        "/graphql",
        json={"documentId": document_id(text), "variables": variables},
        headers=headers,
    )
    assert known.status_code == ordinary.status_code, (known.text, ordinary.text)
    return ordinary.json(), known.json()


STARTS, ENDS = date(2025, 1, 1), date(2025, 12, 31)
QUOTA_UNITS = ("commission", "A", "A1", "A1a", "A1b", "A2", "B", "B1")
BRANCHES = ("A1a", "A1b", "A2", "B1")
#: A moment with or without a fraction of a second (``datetime.isoformat`` writes it only then).
MOMENT = st.datetimes(datetime(2024, 1, 1), datetime(2026, 1, 1), timezones=st.just(UTC)) | st.just(
    datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
)


def amounts(data, prefix: str, ceiling: dict | None = None) -> dict:  # type: ignore[no-untyped-def]
    total = data.draw(st.integers(0, 40 if ceiling is None else ceiling[f"{prefix}_total"]))
    students = data.draw(st.integers(0, total))
    return {
        f"{prefix}_total": total,
        f"{prefix}_students": students,
        f"{prefix}_staff": data.draw(st.integers(0, total - students)),
        f"{prefix}_high_knowledge": data.draw(st.integers(0, total)),
    }


async def random_plan(  # type: ignore[no-untyped-def]
    data, records: Records, world, period: int, units: tuple[str, ...] | list[str] = QUOTA_UNITS
) -> None:
    """Balances on the commission and on a random set of ``units`` (the world's keys), each
    with a forecast and its remark and time; recruits admitted in random branches."""
    for unit in {"commission"} | data.draw(st.sets(st.sampled_from(units))):
        received = amounts(data, "received")
        # All of it handed down, or reserved, or neither: every bound of a balance holds.
        handed, reserve = data.draw(st.sampled_from([(0, 0), (1, 0), (0, 1)]))
        columns = {
            **received,
            **{k.replace("received", "handed"): v * handed for k, v in received.items()},
            **{k.replace("received", "reserve"): v * reserve for k, v in received.items()},
            **amounts(data, "forecast"),
            "forecast_remark": data.draw(st.one_of(st.none(), st.sampled_from(['预计"高"', "无"]))),
            "forecast_at": data.draw(st.one_of(st.none(), MOMENT)),
        }
        names = ", ".join(columns)
        await records.sql(
            f"INSERT INTO unit_quotas (period_id, unit_id, unit_path, unit_kind, school_id,"
            f" {names}) SELECT :p, id, path, kind, school_id,"
            f" {', '.join(':' + k for k in columns)} FROM units WHERE id = :u",
            p=period,
            u=world.units[unit],
            **columns,
        )
    for _ in range(data.draw(st.integers(0, 8))):
        branch = data.draw(st.sampled_from(BRANCHES))
        on = STARTS + timedelta(days=data.draw(st.integers(-30, 400)))
        stage = data.draw(st.sampled_from(["probationary", "activist", "development_target"]))
        approved = on if stage == "probationary" else None
        await records.recruit(
            branch,
            stage=stage,
            activist_on=date(2023, 1, 1),
            target_on=date(2024, 6, 1) if stage != "activist" else None,
            approved_on=approved,
        )


async def ask_alike(data, http, world, text: str, period: int, asked: list) -> None:  # type: ignore[no-untyped-def]
    """Each (account, unit) of ``asked`` (a world's key, or an id as sent) sends ``text`` both
    ways for the unit in the period (from the third on, a period drawn among it, an unknown
    one and a malformed id): the same JSON, errors included, and every success from SQL."""
    periods = st.sampled_from([gid("PlanPeriod", period), gid("PlanPeriod", 10**9), "x"])
    for n, (account, unit) in enumerate(asked):
        variables = {
            "unit": world.gid(unit) if unit in world.units else unit,
            "period": gid("PlanPeriod", period) if n < 2 else data.draw(periods),
        }
        answered = http.compiled.answered
        ordinary, known = await both(http, world, account, text, variables)
        assert known == ordinary, (account, variables)
        if "errors" not in ordinary:
            assert http.compiled.answered == answered + 1

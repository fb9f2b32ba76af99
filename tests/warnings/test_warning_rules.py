"""Each warning kind raised by a hand-built case and not by its near miss; the scan is
idempotent, resolves what cleared and reopens what recurs; the thresholds are data."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

Y2024 = (date(2024, 1, 1), date(2024, 12, 31))


async def slow_progress(records, world, near_miss: bool) -> tuple[date, str]:  # type: ignore[no-untyped-def]
    period = await records.period(*Y2024)
    await records.quota(period, "A", 10)
    # By 30 June half the year has passed: 10 × 0.497 × 0.8 = 3.98 expected at the least.
    await records.admitted(4 if near_miss else 3, date(2024, 5, 20))
    await records.admitted(5, date(2024, 7, 2))  # after the quarter end: not counted
    return date(2024, 7, 5), "学校甲党委"


async def over_plan(records, world, near_miss: bool) -> tuple[date, str]:  # type: ignore[no-untyped-def]
    period = await records.period(*Y2024)
    await records.quota(period, "A", 10)
    await records.quota(period, "A1", 2)
    await records.admitted(2 if near_miss else 3, date(2024, 5, 20))
    return date(2024, 6, 1), "甲院党委"


async def rushed(records, world, near_miss: bool) -> tuple[date, str]:  # type: ignore[no-untyped-def]
    await records.period(*Y2024)
    await records.admitted(4, date(2024, 3, 10))
    await records.admitted(2 if near_miss else 4, date(2024, 12, 20))  # the last four weeks
    return date(2025, 1, 10), "学校甲党委"


async def long_term_none(records, world, near_miss: bool) -> tuple[date, str]:  # type: ignore[no-untyped-def]
    await records.sql(
        "UPDATE units SET created_at = '2018-01-01' WHERE id = :u", u=world.units["A1a"]
    )
    await records.recruit(stage="activist", activist_on=date(2023, 3, 1))
    await records.admitted(1, date(2022, 8, 1) if near_miss else date(2021, 5, 1))
    return date(2024, 7, 1), "甲院第一党支部"


async def large_swing(records, world, near_miss: bool) -> tuple[date, str]:  # type: ignore[no-untyped-def]
    earlier = await records.period(date(2022, 1, 1), date(2022, 12, 31))
    await records.period(date(2023, 1, 1), date(2023, 12, 31))
    await records.admitted(10, date(2022, 6, 1))
    await records.sql("UPDATE plan_periods SET state = 'closed' WHERE id = :p", p=earlier)
    await records.admitted(6 if near_miss else 4, date(2023, 6, 1))  # -40% / -60%
    return date(2024, 3, 1), "学校甲党委"


async def overdue_step(records, world, near_miss: bool) -> tuple[date, str]:  # type: ignore[no-untyped-def]
    due = date(2024, 7, 1) if near_miss else date(2024, 6, 30)
    await records.recruit(
        stage="development_target",
        activist_on=date(2023, 1, 1),
        target_on=date(2024, 3, 1),
        next_step="committee_talk",
        next_due_on=due,
    )
    return date(2024, 7, 1), "甲院第一党支部"


async def missing_data(records, world, near_miss: bool) -> tuple[date, str]:  # type: ignore[no-untyped-def]
    await records.recruit(phone=near_miss)
    return date(2024, 7, 1), "甲院第一党支部"


async def report_overdue(records, world, near_miss: bool) -> tuple[date, str]:  # type: ignore[no-untyped-def]
    period = await records.period(date(2023, 1, 1), date(2023, 12, 31), due=date(2023, 12, 15))
    # School B has reported; school A too in the near miss.
    await records.sql(
        "INSERT INTO execution_reports (period_id, unit_id, unit_path, school_id, status,"
        " snapshot, content_hash) SELECT :p, id, path, id, 'submitted', '{}', 'x' FROM units"
        " WHERE id = ANY(:ids)",
        p=period,
        ids=[world.units["B"]] + ([world.units["A"]] if near_miss else []),
    )
    return date(2023, 12, 20), "学校甲党委"


CASES = [
    slow_progress,
    over_plan,
    rushed,
    long_term_none,
    large_swing,
    overdue_step,
    missing_data,
    report_overdue,
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
async def test_raised_by_the_case(case, records, world) -> None:  # type: ignore[no-untyped-def]
    today, unit_name = await case(records, world, near_miss=False)
    result = await records.scan(today)
    standing = await records.standing(case.__name__)
    assert [w.unit_name for w in standing] == [unit_name], [w.message for w in standing]
    assert result.raised == {**result.raised, case.__name__: 1}
    assert standing[0].status == "open" and standing[0].evidence


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
async def test_not_raised_by_the_near_miss(case, records, world) -> None:  # type: ignore[no-untyped-def]
    today, _ = await case(records, world, near_miss=True)
    await records.scan(today)
    assert await records.standing(case.__name__) == []


async def test_scanning_twice_adds_and_changes_nothing(records, world, owner_engine) -> None:  # type: ignore[no-untyped-def]
    for case in CASES:
        if case is not large_swing and case is not report_overdue:
            await case(records, world, near_miss=False)
    first = await records.scan(date(2024, 7, 5))
    assert first.raised
    async with owner_engine.connect() as conn:
        before = (await conn.execute(sa.text("SELECT * FROM warnings ORDER BY id"))).all()
    second = await records.scan(date(2024, 7, 5))
    assert (second.raised, second.changed, second.resolved) == ({}, {}, {})
    async with owner_engine.connect() as conn:
        after = (await conn.execute(sa.text("SELECT * FROM warnings ORDER BY id"))).all()
    assert after == before


async def test_a_cleared_warning_is_resolved_and_reopened_when_it_recurs(records, world) -> None:  # type: ignore[no-untyped-def]
    recruit = await records.recruit(phone=False)
    await records.scan(date(2024, 7, 1))
    [warning] = await records.standing("missing_data")
    assert warning.evidence == {"missing": ["手机号码"]}
    await records.sql("UPDATE recruits SET phone_enc = '\\x01' WHERE id = :r", r=recruit)
    result = await records.scan(date(2024, 7, 1))
    assert result.resolved == {"missing_data": 1} and await records.standing("missing_data") == []
    await records.sql("UPDATE recruits SET phone_enc = NULL WHERE id = :r", r=recruit)
    await records.scan(date(2024, 7, 2))
    [again] = await records.standing("missing_data")
    assert again.id == warning.id and again.status == "open"


async def test_an_activists_missing_contacts_are_due_after_the_grace_days(records, world) -> None:  # type: ignore[no-untyped-def]
    recruit = await records.recruit(stage="activist", activist_on=date(2024, 6, 1))
    await records.step(recruit, "activist", date(2024, 6, 1), {"recommended_by": "party_members"})
    await records.scan(date(2024, 6, 20))  # within the 30 days
    assert await records.standing("missing_data") == []
    await records.scan(date(2024, 7, 2))
    [warning] = await records.standing("missing_data")
    assert warning.evidence == {"missing": ["培养联系人（2 名）"]}
    await records.step(recruit, "contacts", date(2024, 7, 2), {"contacts": ["m-1", "m-2"]})
    await records.scan(date(2024, 7, 3))
    assert await records.standing("missing_data") == []


async def test_a_step_item_is_judged_on_the_steps_current_version(records, world) -> None:  # type: ignore[no-untyped-def]
    recruit = await records.recruit(stage="activist", activist_on=date(2024, 1, 1))
    await records.step(recruit, "activist", date(2024, 1, 1), {})
    await records.step(recruit, "contacts", date(2024, 1, 5), {"contacts": ["m-1", "m-2"]})
    await records.scan(date(2024, 7, 1))
    [warning] = await records.standing("missing_data")
    assert warning.evidence == {"missing": ["推荐方式"]}  # each item from its own step

    async def correct(code: str, data: dict) -> None:
        await records.sql(
            "INSERT INTO recruit_steps (recruit_id, school_id, unit_path, step_code, on_date,"
            " data, rule_version, supersedes_id, correction_reason)"
            " SELECT recruit_id, school_id, unit_path, step_code, on_date, CAST(:d AS jsonb),"
            " 'test', id, 'corrected' FROM recruit_steps s WHERE recruit_id = :r"
            " AND step_code = :c AND NOT EXISTS"
            " (SELECT 1 FROM recruit_steps n WHERE n.supersedes_id = s.id)",
            r=recruit,
            c=code,
            d=json.dumps(data),
        )

    await correct("activist", {"recommended_by": "party_members"})
    await correct("contacts", {"contacts": ["m-1"]})  # the superseded version named two
    await records.scan(date(2024, 7, 2))
    [warning] = await records.standing("missing_data")
    assert warning.evidence == {"missing": ["培养联系人（2 名）"]}
    await correct("contacts", {"contacts": ["m-1", "m-2"]})
    await records.scan(date(2024, 7, 3))
    assert await records.standing("missing_data") == []


async def test_a_past_quarters_slow_progress_stays_when_the_next_quarter_is_judged(
    records, world
) -> None:  # type: ignore[no-untyped-def]
    await slow_progress(records, world, near_miss=False)
    await records.scan(date(2024, 7, 5))
    await records.admitted(10, date(2024, 8, 1))  # caught up by the third quarter end
    await records.scan(date(2024, 10, 2))
    [q2] = await records.standing("slow_progress")
    assert q2.evidence["quarter_end"] == "2024-06-30"


async def test_a_switched_off_rule_resolves_its_warnings(records, world) -> None:  # type: ignore[no-untyped-def]
    await records.recruit(phone=False)
    await records.scan(date(2024, 7, 1))
    await records.sql(
        "INSERT INTO warning_rules (commission_id, commission_path, kind, enabled)"
        " SELECT id, path, 'missing_data', false FROM units WHERE id = :c",
        c=world.units["commission"],
    )
    result = await records.scan(date(2024, 7, 1))
    assert result.resolved == {"missing_data": 1}


async def _transfer_admitted_to(records, world, branch: str) -> None:  # type: ignore[no-untyped-def]
    """Every admitted recruit moves to ``branch`` (as a transfer does: the place it was
    admitted at stays)."""
    await records.sql(
        "UPDATE recruits r SET branch_id = u.id, unit_path = u.path, school_id = u.school_id"
        " FROM units u WHERE u.id = :b AND r.approved_on IS NOT NULL",
        b=world.units[branch],
    )


async def test_a_transfer_leaves_the_admission_with_the_branch_that_approved_it(
    records, world
) -> None:  # type: ignore[no-untyped-def]
    """The branch admitted someone in 2022-08 (the near miss of long_term_none); that recruit
    was transferred to another school since: the branch still admitted, no warning."""
    await long_term_none(records, world, near_miss=True)
    await _transfer_admitted_to(records, world, "B1")
    await records.scan(date(2024, 7, 1))
    assert await records.standing("long_term_none") == []


async def test_rushed_admissions_stay_with_the_school_that_approved_them(records, world) -> None:  # type: ignore[no-untyped-def]
    today, school = await rushed(records, world, near_miss=False)
    await _transfer_admitted_to(records, world, "B1")
    await records.scan(today)
    assert [w.unit_name for w in await records.standing("rushed")] == [school]

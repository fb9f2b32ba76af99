"""细则第十一条: the branch assesses an activist every six months. An assessment not recorded
six months after the last one (after the activist's choice, the first time) is an overdue step
like any other: the scan raises it, and recording the assessment late clears it with a finding."""

from __future__ import annotations

from datetime import date

from support_recruits import WALK, create, step

CHOSEN = [w[0] for w in WALK].index("activist")


async def test_an_activist_without_an_assessment_for_six_months_is_warned(
    gql, world, records
) -> None:  # type: ignore[no-untyped-def]
    recruit = (await create(gql, world))["recruit"]["id"]
    for code, on, data, who in WALK[: CHOSEN + 3]:  # talk … contacts; chosen on 20 Mar 2023
        payload = await step(gql, world, recruit, code, on, data, who)
        assert payload["errors"] == [], payload
    assert payload["recruit"]["nextStep"] == "CULTIVATION"
    assert payload["recruit"]["nextDueOn"] == "2023-09-20"

    await records.scan(date(2023, 9, 20))
    assert await records.standing("overdue_step") == []  # due that day: not yet overdue
    await records.scan(date(2023, 9, 21))
    [warning] = await records.standing("overdue_step")
    assert "第 6 步“培养教育考察”应于 2023-09-20 前完成" in warning.message
    assert warning.evidence == {"step": "cultivation", "due_on": "2023-09-20"}

    late = await step(
        gql,
        world,
        recruit,
        "cultivation",
        date(2023, 9, 25),
        {"assessment": "合格"},
        "branch_secretary",
    )
    assert late["recruit"]["findings"] == [
        {
            "ruleId": "cultivation.every_6m",
            "severity": "warning",
            "step": "CULTIVATION",
            "daysLate": 5,
        }
    ]
    assert late["recruit"]["nextDueOn"] == "2024-03-25"  # six months from this assessment
    result = await records.scan(date(2023, 9, 26))
    assert result.resolved == {"overdue_step": 1}

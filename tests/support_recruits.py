"""Shared by the recruits tests: a realistic walk through the 25 steps and API helpers."""

from __future__ import annotations

from datetime import date
from typing import Any

from support import id_number

CREATE = """mutation($input: CreateRecruitInput!) { createRecruit(input: $input) {
  recruit { id name idNumber phone stage stageSince nextStep nextDueOn openFindings branch { name } }
  errors { code field message } } }"""
STEP = """mutation($input: RecordStepInput!) { recordStep(input: $input) {
  recruit { stage nextStep nextDueOn openFindings approvedOn findings { ruleId severity step daysLate } }
  errors { code field message } } }"""

VOTES_15 = {"entitled": 25, "present": 21, "in_favour": 20}
VOTES_23 = {"entitled": 26, "present": 22, "in_favour": 22}
# (step, date, data, who records it): a student's path, as in tests/recruits/test_steps.py.
WALK: list[tuple[str, date, dict[str, Any], str]] = [
    ("talk", date(2022, 10, 10), {"talked_by": "支部书记"}, "branch_secretary"),
    ("activist", date(2023, 3, 20), {"recommended_by": "mass_organization"}, "branch_secretary"),
    ("activist_filing", date(2023, 3, 27), {}, "unit_admin"),
    ("contacts", date(2023, 3, 28), {"contacts": ["m-101", "m-102"]}, "branch_secretary"),
    ("cultivation", date(2023, 9, 20), {"assessment": "合格"}, "branch_secretary"),
    ("cultivation", date(2024, 3, 18), {"assessment": "合格"}, "branch_secretary"),
    ("development_target", date(2024, 3, 25), {}, "branch_secretary"),
    ("target_filing", date(2024, 3, 29), {}, "unit_admin"),
    ("introducers", date(2024, 4, 1), {"introducers": ["m-101", "m-102"]}, "branch_secretary"),
    ("political_review", date(2024, 4, 20), {"conclusion": "qualified"}, "branch_secretary"),
    ("training", date(2024, 4, 26), {"days": 3, "hours": 24}, "unit_admin"),
    ("branch_committee_review", date(2024, 5, 10), {}, "branch_secretary"),
    ("pre_review", date(2024, 5, 17), {}, "unit_admin"),
    ("application_form", date(2024, 5, 24), {}, "branch_secretary"),
    ("branch_meeting", date(2024, 6, 5), VOTES_15, "branch_secretary"),
    ("committee_talk", date(2024, 6, 14), {"talked_by": "组织员"}, "unit_admin"),
    ("approval", date(2024, 6, 25), {"document_no": "党委〔2024〕12号"}, "unit_admin"),
    ("assignment", date(2024, 6, 28), {"group": "第一党小组"}, "branch_secretary"),
    ("oath", date(2024, 7, 1), {}, "branch_secretary"),
    ("approval_filing", date(2024, 7, 5), {}, "school_admin"),
    ("probation_education", date(2024, 9, 30), {}, "branch_secretary"),
    ("probation_education", date(2024, 12, 30), {}, "branch_secretary"),
    ("conversion_application", date(2025, 5, 26), {}, "branch_secretary"),
    ("conversion_meeting", date(2025, 6, 5), VOTES_23, "branch_secretary"),
    ("conversion_approval", date(2025, 6, 20), {}, "unit_admin"),
    ("archiving", date(2025, 7, 10), {}, "unit_admin"),
]


def person(**overrides: Any) -> dict[str, Any]:
    values = {
        "name": "李明",
        "gender": "MALE",
        "ethnicity": "汉族",
        "birthDate": "2003-05-04",
        "idNumber": id_number("20030504", 12),
        "phone": "+86 138-1234-5678",
        "category": "UNDERGRADUATE",
        "education": "BELOW_COLLEGE",
        "applicationDate": "2022-09-15",
    }
    return {**values, **overrides}


async def create(gql, world, account: str = "branch_secretary", branch: str = "A1a", **overrides):  # type: ignore[no-untyped-def]
    result = await gql(
        CREATE,
        {"input": {"branchId": world.gid(branch), **person(**overrides)}},
        world.tokens[account],
    )
    assert "errors" not in result, result
    return result["data"]["createRecruit"]


async def step(gql, world, recruit: str, code: str, on: date, data: dict, account: str):  # type: ignore[no-untyped-def]
    result = await gql(
        STEP,
        {"input": {"recruitId": recruit, "step": code.upper(), "on": on.isoformat(), "data": data}},
        world.tokens[account],
    )
    assert "errors" not in result, result
    return result["data"]["recordStep"]


async def period(gql, world, year: int) -> str:  # type: ignore[no-untyped-def]
    admin = world.tokens["commission_admin"]
    created = await gql(
        "mutation($c: ID!, $n: String!, $s: Date!, $e: Date!) { createPlanPeriod(input: {"
        "commissionId: $c, name: $n, kind: CALENDAR_YEAR, startsOn: $s, endsOn: $e})"
        " { period { id } errors { code } } }",
        {
            "c": world.gid("commission"),
            "n": f"{year} 年度",
            "s": f"{year}-01-01",
            "e": f"{year}-12-31",
        },
        admin,
    )
    period_id = created["data"]["createPlanPeriod"]["period"]["id"]
    await gql(
        "mutation($p: ID!) { publishPlanPeriod(input: {periodId: $p}) { errors { code } } }",
        {"p": period_id},
        admin,
    )
    return period_id


async def admitted(gql, world, unit: str, period_id: str) -> int:  # type: ignore[no-untyped-def]
    result = await gql(
        "query($u: ID!, $p: ID!) { plan(unitId: $u, periodId: $p) { line { admitted } } }",
        {"u": world.gid(unit), "p": period_id},
        world.tokens["school_admin"],
    )
    return result["data"]["plan"]["line"]["admitted"]

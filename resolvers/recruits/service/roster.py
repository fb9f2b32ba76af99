"""Introducers (step 9) and contact persons (step 5) must be full members (正式党员) of the
recruit's school on the step's date (党章第五条; 细则第九条、第十四条); an introducer must not be
under 留党察看 with their rights not yet restored on that date (细则第十四条: restored on or
before the step's date is fine).

The rule engine is pure and knows no roster; this check runs after it has accepted the step's
shape, against the school's roster (``member_standing``: any branch of the school, standing
only). Every member named is judged and every failure reported, naming the list and the
position in it (``data.introducers.1``, as ``steps.datum`` places it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from partyplan.resolvers.errors import ValidationErrors
from partyplan.resolvers.members import repository as roster
from partyplan.resolvers.members.rules import under_party_probation
from partyplan.tenants.session import Session

from ..errors import RecruitError, RecruitErrorCode
from ..rules.locate import StepFields, as_recorded
from ..rules.steps import STEP_BY_CODE, FieldKind, datum

#: The member lists a 留党察看 not yet restored excludes, with the article that says so: an
#: introducer (细则第十四条). Contact persons need only be full members (细则第九条).
PARTY_PROBATION_EXCLUDES: Mapping[str, str] = {"introducers": "细则第十四条"}


def named_members(step_code: str, data: Mapping[str, Any]) -> dict[str, list[str]]:
    """The member codes a step's data names, by field (snake_case keys)."""
    return {
        spec.name: [str(m).strip() for m in data.get(spec.name) or ()]
        for spec in STEP_BY_CODE[step_code].fields
        if spec.kind is FieldKind.MEMBERS
    }


async def check_named_members(
    session: Session,
    *,
    school_id: int,
    step_code: str,
    on: date,
    data: Mapping[str, Any],
    fields: StepFields = as_recorded,
) -> None:
    """Every member the step's data names, judged against the roster on ``on``; the errors
    name ``data.<list>.<position>``, mapped by ``fields`` onto the caller's input."""
    named = named_members(step_code, data)
    codes = sorted({code for listed in named.values() for code in listed})
    if not codes:
        return
    standing = await roster.standing(session, school_id, codes)
    article = STEP_BY_CODE[step_code].article
    specs = {spec.name: spec for spec in STEP_BY_CODE[step_code].fields}
    errors: list[RecruitError] = []
    for key, listed in named.items():
        label = specs[key].label
        for position, code in enumerate(listed):
            cited = article
            member = standing.get(code)
            if member is None:
                problem = (
                    RecruitErrorCode.UNKNOWN_MEMBER,
                    f"{label} {code} 不在本校党员名册中",
                )
            elif member.joined_on > on or (member.left_on is not None and member.left_on <= on):
                problem = (
                    RecruitErrorCode.MEMBER_NOT_FULL,
                    f"{label} {code} 于 {on} 不是本校党员",
                )
            elif member.full_on is None or member.full_on > on:
                problem = (
                    RecruitErrorCode.MEMBER_NOT_FULL,
                    f"{label}须为正式党员：{code} 于 {on} 尚未转为正式党员",
                )
            elif key in PARTY_PROBATION_EXCLUDES and under_party_probation(
                member.party_probation_from, member.party_probation_restored_on, on
            ):
                problem = (
                    RecruitErrorCode.INTRODUCER_ON_PARTY_PROBATION,
                    f"{label} {code} 于 {on} 受留党察看处分、尚未恢复党员权利，不能作{label}",
                )
                cited = PARTY_PROBATION_EXCLUDES[key]
            else:
                continue
            code_, message = problem
            where = fields(datum(key, position))
            errors.append(RecruitError(code_, f"{message}（依据{cited}）", where))
    if errors:
        raise ValidationErrors(errors)  # type: ignore[arg-type]

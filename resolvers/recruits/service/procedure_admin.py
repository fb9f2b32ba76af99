"""The commission edits its procedure data: the working-day calendar and rule overlays.
Both are read by every later step judgement (``procedure.load_procedure``); steps already
recorded keep the rule version they were judged under."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from partyplan.auth.permissions import Permission
from partyplan.resolvers.audit import repository as audit
from partyplan.resolvers.units.service import visible as visible_unit
from partyplan.tenants.session import Session

from .. import repository
from ..errors import RecruitError, RecruitErrorCode
from ..rules.overlays import BUILTIN_OVERLAYS
from ..rules.serialization import OverlayFormatError, overlay_from_json, overlay_to_json
from .procedure import commission_of, load_calendar, set_calendar_year, stored_overlays


async def _commission(session: Session, commission_id: int) -> sa.Row:
    unit = await visible_unit(session, commission_id, Permission.RULE_MANAGE, "commissionId")
    if unit.kind != "commission":
        raise RecruitError(
            RecruitErrorCode.NOT_A_COMMISSION,
            "工作日历和程序规则由省委教育工委维护：请选择教育工委",
            "commissionId",
        )
    return unit


async def set_working_calendar(
    session: Session, *, commission_id: int, year: int, holidays: list[date], workdays: list[date]
) -> dict[str, Any]:
    commission = await _commission(session, commission_id)
    if not 2000 <= year <= 2100:
        raise RecruitError(RecruitErrorCode.INVALID_CALENDAR, "年份须在 2000 至 2100 之间", "year")
    # Each error names the first day at fault, by its position in the list given.
    for field, days in (("holidays", holidays), ("makeupWorkdays", workdays)):
        for index, day in enumerate(days):
            if day.year != year:
                raise RecruitError(
                    RecruitErrorCode.INVALID_CALENDAR,
                    f"所有日期须在 {year} 年内（{day} 不是）",
                    f"{field}.{index}",
                )
    for index, day in enumerate(workdays):
        if day in holidays:
            raise RecruitError(
                RecruitErrorCode.INVALID_CALENDAR,
                f"{day} 不能既是节假日又是调休上班日",
                f"makeupWorkdays.{index}",
            )
        if day.weekday() < 5:
            raise RecruitError(
                RecruitErrorCode.INVALID_CALENDAR,
                f"调休上班日须为周末（{day} 不是）",
                f"makeupWorkdays.{index}",
            )
    before = await year_of(session, commission.id, year)
    await set_calendar_year(session, commission, year, sorted(set(holidays)), sorted(set(workdays)))
    after = await year_of(session, commission.id, year)
    await audit.append(
        session,
        operation="setWorkingCalendar",
        object_type="WorkingCalendar",
        object_id=commission.id,
        unit_id=commission.id,
        school_id=None,
        before=_iso(before),
        after=_iso(after),
    )
    return after


def _iso(year: dict[str, Any]) -> dict[str, Any]:
    return {k: [d.isoformat() for d in v] if isinstance(v, list) else v for k, v in year.items()}


async def year_of(session: Session, commission_id: int, year: int) -> dict[str, Any]:
    calendar = await load_calendar(session, commission_id)
    return {
        "year": year,
        "holidays": sorted(d for d in calendar.holidays if d.year == year),
        "workdays": sorted(d for d in calendar.makeup_workdays if d.year == year),
    }


async def calendar_year_for(session: Session, *, unit_id: int, year: int) -> dict[str, Any]:
    unit = await visible_unit(session, unit_id, Permission.UNIT_READ, "unitId")
    return await year_of(session, commission_of(unit), year)


async def set_rule_overlay(session: Session, *, commission_id: int, body: dict[str, Any]) -> Any:

    commission = await _commission(session, commission_id)
    try:
        overlay = overlay_from_json(body)
    except OverlayFormatError as error:
        # The document's own path (rules/2/check/period/months), dotted under the input field.
        where = ".".join(("overlay", *filter(None, error.path.split("/"))))
        raise RecruitError(RecruitErrorCode.INVALID_OVERLAY, str(error), where) from error
    if overlay.province != (commission.region_code or ""):
        raise RecruitError(
            RecruitErrorCode.INVALID_OVERLAY,
            f"该规则适用于省份代码“{overlay.province}”，而本教育工委的地区代码为"
            f"“{commission.region_code or ''}”",
            "overlay.province",
        )
    stored = overlay_to_json(overlay)
    await repository.store_overlay(session, commission, overlay.id, stored)
    await audit.append(
        session,
        operation="setRuleOverlay",
        object_type="RuleOverlay",
        object_id=commission.id,
        unit_id=commission.id,
        school_id=None,
        before=None,
        after=stored,
    )
    return overlay


async def overlays_for(session: Session, *, unit_id: int) -> list[Any]:
    """The overlays that can apply under the unit's commission: built in and stored."""
    unit = await visible_unit(session, unit_id, Permission.UNIT_READ, "unitId")
    stored = await stored_overlays(session, commission_of(unit))
    replaced = {o.id for o in stored}
    region = unit.region_code or ""
    return [o for o in BUILTIN_OVERLAYS if o.id not in replaced and o.province == region] + list(
        stored
    )

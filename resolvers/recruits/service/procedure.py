"""The procedure in force for a branch: the rule table with its province's and school's
overlays (built in, and those the commission stores as data), and the commission's
working-day calendar. Loaded once per operation; pure afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from partyplan.tenants.session import Session

from .. import repository
from ..rules.calendar import WorkingCalendar
from ..rules.overlays import BUILTIN_OVERLAYS, Overlay, RuleSet, resolve_rules
from ..rules.serialization import overlay_from_json


@dataclass(frozen=True)
class Procedure:
    province: str
    school: str | None
    overlays: tuple[Overlay, ...]
    calendar: WorkingCalendar

    def rules(self, on: date) -> RuleSet:
        """The rules of the step's date: the national table in force that day; overlays taking
        effect later do not apply."""
        return resolve_rules(self.province, self.school, overlays=self.overlays, as_of=on)


def commission_of(unit: sa.Row) -> int:
    return int(unit.path.split(".")[0])


async def load_calendar(session: Session, commission_id: int) -> WorkingCalendar:
    rows = await repository.calendar_days_of(session, commission_id)
    return WorkingCalendar(
        holidays=frozenset(r.day for r in rows if r.kind == "holiday"),
        makeup_workdays=frozenset(r.day for r in rows if r.kind == "workday"),
    )


async def stored_overlays(session: Session, commission_id: int) -> tuple[Overlay, ...]:
    bodies = await repository.overlay_bodies(session, commission_id)
    return tuple(overlay_from_json(body) for body in bodies)


async def load_procedure(session: Session, branch: sa.Row) -> Procedure:
    commission_id = commission_of(branch)
    stored = await stored_overlays(session, commission_id)
    replaced = {o.id for o in stored}
    overlays = tuple(o for o in BUILTIN_OVERLAYS if o.id not in replaced) + stored
    return Procedure(
        province=branch.region_code or "",
        school=None if branch.school_id is None else str(branch.school_id),
        overlays=overlays,
        calendar=await load_calendar(session, commission_id),
    )


async def set_calendar_year(
    session: Session, commission: sa.Row, year: int, holidays: list[date], workdays: list[date]
) -> None:
    days = [("holiday", d) for d in holidays] + [("workday", d) for d in workdays]
    await repository.replace_calendar_year(session, commission, year, days)

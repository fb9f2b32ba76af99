"""The procedure in force for a branch: the rule table with its province's and school's
overlays (built in, and those the commission stores as data), and the commission's
working-day calendar. Loaded once per operation; pure afterwards.

What is read from the database (the stored overlays, the calendar days) is read by every
operation, so a change is seen by the next one. What is computed from it is cached by content:
an overlay parsed from its stored JSON (keyed by the JSON itself), and the rule sets resolved
for a (province, school, overlays) — :func:`~..rules.overlays.rules_by_date`, keyed by the
overlays' whole value. Neither can go stale, and neither crosses tenants unless what they
store is identical (when the result is too)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from partyplan.tenants.session import Session

from .. import repository
from ..rules.calendar import WorkingCalendar
from ..rules.overlays import BUILTIN_OVERLAYS, Overlay, RulesByDate, RuleSet, rules_by_date
from ..rules.serialization import overlay_from_json


@dataclass(frozen=True)
class Procedure:
    province: str
    school: str | None
    overlays: tuple[Overlay, ...]
    calendar: WorkingCalendar
    _rules: RulesByDate = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_rules", rules_by_date(self.province, self.school, self.overlays))

    def rules(self, on: date) -> RuleSet:
        """The rules of the step's date: the national table in force that day; overlays taking
        effect later do not apply. (``resolve_rules(..., as_of=on)``, each span's set built
        once: a derivation asks for every step's date.)"""
        return self._rules.on(on)


def commission_of(unit: sa.Row) -> int:
    return int(unit.path.split(".")[0])


async def load_calendar(session: Session, commission_id: int) -> WorkingCalendar:
    rows = await repository.calendar_days_of(session, commission_id)
    return calendar_of((r.kind, r.day) for r in rows)


def calendar_of(days: Iterable[tuple[str, date]]) -> WorkingCalendar:
    """The calendar of the commission's stored ``(kind, day)``: holidays, make-up workdays."""
    listed = list(days)
    return WorkingCalendar(
        holidays=frozenset(d for kind, d in listed if kind == "holiday"),
        makeup_workdays=frozenset(d for kind, d in listed if kind == "workday"),
    )


async def stored_overlays(session: Session, commission_id: int) -> tuple[Overlay, ...]:
    return overlays_of(await repository.overlay_bodies(session, commission_id))


def overlays_of(bodies: Iterable[Any]) -> tuple[Overlay, ...]:
    """The commission's stored overlays, from their bodies as stored (JSON)."""
    return tuple(_parsed(_canonical(body)) for body in bodies)


def _canonical(body: Any) -> str:
    """The stored JSON as one text (keys sorted): equal documents, equal keys."""
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=512)
def _parsed(text: str) -> Overlay:
    """An overlay read from its stored JSON, once per distinct document (an Overlay is frozen,
    so every request may share it). A document that fails to parse raises every time: errors
    are not cached."""
    return overlay_from_json(json.loads(text))


async def load_procedure(session: Session, branch: sa.Row) -> Procedure:
    commission_id = commission_of(branch)
    stored = await stored_overlays(session, commission_id)
    return procedure_of(branch, stored, await load_calendar(session, commission_id))


def procedure_of(branch: Any, stored: tuple[Overlay, ...], calendar: WorkingCalendar) -> Procedure:
    """The procedure of ``branch`` (a unit: ``region_code``, ``school_id``), given its
    commission's stored overlays (each replacing the built-in one of its id) and calendar."""
    replaced = {o.id for o in stored}
    overlays = tuple(o for o in BUILTIN_OVERLAYS if o.id not in replaced) + stored
    return Procedure(
        province=branch.region_code or "",
        school=None if branch.school_id is None else str(branch.school_id),
        overlays=overlays,
        calendar=calendar,
    )


async def set_calendar_year(
    session: Session, commission: sa.Row, year: int, holidays: list[date], workdays: list[date]
) -> None:
    days = [("holiday", d) for d in holidays] + [("workday", d) for d in workdays]
    await repository.replace_calendar_year(session, commission, year, days)

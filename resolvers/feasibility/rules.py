"""Pure rules of the feasible admissions: what today adds to each recruit's stored earliest
admission (one date per procedure and steps left), and the folding of counted rows into a
unit's figures. The walk itself is the recruits' (``recruits/rules/earliest.py``): it reads the
rule table, which nothing here copies."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from partyplan.resolvers.recruits.rules import earliest
from partyplan.resolvers.recruits.rules.calendar import WorkingCalendar
from partyplan.resolvers.recruits.rules.steps import Stage

#: The stages of a recruit with an admission ahead, in procedure order (``byStage``).
STAGES: tuple[Stage, ...] = (Stage.APPLICANT, Stage.ACTIVIST, Stage.DEVELOPMENT_TARGET)


def floors(rules_on: earliest.RulesOn, calendar: WorkingCalendar, today: date) -> dict[int, date]:
    """For every mask of steps left, the earliest admission walking those steps from ``today``
    (the half of a recruit's earliest admission that today moves). A mask no walk completes is
    left out: its recruits are not counted."""
    found: dict[int, date] = {}
    for mask in earliest.masks():
        on = earliest.floor(mask, rules_on, calendar, today)
        if on is not None:
            found[mask] = on
    return found


@dataclass
class Feasible:
    """A unit subtree's feasible admissions in a period: how many recruits can still be
    admitted by its end (``count``), by their stage today, and by their earliest day."""

    count: int = 0
    by_stage: dict[str, int] = field(default_factory=dict)
    earliest_dates: dict[date, int] = field(default_factory=dict)

    def add_stage(self, stage: str, n: int) -> None:
        self.count += n
        self.by_stage[stage] = self.by_stage.get(stage, 0) + n

    def add_date(self, on: date, n: int) -> None:
        self.earliest_dates[on] = self.earliest_dates.get(on, 0) + n

    def stages(self) -> list[tuple[str, int]]:
        """Every stage with an admission ahead, in procedure order, zeros included."""
        return [(s.value, self.by_stage.get(s.value, 0)) for s in STAGES]

    def dates(self) -> list[tuple[date, int]]:
        return sorted(self.earliest_dates.items())


def fold(count: int, rows: Iterable[Any], *, dated: bool) -> list[Feasible]:
    """``rows`` (``line``: 0-based index, then ``stage`` or ``on_date``, and ``n``) into
    ``count`` lines' figures."""
    lines = [Feasible() for _ in range(count)]
    for row in rows:
        if dated:
            lines[row.line].add_date(row.on_date, int(row.n))
        else:
            lines[row.line].add_stage(row.stage, int(row.n))
    return lines


def covering(paths: Sequence[str]) -> list[str]:
    """The paths none of the others lies above: the same subtrees, fewer to test a recruit
    against (a roll-up's lines: the unit's own; a scan's: its schools).

    >>> covering(["1.2", "1.2.3", "1.4", "1.2.5"])
    ['1.2', '1.4']
    """
    ordered = sorted(set(paths), key=lambda p: (p.count("."), p))
    kept: list[str] = []
    for path in ordered:
        if not any(path == k or path.startswith(k + ".") for k in kept):
            kept.append(path)
    return kept


def shortfall(received: int, forecast: int, admitted: int, feasible: int) -> dict[str, int] | None:
    """What a unit's quota received and forecast exceed the admissions still reachable by (the
    period's admissions so far plus the feasible ones); None when neither does."""
    reachable = admitted + feasible
    over = {
        name: value - reachable
        for name, value in (("received", received), ("forecast", forecast))
        if value > reachable
    }
    return over or None

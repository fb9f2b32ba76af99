"""The facts the checks read: a recruit's recorded steps indexed by code, with the derivations
every check needs (the latest of a step, the end of the probation), and the labels and date
reading the checks share. Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from .calendar import WorkingCalendar
from .overlays import RuleSet
from .steps import STEP_BY_CODE, STEPS, RecordedStep, RecruitFacts, Stage, Step, step_named
from .table import (
    ADMISSION_RESOLUTION,
    ANCHORS,
    CONVERSION_DUE,
    CONVERSION_RESOLUTION,
    PROBATION_END,
    TRANSFERRED_PROBATION_END,
    Period,
)

#: 细则第三十六条: how long a transferred-in member's conversion discussion may be postponed.
POSTPONEMENT = Period(months=6)

__all__ = ["Facts", "anchor_label", "calendar_date", "step_label"]


class Facts:
    """The recorded steps, indexed, with the derivations every check needs."""

    def __init__(
        self,
        history: Sequence[RecordedStep],
        rules: RuleSet,
        calendar: WorkingCalendar,
        recruit: RecruitFacts | None = None,
    ) -> None:
        self.rules, self.calendar = rules, calendar
        self.transferred = recruit is not None and recruit.transferred_after_admission
        self.by_code: dict[str, list[RecordedStep]] = {}
        for recorded in sorted(history, key=lambda r: r.on):
            step_named(recorded.step_code)  # an unknown code in stored history is a bug
            self.by_code.setdefault(recorded.step_code, []).append(recorded)

    def dates(self, code: str) -> list[date]:
        return [r.on for r in self.by_code.get(code, ())]

    def latest(self, code: str) -> RecordedStep | None:
        found = self.by_code.get(code)
        return found[-1] if found else None

    def cancelled_on(self) -> date | None:
        for step in STEPS:
            if step.enters is Stage.CANCELLED and (found := self.latest(step.code)):
                return found.on
        return None

    def probation_end(self) -> date | None:
        meeting = self.latest("branch_meeting")
        if meeting is None:
            return None
        extended = sum(
            months
            for r in self.by_code.get("probation_extension", ())
            if isinstance(months := r.data.get("months"), int)
        )
        probation = self.rules.probation
        # One addition from the meeting (not meeting + 12, then + extension): clamping to a
        # month's end must not compound.
        term = dataclasses.replace(probation, months=probation.months + extended)
        return term.after(meeting.on, self.calendar)

    def reported(self, meeting: str) -> date | None:
        """The day the branch reported the resolution of its latest ``meeting``: the meeting's
        ``reported_on`` when recorded (not before the meeting), else the meeting's date."""
        found = self.latest(meeting)
        if found is None:
            return None
        reported = calendar_date(found.data.get("reported_on"))
        return reported if reported is not None and reported >= found.on else found.on

    def anchor(self, code: str) -> date | None:
        """The date a rule counts from: a step's (its latest occurrence) or a derived one
        (``table.ANCHORS``); None while it is unknown (the rule then waits)."""
        if code == PROBATION_END:
            return self.probation_end()
        if code == ADMISSION_RESOLUTION:
            return self.reported("branch_meeting")
        if code == CONVERSION_RESOLUTION:
            return self.reported("conversion_meeting")
        if code == TRANSFERRED_PROBATION_END:
            return self.probation_end() if self.transferred else None
        if code == CONVERSION_DUE:
            end = self.probation_end()
            if end is not None and self.transferred:
                return POSTPONEMENT.after(end, self.calendar)
            return end
        found = self.latest(code)
        return found.on if found else None


def anchor_label(code: str, facts: Facts | None = None) -> str:
    """An anchor as a message names it; with the ``facts``, the conversion's due date says which
    it is for this recruit (the end of the probation, or of a transferred-in member's
    postponement)."""
    if code == CONVERSION_DUE and facts is not None:
        return (
            "转入的预备党员推迟讨论转正的期限届满" if facts.transferred else ANCHORS[PROBATION_END]
        )
    return ANCHORS.get(code) or step_label(STEP_BY_CODE[code])


def step_label(step: Step) -> str:
    """A step as a message names it: ``第 7 步“确定发展对象”``; ``“延长预备期”`` outside the
    numbered flow. The number tells apart the steps of one name (two branch meetings)."""
    return f"第 {step.number} 步“{step.name}”" if step.number else f"“{step.name}”"


def calendar_date(value: Any) -> date | None:
    """A DATE field's value: a date, or its ISO text ``YYYY-MM-DD``, which is how JSON carries
    it (step data arrives as GraphQL JSON and is stored as JSONB); None for anything else. A
    timestamp is refused: its date depends on its time zone, and procedure dates are plain.

    >>> calendar_date("2023-09-28"), calendar_date("20230928"), calendar_date("2023-02-30")
    (datetime.date(2023, 9, 28), None, None)
    """
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
